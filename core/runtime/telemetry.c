/*
 * telemetry.c - see telemetry.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/clock.h"
#include "runtime/telemetry.h"
#include "state/state.h"

/* A stage's labelled gauge (the host's gauge_set). */
struct sl_gauge {
	char *name;
	char *topic;             /* NULL: no topic and partition labels */
	int32_t partition;
	int64_t value;
};

const double sl_commit_bucket_bounds[SL_COMMIT_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10
};

int sl_telemetry_on;

/* A published snapshot, with what frees it. */
typedef struct held {
	sl_snapshot snap;        /* first: readers get &held->snap */
	sl_arena *arena;
	int refs;                /* readers holding it */
	int current;             /* still the one handed out */
} held;

/* Loop-side accumulators: the loop's thread only. */
static struct {
	uint64_t ticks, commits, commit_failures, txn_committed, txn_fatal,
		 txn_aborted;
	uint64_t buckets[SL_COMMIT_BUCKETS];
	double commit_seconds;
	uint64_t run_aborts;     /* txn_aborted as this run last said */
	uint64_t read_at_abort;  /* records read when the last abort came */
} acc;

/* Shared with readers, under the lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static held *current;
static sl_telemetry_live live;

void sl_telemetry_enable(void)
{
	sl_telemetry_on = 1;
	pthread_mutex_lock(&lock);
	live.enabled = 1;
	pthread_mutex_unlock(&lock);
}

/* ---- the loop side ---------------------------------------------------- */

void sl_telemetry_commit(int64_t micros, int ok, int txn_committed,
			 int txn_fatal, uint64_t txn_aborted, uint64_t read)
{
	double s = (double)micros / 1e6;
	int i;

	if (!sl_telemetry_on)
		return;
	acc.commits++;
	acc.commit_failures += !ok;
	acc.txn_committed += txn_committed != 0;
	acc.txn_fatal += txn_fatal != 0;
	acc.commit_seconds += s;
	for (i = 0; i < SL_COMMIT_BUCKETS; i++)
		if (s <= sl_commit_bucket_bounds[i])
			acc.buckets[i]++;
	pthread_mutex_lock(&lock);
	if (txn_aborted > acc.run_aborts) {
		acc.txn_aborted += txn_aborted - acc.run_aborts;
		acc.run_aborts = txn_aborted;
		if (live.aborting_since_mono_ms == 0)
			live.aborting_since_mono_ms = sl_now_mono_ms();
		acc.read_at_abort = read;
	}
	pthread_mutex_unlock(&lock);
}

void sl_telemetry_txn_done(uint64_t read)
{
	if (!sl_telemetry_on)
		return;
	/* what an abort rewound was read again and is committed now; a
	 * commit of nothing new (an idle cycle) says nothing */
	if (read > acc.read_at_abort) {
		pthread_mutex_lock(&lock);
		live.aborting_since_mono_ms = 0;
		pthread_mutex_unlock(&lock);
	}
}

void sl_telemetry_retrying(const char *what)
{
	if (!sl_telemetry_on)
		return;
	pthread_mutex_lock(&lock);
	snprintf(live.retrying, sizeof live.retrying, "%s", what ? what : "");
	live.heartbeat_mono_ms = sl_now_mono_ms();
	pthread_mutex_unlock(&lock);
}

void sl_telemetry_restart(unsigned count)
{
	if (!sl_telemetry_on)
		return;
	acc.run_aborts = 0; /* the next run counts from 0 again */
	acc.read_at_abort = 0;
	pthread_mutex_lock(&lock);
	live.restarts = count;
	live.running = 0;
	live.finished = 0;
	live.restoring = 0;
	live.heartbeat_mono_ms = sl_now_mono_ms();
	pthread_mutex_unlock(&lock);
}

void sl_telemetry_restoring(sl_engine *e, int on)
{
	(void)e;
	if (!sl_telemetry_on)
		return;
	pthread_mutex_lock(&lock);
	live.restoring = on;
	live.heartbeat_mono_ms = sl_now_mono_ms();
	pthread_mutex_unlock(&lock);
}

static const char *copy(sl_arena *a, const char *s)
{
	return s ? sl_arena_strndup(a, s, strlen(s)) : NULL;
}

