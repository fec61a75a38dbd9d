/*
 * positions.h - lists of partition positions (sl_tracked): what a source
 * has delivered, what a transaction committed, what a pending commit
 * cycle will commit.
 */
#ifndef SL_POSITIONS_H
#define SL_POSITIONS_H

#include "runtime/stage.h"

/* Set @p topic / @p partition to @p next (@p only_forward: never back),
 * adding it when new.  0, or -1 out of memory. */
int sl_positions_set(sl_tracked **list, size_t *count, const char *topic,
		     int32_t partition, int64_t next, int only_forward);

/*
 * Move positions forward past @p origins, in order, stopping before
 * @p stop (NULL: none).  Records of one partition come in runs, so the
 * partition of the record before is tried first.  0, or -1.
 */
int sl_positions_advance(sl_tracked **list, size_t *count,
			 const sl_origin *origins, uint32_t n,
			 const sl_origin *stop);

/* The position of a partition, or -1. */
int64_t sl_positions_of(const sl_tracked *list, size_t count,
			const char *topic, int32_t partition);

void sl_positions_forget(sl_tracked *list, size_t *count, const char *topic,
			 int32_t partition);

/* A copy of @p list in *@p out; 0, or -1. */
int sl_positions_copy(const sl_tracked *list, size_t count, sl_tracked **out);

void sl_positions_clear(sl_tracked **list, size_t *count);

#endif
