/*
 * state_timer.c - timers of the state store: entries of the timer
 * namespace, ordered in a binary heap by (time, order set).
 *
 * A timer is a table entry too, so setting it twice is idempotent, it can
 * be cancelled by (time, key), and it is persisted and restored exactly
 * like a value.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

static int before(const sl_state *st, uint32_t a, uint32_t b)
{
	const sl_entry *x = &st->entries[a], *y = &st->entries[b];

	return x->when < y->when || (x->when == y->when && x->seq < y->seq);
}

/* The heap of @p partition (grown when @p create), or NULL. */
static sl_timer_heap *heap_of(sl_state *st, int32_t partition, int create)
{
	uint32_t at = partition < 0 ? 0 : (uint32_t)partition + 1;
	sl_timer_heap *grown;

	if (at < st->heap_count)
		return &st->heaps[at];
	if (!create)
		return NULL;
	grown = realloc(st->heaps, (at + 1) * sizeof *grown);
	if (grown == NULL)
		return NULL;
	memset(grown + st->heap_count, 0, (at + 1 - st->heap_count) * sizeof *grown);
	st->heaps = grown;
	st->heap_count = at + 1;
	return &st->heaps[at];
}

static int32_t heap_partition(const sl_state *st, const sl_timer_heap *h)
{
	return (int32_t)(h - st->heaps) - 1;
}

static void place(sl_state *st, sl_timer_heap *h, uint32_t pos, uint32_t i)
{
	h->idx[pos] = i;
	st->entries[i].link = pos;
}

static void sift_up(sl_state *st, sl_timer_heap *h, uint32_t pos)
{
	uint32_t i = h->idx[pos];

	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;

		if (!before(st, i, h->idx[parent]))
			break;
		place(st, h, pos, h->idx[parent]);
		pos = parent;
	}
	place(st, h, pos, i);
}

static void sift_down(sl_state *st, sl_timer_heap *h, uint32_t pos)
{
	uint32_t i = h->idx[pos];

	for (;;) {
		uint32_t c = 2 * pos + 1;

		if (c >= h->len)
			break;
		if (c + 1 < h->len && before(st, h->idx[c + 1], h->idx[c]))
			c++;
		if (!before(st, h->idx[c], i))
			break;
		place(st, h, pos, h->idx[c]);
		pos = c;
	}
	place(st, h, pos, i);
}

int sl_timer_heap_push(sl_state *st, uint32_t i)
{
	sl_timer_heap *h = heap_of(st, st->entries[i].partition, 1);

	if (h == NULL)
		return -1;
	if (h->len == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 64;
		uint32_t *grown = realloc(h->idx, cap * sizeof *grown);

		if (grown == NULL)
			return -1;
		h->idx = grown;
		h->cap = cap;
	}
	st->entries[i].seq = st->seq++;
	h->idx[h->len] = i;
	sift_up(st, h, h->len++);
	return 0;
}

void sl_timer_heap_remove(sl_state *st, uint32_t i)
{
	sl_timer_heap *h = heap_of(st, st->entries[i].partition, 0);
	uint32_t pos = st->entries[i].link;

	if (h == NULL || pos >= h->len || h->idx[pos] != i)
		return; /* not in the heap (a tombstone) */
	st->entries[i].link = NO_INDEX;
	if (pos == --h->len)
		return;
	i = h->idx[h->len];
	place(st, h, pos, i);
	if (pos > 0 && before(st, i, h->idx[(pos - 1) / 2]))
		sift_up(st, h, pos);
	else
		sift_down(st, h, pos);
}

void sl_timer_heaps_free(sl_state *st)
{
	uint32_t k;

	for (k = 0; k < st->heap_count; k++)
		free(st->heaps[k].idx);
	free(st->heaps);
	st->heaps = NULL;
	st->heap_count = 0;
}

void sl_timer_heaps_clear(sl_state *st)
{
	uint32_t k;

	for (k = 0; k < st->heap_count; k++)
		st->heaps[k].len = 0;
}

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

		if (h->len > 0 && (!found || st->entries[h->idx[0]].when < *when)) {
			*when = st->entries[h->idx[0]].when;
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
	uint32_t i = h->idx[0];
	int64_t when = st->entries[i].when;
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

			if (h->len > 0 && st->entries[h->idx[0]].when <= upto &&
			    (first == NULL || before(st, h->idx[0], first->idx[0])))
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
	uint32_t k;
	int rc;

	for (k = 0; k < st->heap_count; k++) {
		sl_timer_heap *h = &st->heaps[k];
		int64_t bound;

		if (h->len == 0)
			continue;
		bound = upto(ctx, heap_partition(st, h));
		/* fn may add timers, and the heaps may move */
		while ((h = &st->heaps[k])->len > 0 &&
		       st->entries[h->idx[0]].when <= bound)
			if ((rc = fire_top(st, h, fn, ctx)) != 0)
				return rc;
	}
	return 0;
}