static int copy_stage(sl_arena *a, const sl_stage *s, sl_snap_stage *o)
{
	size_t i;

	o->name = copy(a, s->def->name);
	o->plugin = copy(a, s->def->plugin->name);
	o->kind = s->kind;
	o->records_in = s->records_in;
	o->records_out = s->records_out;
	o->skipped = s->skipped;
	o->records_written = s->records_written;
	o->stateful = s->state.count > 0;
	o->bytes_in = s->bytes_in;
	o->bytes_out = s->bytes_out;
	o->changelog_written = s->state.changelog_written;
	o->restores = s->state.restores;
	o->restore_seconds = (double)s->state.restore_ms / 1000.0;
	for (i = 0; i < s->state.count; i++) {
		o->state_keys += sl_store_count(s->state.stores[i]);
		o->state_bytes += sl_store_bytes(s->state.stores[i]);
	}
	o->counters = sl_arena_alloc(a, (s->metric_count + 1) * sizeof *o->counters);
	o->gauges = sl_arena_alloc(a, (s->gauge_count + 1) * sizeof *o->gauges);
	if (o->counters == NULL || o->gauges == NULL)
		return -1;
	for (i = 0; i < s->metric_count; i++) {
		o->counters[i].name = copy(a, s->metrics[i].name);
		o->counters[i].topic = NULL;
		o->counters[i].partition = -1;
		o->counters[i].value = s->metrics[i].value;
	}
	o->counter_count = s->metric_count;
	for (i = 0; i < s->gauge_count; i++) {
		o->gauges[i].name = copy(a, s->gauges[i].name);
		o->gauges[i].topic = copy(a, s->gauges[i].topic);
		o->gauges[i].partition = s->gauges[i].partition;
		o->gauges[i].value = s->gauges[i].value;
	}
	o->gauge_count = s->gauge_count;
	if (s->kind == SL_KIND_SOURCE) /* what it read: passed on or set aside */
		for (i = 0, o->records_in = s->records_out + s->skipped;
		     i < s->metric_count; i++)
			if (strcmp(s->metrics[i].name, "dead-lettered") == 0)
				o->records_in += (uint64_t)s->metrics[i].value;
	return 0;
}

/*
 * Ready: state restored, and every partitioned source has partitions to
 * read (an instance the group gives none reads nothing); NULL, or why
 * not.
 */
static const char *not_ready(const sl_engine *e, int restoring)
{
	size_t i;

	if (restoring)
		return "restoring state";
	for (i = 0; i < e->stage_count; i++) {
		const sl_stage *s = &e->stages[i];

		if (s->kind == SL_KIND_SOURCE && !s->finished &&
		    (s->def->plugin->capabilities & SL_CAP_PARTITIONED) &&
		    s->held_count == 0)
			return "waiting for partitions";
	}
	return NULL;
}

static void unref(held *h)
{
	if (h != NULL && h->refs == 0 && !h->current) {
		sl_arena_free(h->arena);
		free(h);
	}
}

void sl_telemetry_publish(sl_engine *e, int finished)
{
	sl_arena *a;
	held *h, *old;
	size_t i;
	int restoring;

	if (!sl_telemetry_on)
		return;
	acc.ticks++;
	pthread_mutex_lock(&lock);
	restoring = live.restoring;
	pthread_mutex_unlock(&lock);
	a = sl_arena_new();
	h = calloc(1, sizeof *h);
	if (a == NULL || h == NULL)
		goto fail;
	h->arena = a;
	h->snap.job = copy(a, e->job->name);
	h->snap.delivery = e->job->delivery;
	h->snap.published_mono_ms = sl_now_mono_ms();
	h->snap.published_wall_ms = sl_now_wall_ms();
	h->snap.ticks = acc.ticks;
	h->snap.not_ready = finished ? "the job has ended" : not_ready(e, restoring);
	h->snap.ready = h->snap.not_ready == NULL;
	h->snap.commits = acc.commits;
	h->snap.commit_failures = acc.commit_failures;
	memcpy(h->snap.commit_buckets, acc.buckets, sizeof acc.buckets);
	h->snap.commit_seconds = acc.commit_seconds;
	h->snap.txn_committed = acc.txn_committed;
	h->snap.txn_aborted = acc.txn_aborted;
	h->snap.txn_fatal = acc.txn_fatal;
	h->snap.stages = sl_arena_alloc(a, (e->stage_count + 1) * sizeof *h->snap.stages);
	if (h->snap.stages == NULL)
		goto fail;
	memset(h->snap.stages, 0, (e->stage_count + 1) * sizeof *h->snap.stages);
	for (i = 0; i < e->stage_count; i++)
		if (copy_stage(a, &e->stages[i], &h->snap.stages[i]) != 0)
			goto fail;
	h->snap.stage_count = e->stage_count;
	h->current = 1;
	pthread_mutex_lock(&lock);
	old = current;
	current = h;
	live.running = !finished;
	live.finished = finished;
	live.heartbeat_mono_ms = h->snap.published_mono_ms;
	if (live.started_wall_ms == 0)
		live.started_wall_ms = h->snap.published_wall_ms;
	if (old != NULL) {
		old->current = 0;
		unref(old);
	}
	pthread_mutex_unlock(&lock);
	return;
fail:
	/* out of memory: keep the last snapshot; the heartbeat goes stale */
	sl_arena_free(a);
	free(h);
}

