/*
 * commit_pending.h - at-least-once without stopping to flush: commit
 * cycles waiting for their sinks' writes to become durable.
 *
 * A cycle takes a mark of every sink and of the store (their mark hook)
 * and a copy of every source's positions; once every mark is durable
 * (their durable hook), those positions may be committed.  Records flow
 * on meanwhile, as in Kafka Connect, whose offsets are committed for
 * what the producer has acknowledged.
 */
#ifndef SL_COMMIT_PENDING_H
#define SL_COMMIT_PENDING_H

#include "runtime/stage.h"

/* One cycle: per stage of the job (indexed as e->stages). */
typedef struct sl_pending_cycle {
	uint64_t number;        /* the commit cycle's (commit.h) */
	uint64_t *marks;        /* sinks and the store */
	uint64_t *written;      /* sinks: their records_written */
	sl_tracked **positions; /* sources */
	size_t *position_counts;
	uint64_t read;          /* records the sources had read (telemetry.h) */
} sl_pending_cycle;

/* Records the sources have read so far in this run, read again after an
 * abort included. */
uint64_t sl_pending_records_read(const sl_engine *e);

typedef struct sl_commit_queue sl_commit_queue;

/* Whether sink stage @p s can say when its writes are durable without a
 * flush (its mark and durable hooks). */
#define SL_SINK_MARKS(s) \
	(SL_STRUCT_HAS((s)->plugin->sink, sl_sink_class, mark) && \
	 SL_STRUCT_HAS((s)->plugin->sink, sl_sink_class, durable))

/* Whether every sink and the store (if any) can be marked. */
int sl_pending_possible(const sl_engine *e);

/* Whether the queue holds as many cycles as it may (flush instead). */
int sl_pending_full(const sl_commit_queue *q);

/* Queue cycle @p number for the job as it is now.  SL_OK, or SL_ERR when
 * out of memory or when the queue is full. */
int sl_pending_add(sl_commit_queue **q, sl_engine *e, uint64_t number,
		   sl_error *err);

/*
 * The newest queued cycle whose marks are all durable, taken out of the
 * queue with every older one (freed): *@p out, or NULL when none is.
 * SL_ERR when a sink or the store reports writes that cannot be
 * delivered.
 */
int sl_pending_take(sl_commit_queue *q, sl_engine *e, sl_pending_cycle **out,
		    sl_error *err);

/* The job as it is now: sources' positions, sinks' records_written and,
 * with @p marks, a mark of every sink and of the store.  NULL when out of
 * memory. */
sl_pending_cycle *sl_pending_snapshot(sl_engine *e, int marks);
void sl_pending_cycle_free(const sl_engine *e, sl_pending_cycle *c);
/* A partition of source e->stages[@p stage] is no longer read here: no
 * queued cycle may commit it. */
void sl_pending_forget(sl_commit_queue *q, size_t stage, const char *topic,
		       int32_t partition);
/* Drop every queued cycle (a flush made them all durable). */
void sl_pending_clear(sl_commit_queue *q, const sl_engine *e);
void sl_pending_free(sl_commit_queue *q, const sl_engine *e);

#endif
