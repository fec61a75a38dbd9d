/*
 * changelog.h - keyed state kept durable in the job's store plugin (see
 * changelog.c).
 */
#ifndef SL_CHANGELOG_H
#define SL_CHANGELOG_H

#include "runtime/stage.h"

typedef struct sl_changelog sl_changelog;

/* After every stage is open: size each stateful stage's state, and with
 * the job's store (a [store] stage) prepare its table and turn change
 * tracking on. */
int sl_changelog_open(sl_engine *e, const sl_stage *txn_owner, sl_error *err);
void sl_changelog_close(sl_engine *e);
/* The state partition of stage @p s for input partition @p partition. */
int32_t sl_changelog_partition(const sl_stage *s, int32_t partition);
/* Commit cycle: write what changed, make it durable (at-least-once);
 * after the commit, forget it. */
int sl_changelog_write(sl_engine *e, sl_error *err);
int sl_changelog_flush(sl_engine *e, int timeout_ms, sl_error *err);
void sl_changelog_committed(sl_engine *e);
/* After an aborted transaction: state as the changelogs have it. */
int sl_changelog_reset(sl_engine *e, sl_error *err);

/* The host's partitions_assigned / partitions_revoked. */
int sl_engine_partitions_assigned(sl_stage *source, const int32_t *partitions,
				  size_t count, sl_error *err);
void sl_engine_partitions_revoked(sl_stage *source, const int32_t *partitions,
				  size_t count);

#endif
