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
 *
 * Under delivery = exactly-once it keeps the input's positions in the
 * same file ("position SOURCE TOPIC PARTITION NEXT_OFFSET" lines),
 * written with the totals in one rename: the file is its transaction,
 * as a table of offsets is a database sink's.  txn_commit writes both,
 * txn_abort forgets what was counted since, and txn_position tells a
 * Kafka source where to start, so a crash anywhere neither loses nor
 * counts twice.
 */
#define _POSIX_C_SOURCE 200809L /* -std=c99 hides strdup, fsync, ... */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sluice/plugin.h>

/* Exactly-once: where a source's partition goes on. */
typedef struct lc_position {
	char source[64], topic[256];
	int partition;
	long long next_offset;
} lc_position;

typedef struct linecount {
	sl_stage *stage;
	char *path, *tmp, *dir; /* the totals, their next version, their folder */
	unsigned long long records, bytes;
	int dirty;    /* counts changed since the last flush */
	int durable;  /* sync to disk: someone waits for it (not delivery none) */
	int exactly_once;
	unsigned long long committed_records, committed_bytes;
	lc_position *positions; /* as of the last commit */
	size_t position_count;
} linecount;

static void lc_free(linecount *lc)
{
	free(lc->positions);
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
	while (n == 2) {
		lc_position p, *grown;

		if (fscanf(f, " position %63s %255s %d %lld", p.source, p.topic,
			   &p.partition, &p.next_offset) != 4)
			break;
		grown = realloc(lc->positions, (lc->position_count + 1) * sizeof p);
		if (grown == NULL) {
			fclose(f);
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		}
		lc->positions = grown;
		lc->positions[lc->position_count++] = p;
	}
	fclose(f);
	if (n != 2)
		return sl_error_set(err, SL_ERR_RUNTIME, "%s holds no totals: "
				    "remove it to count from 0", lc->path);
	lc->committed_records = lc->records;
	lc->committed_bytes = lc->bytes;
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
	lc->exactly_once = sl_job_delivery(stage) == SL_DELIVERY_EXACTLY_ONCE;
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
static int save(linecount *lc, const lc_position *positions, size_t count,
		sl_error *err)
{
	FILE *f;
	size_t i;
	int ok;

	if ((f = fopen(lc->tmp, "w")) == NULL)
		return failed(err, lc->tmp, errno);
	ok = fprintf(f, "records %llu\nbytes %llu\n", lc->records,
		     lc->bytes) > 0;
	for (i = 0; ok && i < count; i++)
		ok = fprintf(f, "position %s %s %d %lld\n", positions[i].source,
			     positions[i].topic, positions[i].partition,
			     positions[i].next_offset) > 0;
	ok = ok && fflush(f) == 0 && (!lc->durable || fsync(fileno(f)) == 0);
	ok = fclose(f) == 0 && ok && rename(lc->tmp, lc->path) == 0 &&
	     (!lc->durable || sync_path(lc->dir) == 0);
	return ok ? SL_OK : failed(err, lc->path, errno);
}

static int lc_flush(void *self, int timeout_ms, sl_error *err)
{
	linecount *lc = self;

	(void)timeout_ms; /* a local disk answers or the job is stuck anyway */
	/* exactly-once: counts are written with their positions, at commit */
	if (!lc->dirty || lc->exactly_once)
		return SL_OK;
	if (save(lc, lc->positions, lc->position_count, err) != SL_OK)
		return SL_ERR;
	lc->dirty = 0;
	return SL_OK;
}

/* ---- exactly-once: the file is the transaction ---------------------- */

static int lc_txn_begin(void *self, sl_error *err)
{
	linecount *lc = self;

	(void)err;
	lc->committed_records = lc->records;
	lc->committed_bytes = lc->bytes;
	return SL_OK;
}

static lc_position *find(lc_position *list, size_t count, const char *source,
			 const char *topic, int partition)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (list[i].partition == partition &&
		    strcmp(list[i].source, source) == 0 &&
		    strcmp(list[i].topic, topic) == 0)
			return &list[i];
	return NULL;
}

/* The positions of the last commit, moved on by @p txn's, in *@p out. */
static int merged(const linecount *lc, const sl_txn *txn, lc_position **out,
		  size_t *count)
{
	size_t i, j, n = lc->position_count;

	for (i = 0; i < txn->source_count; i++)
		n += txn->sources[i].count;
	if ((*out = malloc((n ? n : 1) * sizeof **out)) == NULL)
		return -1;
	memcpy(*out, lc->positions, lc->position_count * sizeof **out);
	*count = lc->position_count;
	for (i = 0; i < txn->source_count; i++)
		for (j = 0; j < txn->sources[i].count; j++) {
			const sl_position *p = &txn->sources[i].positions[j];
			lc_position *at = find(*out, *count, txn->sources[i].stage,
					       p->topic, p->partition);

			if (p->topic == NULL)
				continue;
			if (at == NULL) {
				at = &(*out)[(*count)++];
				snprintf(at->source, sizeof at->source, "%s",
					 txn->sources[i].stage);
				snprintf(at->topic, sizeof at->topic, "%s", p->topic);
				at->partition = p->partition;
			}
			at->next_offset = p->next_offset;
		}
	return 0;
}

static int lc_txn_commit(void *self, const sl_txn *txn, sl_error *err)
{
	linecount *lc = self;
	lc_position *next;
	size_t count;

	if (merged(lc, txn, &next, &count) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (save(lc, next, count, err) != SL_OK) {
		free(next);
		/* nothing was committed: the engine aborts and reads again */
		err->kind = SL_ERR_ABORTABLE;
		return SL_ERR;
	}
	free(lc->positions);
	lc->positions = next;
	lc->position_count = count;
	lc->committed_records = lc->records;
	lc->committed_bytes = lc->bytes;
	lc->dirty = 0;
	return SL_OK;
}

static int lc_txn_abort(void *self, sl_error *err)
{
	linecount *lc = self;

	(void)err;
	lc->records = lc->committed_records;
	lc->bytes = lc->committed_bytes;
	return SL_OK;
}

static int lc_txn_position(void *self, const char *source, const char *topic,
			   int32_t partition, int64_t *next_offset, sl_error *err)
{
	linecount *lc = self;
	const lc_position *p = find(lc->positions, lc->position_count, source,
				    topic, partition);

	(void)err;
	if (p == NULL)
		return 0;
	*next_offset = p->next_offset;
	return 1;
}

static const sl_sink_class linecount_sink = {
	.struct_size = sizeof(sl_sink_class),
	.open = lc_open,
	.write = lc_write,
	.flush = lc_flush,
	.close = lc_close,
	.txn_begin = lc_txn_begin,
	.txn_commit = lc_txn_commit,
	.txn_abort = lc_txn_abort,
	.txn_position = lc_txn_position,
};

SL_PLUGIN("linecount", .sink = &linecount_sink)
