/*
 * commit.h - source positions and the commit cycle (at-least-once, and
 * exactly-once through a transactional sink).
 */
#ifndef SL_COMMIT_H
#define SL_COMMIT_H

#include "runtime/stage.h"

typedef struct sl_commit sl_commit;

/* Under exactly-once: pick the transaction owner, check every sink can
 * take part, open the first transaction. */
int sl_commit_open(sl_engine *e, sl_error *err);
void sl_commit_close(sl_engine *e);

/*
 * At-least-once cycles: the number of the cycle the next
 * sl_commit_cycle() begins (1, 2, ...), and the newest whose positions
 * are committed (0: none yet).
 */
uint64_t sl_commit_cycle_next(const sl_engine *e);
uint64_t sl_commit_cycle_committed(const sl_engine *e);

/* Transactions aborted and retried so far. */
uint64_t sl_commit_aborts(const sl_engine *e);
/* Under exactly-once, the sink whose transaction carries the job's. */
const sl_stage *sl_commit_txn_owner(const sl_engine *e);

/* The host's stored_position (sluice/stage.h): where the transaction
 * owner, when it keeps the positions, says @p source starts reading
 * @p topic / @p partition.  1 (in *@p next_offset), 0, or SL_ERR. */
int sl_commit_stored_position(const sl_engine *e, const sl_stage *source,
			      const char *topic, int32_t partition,
			      int64_t *next_offset, sl_error *err);

/* A batch from @p s reached every sink: advance its positions over the
 * polled origins, stopping at a record that failed under errors = fail. */
int sl_commit_advance(sl_engine *e, sl_stage *s, const sl_origin *polled,
		      uint32_t count);

/* Move @p s's position in a partition forward to @p next_offset (a
 * partition's end, past records that are not handed out); 0 or -1. */
int sl_commit_position(sl_engine *e, sl_stage *s, const char *topic,
		       int32_t partition, int64_t next_offset);

/*
 * A commit cycle: flush sinks and commit positions, or commit the
 * transaction; at-least-once with sinks that can be marked commits the
 * newest earlier cycle whose writes are durable instead of waiting,
 * unless @p sync (the end of a run, a rebalance).  Sinks' records_out
 * follows what was committed.  An abortable transaction failure is
 * handled here (abort, rewind) and is not an error.
 */
int sl_commit_cycle(sl_engine *e, int sync, sl_error *err);

/* The job stops on an error: abort the open transaction, if any. */
void sl_commit_abort(sl_engine *e);

/* A partition of source @p s is no longer read here: forget its
 * positions (lost with uncommitted reads: the open transaction must not
 * commit). */
void sl_commit_forget(sl_engine *e, sl_stage *s, const char *topic,
		      int32_t partition);

/* Free a stage's positions. */
void sl_commit_free(sl_stage *s);

#endif