/* ---- gauges ------------------------------------------------------------- */

static int same_series(const struct sl_gauge *g, const char *topic,
		       int32_t partition)
{
	if (g->topic == NULL || topic == NULL)
		return g->topic == topic;
	return g->partition == partition && strcmp(g->topic, topic) == 0;
}

void sl_engine_gauge_set(sl_stage *s, const char *name, const char *topic,
			 int32_t partition, int64_t value)
{
	struct sl_gauge *g;
	size_t i;

	for (i = 0; i < s->gauge_count; i++) {
		g = &s->gauges[i];
		if (same_series(g, topic, partition) && strcmp(g->name, name) == 0) {
			g->value = value;
			return;
		}
	}
	g = realloc(s->gauges, (s->gauge_count + 1) * sizeof *g);
	if (g == NULL)
		return; /* a gauge is not worth stopping the job for */
	s->gauges = g;
	g = &s->gauges[s->gauge_count];
	g->name = strdup(name);
	g->topic = topic ? strdup(topic) : NULL;
	if (g->name == NULL || (topic != NULL && g->topic == NULL)) {
		free(g->name);
		free(g->topic);
		return;
	}
	g->partition = topic ? partition : -1;
	g->value = value;
	s->gauge_count++;
}

void sl_engine_gauge_drop(sl_stage *s, const char *topic, int32_t partition)
{
	size_t i, kept = 0;

	for (i = 0; i < s->gauge_count; i++) {
		struct sl_gauge *g = &s->gauges[i];

		if (same_series(g, topic, partition)) {
			free(g->name);
			free(g->topic);
			continue;
		}
		s->gauges[kept++] = *g;
	}
	s->gauge_count = kept;
}

void sl_telemetry_stage_free(sl_stage *s)
{
	size_t i;

	for (i = 0; i < s->gauge_count; i++) {
		free(s->gauges[i].name);
		free(s->gauges[i].topic);
	}
	free(s->gauges);
	s->gauges = NULL;
	s->gauge_count = 0;
}

/* ---- the reader side ---------------------------------------------------- */

const sl_snapshot *sl_telemetry_acquire(void)
{
	held *h;

	pthread_mutex_lock(&lock);
	h = current;
	if (h != NULL)
		h->refs++;
	pthread_mutex_unlock(&lock);
	return h ? &h->snap : NULL;
}

void sl_telemetry_release(const sl_snapshot *snap)
{
	held *h = (held *)snap; /* snap is the first member */

	if (h == NULL)
		return;
	pthread_mutex_lock(&lock);
	h->refs--;
	unref(h);
	pthread_mutex_unlock(&lock);
}

void sl_telemetry_live_get(sl_telemetry_live *out)
{
	pthread_mutex_lock(&lock);
	*out = live;
	pthread_mutex_unlock(&lock);
}

void sl_telemetry_reset(void)
{
	pthread_mutex_lock(&lock);
	if (current != NULL) {
		current->current = 0;
		unref(current);
		current = NULL;
	}
	pthread_mutex_unlock(&lock);
}
