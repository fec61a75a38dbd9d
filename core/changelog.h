/*
 * changelog.h - keyed state backed by Kafka changelog topics (see
 * changelog.c).
 */
#ifndef SL_CHANGELOG_H
#define SL_CHANGELOG_H

#include "engine.h"

/* After every stage is open: find the sink that writes changelogs, create
 * or check each stateful stage's topic, turn change tracking on. */
int sl_changelog_open(sl_engine *e, sl_error *err);
/* The state partition of stage @p s for input partition @p partition. */
int32_t sl_changelog_partition(const sl_stage *s, int32_t partition);
/* Commit cycle: write what changed; after the commit, forget it. */
int sl_changelog_write(sl_engine *e, sl_error *err);
void sl_changelog_committed(sl_engine *e);
/* After an aborted transaction: state as the changelogs have it. */
int sl_changelog_reset(sl_engine *e, sl_error *err);

/* The host's partitions_assigned / partitions_revoked. */
int sl_engine_partitions_assigned(sl_stage *source, const int32_t *partitions,
				  size_t count, sl_error *err);
void sl_engine_partitions_revoked(sl_stage *source, const int32_t *partitions,
				  size_t count);

#endif
