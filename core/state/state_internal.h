/*
 * state_internal.h - the store functions (state.c) its other files use.
 */
#ifndef SL_STATE_INTERNAL_H
#define SL_STATE_INTERNAL_H

#include "state/state_layout.h"
#include "state/timer_heap.h"

/* Index of the entry (ns, when, key), or NO_INDEX. */
uint32_t sl_store_find(const sl_state *st, int ns, int64_t when,
		       const void *key, size_t klen);
/* Find or add the entry; *added set to 1 for a new (live) one.  NO_INDEX
 * when out of memory. */
uint32_t sl_store_upsert(sl_state *st, int ns, int64_t when, const void *key,
			 size_t klen, size_t vlen, int *added);
/* Delete entry @p i: a tombstone when tracking, else gone. */
void sl_store_kill(sl_state *st, uint32_t i);
void sl_store_mark(sl_state *st, uint32_t i);
/* @p size bytes of scratch, or NULL. */
uint8_t *sl_store_scratch(sl_state *st, size_t size);

#endif
