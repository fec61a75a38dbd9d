/*
 * seq.c - an example source plugin: the numbers 0, 1, 2, ... as records,
 * carrying on after a restart from the last committed one.
 *
 * A record's value is the number's decimal text (format = json reads it
 * as a number), its timestamp the wall clock, and its origin offset the
 * number itself: the engine tracks the offset after the last record
 * that every sink has acknowledged and hands it to commit(), which keeps
 * it in the file named by `checkpoint`.  Under at-least-once a restart
 * therefore repeats at most what came after the last commit, and never
 * skips a number.  Options: `end` (stop before it; 0: never), `rate`
 * (records per second; 0: as fast as the engine asks), `checkpoint`.
 */
#define _POSIX_C_SOURCE 200809L /* -std=c99 hides strdup, fsync, ... */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sluice/plugin.h>

typedef struct seq {
	char *checkpoint;    /* NULL: every run starts at 0 */
	int64_t first;       /* where this run started */
	int64_t next;        /* the next number to hand out */
	int64_t end;         /* stop before it; 0: never */
	int64_t rate;        /* records per second; 0: no limit */
	int64_t started_ms;  /* for the rate: when this run started */
	int64_t sent;        /* ... and how many records it handed out */
} seq;

static int64_t clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void seq_close(void *self)
{
	seq *s = self;

	if (s != NULL) {
		free(s->checkpoint);
		free(s);
	}
}

static int load_checkpoint(seq *s, sl_error *err)
{
	FILE *f = fopen(s->checkpoint, "r");
	long long next = -1;

	if (f == NULL)
		return errno == ENOENT ? SL_OK : /* the first run */
			sl_error_set(err, SL_ERR_RUNTIME, "cannot read %s: %s",
				     s->checkpoint, strerror(errno));
	if (fscanf(f, "%lld", &next) != 1 || next < 0)
		next = -1;
	fclose(f);
	if (next < 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "%s holds no position: "
				    "remove it to start from 0", s->checkpoint);
	s->first = s->next = next;
	return SL_OK;
}

static int seq_open(sl_stage *stage, void **self, sl_error *err)
{
	const char *checkpoint = sl_option(stage, "checkpoint");
	seq *s = calloc(1, sizeof *s);

	if (s == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	s->end = sl_option_int(stage, "end");
	s->rate = sl_option_int(stage, "rate");
	s->started_ms = clock_ms(CLOCK_MONOTONIC);
	if (checkpoint != NULL && *checkpoint != '\0') { /* --set x.checkpoint= */
		int rc = (s->checkpoint = strdup(checkpoint)) == NULL
			 ? sl_error_set(err, SL_ERR_RUNTIME, "out of memory")
			 : load_checkpoint(s, err);

		if (rc != SL_OK) { /* close is not called when open fails */
			seq_close(s);
			return rc;
		}
	}
	*self = s;
	return SL_OK;
}

/*
 * How many records the rate lets out now.  When none is due, sleep until
 * the next one is, or @p timeout_ms, and let the engine call again.
 */
static int64_t due(seq *s, int timeout_ms)
{
	int64_t now = clock_ms(CLOCK_MONOTONIC) - s->started_ms;
	int64_t allowed = now * s->rate / 1000 + 1 - s->sent;
	int64_t wait = s->sent * 1000 / s->rate - now;
	struct timespec ts;

	if (allowed > 0)
		return allowed;
	if (wait > timeout_ms)
		wait = timeout_ms;
	if (wait < 0)
		wait = 0;
	ts.tv_sec = wait / 1000;
	ts.tv_nsec = (wait % 1000) * 1000000;
	nanosleep(&ts, NULL);
	return 0;
}

static int seq_poll(void *self, sl_batch *batch, uint32_t max, int timeout_ms,
		    sl_error *err)
{
	seq *s = self;
	int64_t n = max, i;

	if (s->end > 0 && s->end - s->next < n)
		n = s->end - s->next;
	if (n > 0 && s->rate > 0) {
		int64_t allowed = due(s, timeout_ms);

		if (allowed < n)
			n = allowed;
	}
	for (i = 0; i < n; i++) {
		sl_record *r = sl_batch_push(batch);
		char *text = sl_arena_alloc(batch->arena, 24);

		if (r == NULL || text == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		r->value_raw.data = (const uint8_t *)text;
		r->value_raw.len = (size_t)snprintf(text, 24, "%" PRId64, s->next);
		r->timestamp = clock_ms(CLOCK_REALTIME);
		r->origin.offset = s->next++; /* topic NULL, partition -1 */
	}
	s->sent += n;
	return s->end > 0 && s->next >= s->end ? SL_EOF : SL_OK;
}

/*
 * Replace the checkpoint so that a crash leaves the old one or the new
 * one, never a torn file.  The folder is not synced: should a crash undo
 * the rename, the old position comes back and records are repeated,
 * which at-least-once allows (a sink's flush may not be so relaxed).
 */
static int seq_commit(void *self, const sl_position *positions, size_t count,
		      sl_error *err)
{
	seq *s = self;
	char tmp[4096];
	FILE *f;
	int ok;

	/* one partition, (NULL, -1): the origin of every record */
	if (s->checkpoint == NULL || count == 0)
		return SL_OK;
	snprintf(tmp, sizeof tmp, "%s.tmp", s->checkpoint);
	if ((f = fopen(tmp, "w")) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot write %s: %s", tmp,
				    strerror(errno));
	ok = fprintf(f, "%" PRId64 "\n", positions[0].next_offset) > 0 &&
	     fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok && rename(tmp, s->checkpoint) == 0;
	if (!ok)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot write %s: %s",
				    s->checkpoint, strerror(errno));
	return SL_OK;
}

/* Exactly-once aborted a transaction: hand out again what it held. */
static int seq_rewind(void *self, const sl_position *positions, size_t count,
		      sl_error *err)
{
	seq *s = self;

	(void)err;
	s->next = count > 0 ? positions[0].next_offset : s->first;
	return SL_OK;
}

static const sl_source_class seq_source = {
	.struct_size = sizeof(sl_source_class),
	.open = seq_open,
	.poll = seq_poll,
	.commit = seq_commit,
	.close = seq_close,
	.rewind = seq_rewind,
};

SL_PLUGIN("seq", .source = &seq_source)
