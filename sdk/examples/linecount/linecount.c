/*
 * linecount.c - an example sink plugin: counts records and their bytes.
 *
 * The totals live in the file named by `path` ("records N" and "bytes N"
 * lines) and carry on from run to run, like a counter kept in a
 * database.  write() only adds to the counts in memory; flush() makes
 * them durable before it returns, because the engine commits the
 * sources' positions right after every sink's flush succeeded (at-least-
 * once): a count that could still be lost then would be lost for good.
 * A crash between a flush and the commit after it makes the sources
 * deliver those records again, and they are counted twice: at-least-
 * once, never less.  close() logs the totals.
 *
 * A flush that fails for a reason that passes (the folder of the totals
 * missing for a moment, as a volume being mounted again; the disk full)
 * says so with SL_ERR_RETRIABLE and keeps its counts: the engine calls
 * flush again after a wait (retry.backoff, doubling up to
 * retry.max.backoff) and commits nothing meanwhile.
 */
#define _POSIX_C_SOURCE 200809L /* -std=c99 hides strdup, fsync, ... */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sluice/plugin.h>

typedef struct linecount {
	sl_stage *stage;
	char *path, *tmp, *dir; /* the totals, their next version, their folder */
	unsigned long long records, bytes;
	int dirty;    /* counts changed since the last flush */
	int durable;  /* sync to disk: someone waits for it (not delivery none) */
} linecount;

static void lc_free(linecount *lc)
{
	free(lc->path);
	free(lc->tmp);
	free(lc->dir);
	free(lc);
}

static void lc_close(void *self)
{
	linecount *lc = self;

	if (lc == NULL)
		return;
	sl_log(lc->stage, SL_LOG_INFO, "%llu records, %llu bytes", lc->records,
	       lc->bytes);
	lc_free(lc);
}

static int load_totals(linecount *lc, sl_error *err)
{
	FILE *f = fopen(lc->path, "r");
	int n;

	if (f == NULL)
		return errno == ENOENT ? SL_OK : /* the first run */
			sl_error_set(err, SL_ERR_RUNTIME, "cannot read %s: %s",
				     lc->path, strerror(errno));
	n = fscanf(f, "records %llu bytes %llu", &lc->records, &lc->bytes);
	fclose(f);
	if (n != 2)
		return sl_error_set(err, SL_ERR_RUNTIME, "%s holds no totals: "
				    "remove it to count from 0", lc->path);
	return SL_OK;
}

static int lc_open(sl_stage *stage, void **self, sl_error *err)
{
	const char *path = sl_option(stage, "path");
	linecount *lc = calloc(1, sizeof *lc);
	size_t len = strlen(path);
	char *slash;

	if (lc == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	lc->stage = stage;
	lc->durable = sl_job_delivery(stage) != SL_DELIVERY_NONE;
	lc->path = strdup(path);
	lc->tmp = malloc(len + sizeof ".tmp");
	lc->dir = malloc(len + sizeof ".");
	if (lc->path == NULL || lc->tmp == NULL || lc->dir == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto fail;
	}
	sprintf(lc->tmp, "%s.tmp", path);
	strcpy(lc->dir, path);
	if ((slash = strrchr(lc->dir, '/')) == NULL)
		strcpy(lc->dir, ".");
	else
		slash[slash == lc->dir] = '\0'; /* "/totals" is in "/" */
	if (load_totals(lc, err) != SL_OK)
		goto fail;
	*self = lc;
	return SL_OK;
fail: /* close is not called when open fails */
	lc_free(lc);
	return SL_ERR;
}

static int lc_write(void *self, const sl_batch *batch, sl_error *err)
{
	linecount *lc = self;
	uint32_t i;

	(void)err;
	for (i = 0; i < batch->count; i++) {
		const sl_record *r = &batch->records[i];

		lc->bytes += r->value_raw.len + r->key_raw.len;
	}
	lc->records += batch->count;
	lc->dirty |= batch->count > 0;
	return SL_OK;
}

/* fsync a file, or a folder so that a rename in it survives a crash. */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The failure of a file operation, retriable when @p e may pass. */
static int failed(sl_error *err, const char *path, int e)
{
	int passing = e == ENOENT || e == ENOSPC || e == EIO || e == EAGAIN ||
		      e == EINTR || e == EDQUOT;

	return sl_error_set(err, passing ? SL_ERR_RETRIABLE : SL_ERR_RUNTIME,
			    "cannot write %s: %s", path, strerror(e));
}

/*
 * Write the totals to a temporary file and rename it over the old one,
 * so a crash leaves either; sync the file before the rename and the
 * folder after it, so the new totals are on disk when flush returns.
 */
static int lc_flush(void *self, int timeout_ms, sl_error *err)
{
	linecount *lc = self;
	FILE *f;
	int ok;

	(void)timeout_ms; /* a local disk answers or the job is stuck anyway */
	if (!lc->dirty)
		return SL_OK;
	if ((f = fopen(lc->tmp, "w")) == NULL)
		return failed(err, lc->tmp, errno);
	ok = fprintf(f, "records %llu\nbytes %llu\n", lc->records,
		     lc->bytes) > 0 && fflush(f) == 0 &&
	     (!lc->durable || fsync(fileno(f)) == 0);
	ok = fclose(f) == 0 && ok && rename(lc->tmp, lc->path) == 0 &&
	     (!lc->durable || sync_path(lc->dir) == 0);
	if (!ok)
		return failed(err, lc->path, errno);
	lc->dirty = 0;
	return SL_OK;
}

static const sl_sink_class linecount_sink = {
	.struct_size = sizeof(sl_sink_class),
	.open = lc_open,
	.write = lc_write,
	.flush = lc_flush,
	.close = lc_close,
};

SL_PLUGIN("linecount", .sink = &linecount_sink)
