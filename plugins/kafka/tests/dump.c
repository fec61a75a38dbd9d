/*
 * dump.c - a test-only sink that writes everything a record carries, one
 * line per record, so that tests can check what the Kafka source fills in:
 *
 *   TOPIC/PARTITION@OFFSET key=KEY ts=TIMESTAMP headers=[N=V,N] value=VALUE
 *
 * KEY is `(null)` for a record without a key; a header with a null value
 * is written without '='.  Bytes are written as they are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sluice/plugin.h>

typedef struct dump {
	FILE *out;
	char *path;
} dump;

static int dump_open(sl_stage *stage, void **self, sl_error *err)
{
	const char *path = sl_option(stage, "path");
	dump *d = calloc(1, sizeof *d);

	if (d == NULL || (d->path = strdup(path)) == NULL) {
		free(d);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	if ((d->out = fopen(path, "w")) == NULL) {
		int e = errno;

		free(d->path);
		free(d);
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot open %s: %s", path,
				    strerror(e));
	}
	*self = d;
	return SL_OK;
}

static void put(FILE *out, const sl_bytes *b)
{
	if (b->len)
		fwrite(b->data, 1, b->len, out);
}

static int dump_write(void *self, const sl_batch *batch, sl_error *err)
{
	dump *d = self;
	uint32_t i, j;

	for (i = 0; i < batch->count; i++) {
		const sl_record *r = &batch->records[i];

		fprintf(d->out, "%s/%d@%lld key=", r->origin.topic ? r->origin.topic : "-",
			(int)r->origin.partition, (long long)r->origin.offset);
		if (r->key_raw.data == NULL)
			fputs("(null)", d->out);
		else
			put(d->out, &r->key_raw);
		fprintf(d->out, " ts=%lld headers=[", (long long)r->timestamp);
		for (j = 0; j < r->header_count; j++) {
			fprintf(d->out, "%s%s", j ? "," : "", r->headers[j].name);
			if (r->headers[j].value.data != NULL) {
				fputc('=', d->out);
				put(d->out, &r->headers[j].value);
			}
		}
		fputs("] value=", d->out);
		put(d->out, &r->value_raw);
		fputc('\n', d->out);
	}
	if (ferror(d->out))
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot write to %s", d->path);
	return SL_OK;
}

static int dump_flush(void *self, int timeout_ms, sl_error *err)
{
	dump *d = self;

	(void)timeout_ms;
	if (fflush(d->out) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot write to %s: %s",
				    d->path, strerror(errno));
	return SL_OK;
}

static void dump_close(void *self)
{
	dump *d = self;

	if (d == NULL)
		return;
	fclose(d->out);
	free(d->path);
	free(d);
}

static const sl_sink_class dump_sink = {
	.struct_size = sizeof(sl_sink_class),
	.open = dump_open,
	.write = dump_write,
	.flush = dump_flush,
	.close = dump_close,
};

SL_PLUGIN("dump", .sink = &dump_sink)
