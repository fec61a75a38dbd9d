/*
 * commit.h - source positions and the commit cycle (at-least-once, and
 * exactly-once through a transactional sink).
 */
#ifndef SL_COMMIT_H
#define SL_COMMIT_H

#include "runtime/engine.h"

#define SL_FLUSH_TIMEOUT_MS 60000

/* Under exactly-once: pick the transaction owner, check every sink can
 * take part, open the first transaction. */
int sl_commit_open(sl_engine *e, sl_error *err);

/* A batch from @p s reached every sink: advance its positions over the
 * polled origins, stopping at a record that failed under errors = fail. */
int sl_commit_advance(sl_engine *e, sl_stage *s, const sl_origin *polled,
		      uint32_t count);

/* Move @p s's position in a partition forward to @p next_offset (a
 * partition's end, past records that are not handed out); 0 or -1. */
int sl_commit_position(sl_engine *e, sl_stage *s, const char *topic,
		       int32_t partition, int64_t next_offset);

/* Flush sinks, commit positions (or the transaction).  An abortable
 * transaction failure is handled here (abort, rewind) and is not an
 * error. */
int sl_commit_cycle(sl_engine *e, sl_error *err);

/* The job stops on an error: abort the open transaction, if any. */
void sl_commit_abort(sl_engine *e);

void sl_commit_free(sl_stage *s);

#endif
