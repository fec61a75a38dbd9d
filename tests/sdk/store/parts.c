/*
 * parts.c - a partitioned source for tests/sdk/filestore.test, where
 * Kafka is not needed: each line "P VALUE" of the file `path` is a record
 * of partition P with value VALUE.  It says its input has `partitions`
 * partitions (keyed state is partitioned like the input) and, before the
 * first record, that it reads all of them, or only partition `only`, as
 * one of several instances would; lines of other partitions are skipped.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sluice/plugin.h>

typedef struct parts {
	sl_stage *stage;
	FILE *in;
	int32_t partitions, only;
	int64_t line;
	int assigned;
} parts;

static void parts_close(void *self)
{
	parts *p = self;

	if (p != NULL) {
		if (p->in != NULL)
			fclose(p->in);
		free(p);
	}
}

static int parts_open(sl_stage *stage, void **self, sl_error *err)
{
	const char *path = sl_option(stage, "path");
	parts *p = calloc(1, sizeof *p);

	if (p == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	*self = p;
	p->stage = stage;
	p->partitions = (int32_t)sl_option_int(stage, "partitions");
	p->only = (int32_t)sl_option_int(stage, "only");
	if ((p->in = fopen(path, "r")) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot read %s: %s",
				    path, strerror(errno));
	return SL_OK;
}

static int32_t parts_count(void *self)
{
	return ((parts *)self)->partitions;
}

static int assign(parts *p, sl_error *err)
{
	sl_input in[64];
	int32_t i, n = 0;

	for (i = 0; i < p->partitions && n < 64; i++)
		if (p->only < 0 || p->only == i)
			in[n++] = (sl_input){ "parts", i, p->partitions };
	p->assigned = 1;
	return sl_inputs_assigned(p->stage, in, (size_t)n, err);
}

static int parts_poll(void *self, sl_batch *batch, uint32_t max,
		      int timeout_ms, sl_error *err)
{
	parts *p = self;
	char line[4096];
	uint32_t n = 0;

	(void)timeout_ms;
	if (!p->assigned && assign(p, err) != SL_OK)
		return SL_ERR;
	while (n < max && fgets(line, sizeof line, p->in) != NULL) {
		char *value = strchr(line, ' ');
		int32_t partition = (int32_t)strtol(line, NULL, 10);
		size_t len;
		sl_record *r;
		char *copy;

		p->line++;
		if (value == NULL || (p->only >= 0 && partition != p->only))
			continue;
		len = strcspn(++value, "\n");
		if ((r = sl_batch_push(batch)) == NULL ||
		    (copy = sl_arena_alloc(batch->arena, len + 1)) == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		memcpy(copy, value, len);
		r->value_raw.data = (const uint8_t *)copy;
		r->value_raw.len = len;
		r->origin.topic = "parts";
		r->origin.partition = partition;
		r->origin.offset = p->line;
		n++;
	}
	return feof(p->in) ? SL_EOF : SL_OK;
}

static const sl_source_class parts_source = {
	.struct_size = sizeof(sl_source_class),
	.open = parts_open,
	.poll = parts_poll,
	.close = parts_close,
	.partition_count = parts_count,
};

SL_PLUGIN("parts", .source = &parts_source,
	  .host_needs = SL_HOST_SIZE_WITH(inputs_assigned))
