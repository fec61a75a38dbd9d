/*
 * telemetry.h - what the run loop publishes for observers (the HTTP
 * endpoint of [job] http.listen, core/ops/): a snapshot of the job's
 * counters, taken by the loop about every 100 ms and read by other
 * threads (telemetry.c).
 *
 * The loop is single-threaded and its counters are plain integers: no
 * other thread may read them.  So the loop copies them, once per tick,
 * into a fresh snapshot and swaps it in under a mutex; a reader takes a
 * reference to the current snapshot and renders it at leisure.  Nothing
 * here runs per record, and nothing runs at all unless a job enabled it.
 */
#ifndef SL_TELEMETRY_H
#define SL_TELEMETRY_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/stage.h"

/* A labelled value a plugin set or added to (topic NULL: no labels). */
typedef struct sl_snap_value {
	const char *name;
	const char *topic;
	int32_t partition;
	int64_t value;
} sl_snap_value;

typedef struct sl_snap_stage {
	const char *name, *plugin;
	unsigned kind;           /* enum sl_kind */
	uint64_t records_in, records_out, skipped;
	uint64_t records_written;  /* sinks: taken by write(), delivered or not */
	uint64_t bytes_in, bytes_out;
	int stateful;              /* keeps keyed state */
	uint64_t state_keys, state_bytes, changelog_written;
	uint64_t restores;
	double restore_seconds;
	sl_snap_value *counters; /* sl_metric_add */
	size_t counter_count;
	sl_snap_value *gauges;   /* the host's gauge_set */
	size_t gauge_count;
} sl_snap_stage;

/* Upper bounds of the commit cycle's duration histogram, in seconds. */
#define SL_COMMIT_BUCKETS 14
extern const double sl_commit_bucket_bounds[SL_COMMIT_BUCKETS];

typedef struct sl_snapshot {
	const char *job;
	int delivery;            /* enum sl_delivery */
	int64_t published_mono_ms, published_wall_ms;
	uint64_t ticks;          /* loop ticks so far */
	int ready;               /* restored, assigned, records can flow */
	const char *not_ready;   /* why not, for /status and /ready */
	uint64_t commits, commit_failures;
	uint64_t commit_buckets[SL_COMMIT_BUCKETS]; /* cumulative */
	double commit_seconds;   /* their total */
	uint64_t txn_committed, txn_aborted, txn_fatal;
	sl_snap_stage *stages;
	size_t stage_count;
} sl_snapshot;

/* What the loop says between snapshots, read by the health checks. */
typedef struct sl_telemetry_live {
	int enabled, running, restoring, finished;
	int64_t heartbeat_mono_ms; /* the loop's last sign of life */
	int64_t started_wall_ms;   /* when the job started running */
	/* Exactly-once: since when every commit has aborted (0: the last
	 * commit went through).  Aborting in a loop is not progress. */
	int64_t aborting_since_mono_ms;
	unsigned restarts;         /* runs reopened in place (SL_ERR_RESTART) */
	char retrying[512];        /* what a sink retries now; "" none */
} sl_telemetry_live;

/* Turn publishing on for this process (before the job runs). */
void sl_telemetry_enable(void);
extern int sl_telemetry_on;

/*
 * The loop side, all on the loop's thread.  publish: a new snapshot
 * (at a tick); @p finished: the loop has ended.  restoring: state is
 * being read back (the loop is alive but busy).
 */
void sl_telemetry_publish(sl_engine *e, int finished);
void sl_telemetry_restoring(sl_engine *e, int on);
/* The job is reopened in place, for the @p count-th time: starting again,
 * alive but not ready. */
void sl_telemetry_restart(unsigned count);
/* A sink waits to retry a call (@p what says which and why; NULL: it
 * went through): alive, not ready. */
void sl_telemetry_retrying(const char *what);
/* A commit cycle took @p micros; @p txn_aborted: transactions aborted
 * so far in this run of the job (the commit path counts them); @p read:
 * records the sources have read in this run. */
void sl_telemetry_commit(int64_t micros, int ok, int txn_committed,
			 int txn_fatal, uint64_t txn_aborted, uint64_t read);
/* A transaction committed what the sources had read when it began:
 * @p read records in this run. */
void sl_telemetry_txn_done(uint64_t read);

/* Raw bytes of a batch, counted when publishing is on (per batch). */
static inline void sl_telemetry_count_bytes(uint64_t *into, const sl_batch *b)
{
	uint32_t i;

	if (!sl_telemetry_on)
		return;
	for (i = 0; i < b->count; i++)
		*into += b->records[i].key_raw.len + b->records[i].value_raw.len;
}

/* The host's gauge_set and gauge_drop (sluice/stage.h). */
void sl_engine_gauge_set(sl_stage *s, const char *name, const char *topic,
			 int32_t partition, int64_t value);
void sl_engine_gauge_drop(sl_stage *s, const char *topic, int32_t partition);
/* Free a stage's gauges (when it closes). */
void sl_telemetry_stage_free(sl_stage *s);

/*
 * The reader side, from any thread: the current snapshot (NULL before
 * the first), to hand back with release; and the live facts.
 */
const sl_snapshot *sl_telemetry_acquire(void);
void sl_telemetry_release(const sl_snapshot *snap);
void sl_telemetry_live_get(sl_telemetry_live *out);
/* Drop the last snapshot (the job is over; tests). */
void sl_telemetry_reset(void);

#endif
