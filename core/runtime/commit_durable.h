/*
 * commit_durable.h - which at-least-once commit cycle is durable, for
 * sources whose commit only sends the positions on their way (the Kafka
 * source's commit returns before the group coordinator answers).
 *
 * Records flow on without waiting for that answer.  What must not run
 * ahead of it is the progress a repartition topic's writer reports
 * (hop.c): a report that speaks for records whose positions a crash then
 * loses makes those records, read again, late for the stage behind the
 * topic.
 */
#ifndef SL_COMMIT_DURABLE_H
#define SL_COMMIT_DURABLE_H

#include "runtime/commit_pending.h"

typedef struct sl_durable_queue sl_durable_queue;

/*
 * Commit cycle @p number has handed the positions of @p c (NULL: each
 * source's own now) to the sources' commit.  Remembered for the sources
 * that say when a commit is durable (their `committed` hook); with none,
 * @p number is durable at once.  SL_OK, or SL_ERR when out of memory.
 */
int sl_durable_sent(sl_durable_queue **q, const sl_engine *e, uint64_t number,
		    const sl_pending_cycle *c, sl_error *err);

/* The newest cycle whose positions every source says are durable (0:
 * none yet); older ones are forgotten. */
uint64_t sl_durable_cycle(sl_durable_queue *q, const sl_engine *e);

void sl_durable_free(sl_durable_queue *q, const sl_engine *e);

#endif
