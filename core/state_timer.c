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

#include "state_internal.h"

static int before(const sl_state *st, uint32_t a, uint32_t b)
{
	const sl_entry *x = &st->entries[a], *y = &st->entries[b];

	return x->when < y->when || (x->when == y->when && x->seq < y->seq);
}

static void place(sl_state *st, uint32_t pos, uint32_t i)
{
	st->heap[pos] = i;
	st->entries[i].link = pos;
}

static void sift_up(sl_state *st, uint32_t pos)
{
	uint32_t i = st->heap[pos];

	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;

		if (!before(st, i, st->heap[parent]))
			break;
		place(st, pos, st->heap[parent]);
		pos = parent;
	}
	place(st, pos, i);
}

static void sift_down(sl_state *st, uint32_t pos)
{
	uint32_t i = st->heap[pos];

	for (;;) {
		uint32_t c = 2 * pos + 1;

		if (c >= st->heap_len)
			break;
		if (c + 1 < st->heap_len && before(st, st->heap[c + 1], st->heap[c]))
			c++;
		if (!before(st, st->heap[c], i))
			break;
		place(st, pos, st->heap[c]);
		pos = c;
	}
	place(st, pos, i);
}

int sl_timer_heap_push(sl_state *st, uint32_t i)
{
	if (st->heap_len == st->heap_cap) {
		uint32_t cap = st->heap_cap ? st->heap_cap * 2 : 64;
		uint32_t *h = realloc(st->heap, cap * sizeof *h);

		if (h == NULL)
			return -1;
		st->heap = h;
		st->heap_cap = cap;
	}
	st->entries[i].seq = st->seq++;
	st->heap[st->heap_len] = i;
	sift_up(st, st->heap_len++);
	return 0;
}

void sl_timer_heap_remove(sl_state *st, uint32_t i)
{
	uint32_t pos = st->entries[i].link;

	if (pos >= st->heap_len || st->heap[pos] != i)
		return; /* not in the heap (a tombstone) */
	st->entries[i].link = NO_INDEX;
	if (pos == --st->heap_len)
		return;
	i = st->heap[st->heap_len];
	place(st, pos, i);
	if (pos > 0 && before(st, i, st->heap[(pos - 1) / 2]))
		sift_up(st, pos);
	else
		sift_down(st, pos);
}

int sl_store_timer_set(sl_state *st, int64_t when, const void *key,
		       size_t klen)
{
	int added;
	uint32_t i = sl_store_upsert(st, NS_TIMER, when, key, klen, 0, &added);

	if (i == NO_INDEX)
		return SL_ERR;
	if (!added)
		return SL_OK;
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
	if (st->heap_len == 0)
		return 0;
	*when = st->entries[st->heap[0]].when;
	return 1;
}

int sl_store_timers_fire(sl_state *st, int64_t upto,
			 int (*fn)(void *ctx, int64_t when, const void *key,
				   size_t klen),
			 void *ctx)
{
	while (st->heap_len > 0 && st->entries[st->heap[0]].when <= upto) {
		uint32_t i = st->heap[0];
		int64_t when = st->entries[i].when;
		size_t klen = st->entries[i].klen;
		uint8_t *key = sl_store_scratch(st, klen + 1);
		int rc;

		if (key == NULL)
			return -1;
		/* copy first: fn may change the store, even reuse this entry */
		if (klen)
			memcpy(key, st->entries[i].block, klen);
		sl_store_kill(st, i);
		rc = fn(ctx, when, key, klen);
		if (rc != 0)
			return rc;
	}
	return 0;
}
