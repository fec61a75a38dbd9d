/*
 * timer_heap.h - the timers of the state store, one heap per partition,
 * ordered by (when, seq); an entry's heap is its partition's.
 */
#ifndef SL_TIMER_HEAP_H
#define SL_TIMER_HEAP_H

#include "state/state_layout.h"

int sl_timer_heap_push(sl_state *st, uint32_t i);
void sl_timer_heap_remove(sl_state *st, uint32_t i);
void sl_timer_heaps_free(sl_state *st);
void sl_timer_heaps_clear(sl_state *st);
/* Timer @p a fires before @p b. */
int sl_timer_before(const sl_timer_node *a, const sl_timer_node *b);
/* The partition whose timers @p h holds (-1: records without one). */
int32_t sl_timer_heap_partition(const sl_state *st, const sl_timer_heap *h);

#endif
