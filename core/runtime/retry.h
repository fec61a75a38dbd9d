/*
 * retry.h - a sink's write or flush that failed for a passing reason
 * (SL_ERR_RETRIABLE: a database restarting, a connection lost) is made
 * again, after a wait that doubles from the stage's retry.backoff to its
 * retry.max.backoff, for as long as it takes (retry.c).  Nothing is
 * committed meanwhile: the positions wait with the records.
 */
#ifndef SL_RETRY_H
#define SL_RETRY_H

#include "runtime/stage.h"

/*
 * A call of sink @p s failed with @p err (kind SL_ERR_RETRIABLE) while
 * @p doing ("writing"): log it (the first failure, then now and then),
 * count it, tell observers, and wait.  SL_OK to call again; SL_ERR with
 * @p err saying so when the job is asked to stop meanwhile.
 */
int sl_retry_wait(sl_stage *s, const char *doing, sl_error *err);

/* The call went through: the next failure waits retry.backoff again,
 * and a stage that was retrying says it recovered. */
void sl_retry_done(sl_stage *s);

/* Call write (or flush, @p b NULL) of sink @p s until it succeeds or
 * fails for good. */
int sl_retry_write(sl_stage *s, const sl_batch *b, sl_error *err);
int sl_retry_flush(sl_stage *s, int timeout_ms, sl_error *err);

#endif
