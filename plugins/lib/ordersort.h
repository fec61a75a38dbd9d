/*
 * ordersort.h - sort (key, index) pairs by key, for operators that emit
 * many results in a fixed order (the window: its due windows in turn, a
 * window's keys in the order they came).
 */
#ifndef SLOP_ORDERSORT_H
#define SLOP_ORDERSORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct slop_order {
	uint64_t key;
	uint32_t index;
} slop_order;

/*
 * Sort @p n pairs of @p a by key, ties in their order in @p a, with @p tmp
 * (room for @p n pairs) as scratch.  The result is in @p a.  A radix sort
 * over the key bits that differ between the pairs, 8 at a time: keys that
 * are close together (sequence numbers) take two or three passes.
 */
void slop_order_sort(slop_order *a, slop_order *tmp, size_t n);

#endif
