/*
 * state_timer.c - timers of the state store: entries of the timer
 * namespace, kept in order by their partition's heap (timer_heap.c).
 *
 * A timer is a table entry too, so setting it twice is idempotent, it can
 * be cancelled by (time, key), and it is persisted and restored exactly
 * like a value.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

int sl_store_timer_set(sl_state *st, int64_t when, const void *key,
		       size_t klen)
{
	uint32_t i = sl_store_find(st, NS_TIMER, when, key, klen);
	int added;

	/* a timer set again from another partition moves to its heap */
	if (i != NO_INDEX && st->entries[i].live &&
	    st->entries[i].partition != st->partition)
		sl_timer_heap_remove(st, i);
	else if (i != NO_INDEX && st->entries[i].live)
		return SL_OK;
	i = sl_store_upsert(st, NS_TIMER, when, key, klen, 0, &added);
	if (i == NO_INDEX)
		return SL_ERR;
	if (sl_timer_heap_push(st, i) != 0) {
		/* undo, so the store never holds a timer that cannot fire */
		st->entries[i].link = NO_INDEX;
		sl_store_kill(st, i);
		return SL_ERR;
	}
	sl_store_mark(st, i);
	return SL_OK;
}

int sl_store_timer_set_in(sl_state *st, int32_t partition, int64_t when,
			  const void *key, size_t klen)
{
	int32_t current = st->partition;
	int rc;

	st->partition = partition;
	rc = sl_store_timer_set(st, when, key, klen);
	st->partition = current;
	return rc;
}

int sl_store_timer_delete(sl_state *st, int64_t when, const void *key,
			  size_t klen)
{
	uint32_t i = sl_store_find(st, NS_TIMER, when, key, klen);

	if (i == NO_INDEX || !st->entries[i].live)
		return 0;
	sl_store_kill(st, i);
	return 1;
}

int sl_store_timer_next(const sl_state *st, int64_t *when)
{
	uint32_t k;
	int found = 0;

	for (k = 0; k < st->heap_count; k++) {
		const sl_timer_heap *h = &st->heaps[k];

		if (h->len > 0 && (!found || h->nodes[0].when < *when)) {
			*when = h->nodes[0].when;
			found = 1;
		}
	}
	return found;
}

/* Fire the first timer of @p h: it is deleted, then @p fn runs. */
static int fire_top(sl_state *st, sl_timer_heap *h,
		    int (*fn)(void *ctx, int64_t when, const void *key, size_t klen),
		    void *ctx)
{
	uint32_t i = h->nodes[0].idx;
	int64_t when = h->nodes[0].when;
	size_t klen = st->entries[i].klen;
	uint8_t *key = sl_store_scratch(st, klen + 1);

	if (key == NULL)
		return -1;
	/* copy first: fn may change the store, even reuse this entry */
	if (klen)
		memcpy(key, st->entries[i].block, klen);
	sl_store_kill(st, i);
	return fn(ctx, when, key, klen);
}

int sl_store_timers_fire(sl_state *st, int64_t upto,
			 int (*fn)(void *ctx, int64_t when, const void *key,
				   size_t klen),
			 void *ctx)
{
	for (;;) {
		sl_timer_heap *first = NULL;
		uint32_t k;
		int rc;

		/* in time order across the partitions */
		for (k = 0; k < st->heap_count; k++) {
			sl_timer_heap *h = &st->heaps[k];

			if (h->len > 0 && h->nodes[0].when <= upto &&
			    (first == NULL ||
			     sl_timer_before(&h->nodes[0], &first->nodes[0])))
				first = h;
		}
		if (first == NULL)
			return 0;
		if ((rc = fire_top(st, first, fn, ctx)) != 0)
			return rc;
	}
}

int sl_store_timers_fire_by(sl_state *st,
			    int64_t (*upto)(void *ctx, int32_t partition),
			    int (*fn)(void *ctx, int64_t when, const void *key,
				      size_t klen),
			    void *ctx)
{
	int32_t current = st->partition;
	uint32_t k;
	int rc = 0;

	for (k = 0; rc == 0 && k < st->heap_count; k++) {
		sl_timer_heap *h = &st->heaps[k];
		int64_t bound;

		if (h->len == 0)
			continue;
		bound = upto(ctx, sl_timer_heap_partition(st, h));
		/* what fn writes belongs to the partition whose timer fired
		 * (a value it rewrites stays in its changelog partition),
		 * not to the last record's */
		st->partition = sl_timer_heap_partition(st, h);
		/* fn may add timers, and the heaps may move */
		while (rc == 0 && (h = &st->heaps[k])->len > 0 &&
		       h->nodes[0].when <= bound)
			rc = fire_top(st, h, fn, ctx);
	}
	st->partition = current;
	return rc;
}
