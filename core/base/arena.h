/*
 * arena.h - the batch arena behind sl_arena (see sluice/batch.h).
 *
 * Chunks are kept across resets, so a steady stream of batches reuses the
 * same memory and peak RSS depends on the batch size, not on the number of
 * records.
 */
#ifndef SL_ARENA_H
#define SL_ARENA_H

#include <sluice/batch.h>

sl_arena *sl_arena_new(void);
/* Forget every allocation; keep the memory for the next batch. */
void sl_arena_reset(sl_arena *arena);
void sl_arena_free(sl_arena *arena);
/*
 * A batch's grow callback: a twice larger record array from the batch's
 * arena (the old one is reclaimed with the arena), then the pushed record.
 */
sl_record *sl_arena_batch_grow(sl_batch *batch);
/* Bytes held, for tests and benchmarks. */
size_t sl_arena_footprint(const sl_arena *arena);

#endif
