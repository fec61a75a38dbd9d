/*
 * timer_heap.c - the timers of a state store ordered for firing: one
 * binary heap per partition, by (time, order set).  An entry knows its
 * place in its heap (link), so removing it is O(log n).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "state/timer_heap.h"

int sl_timer_before(const sl_timer_node *a, const sl_timer_node *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
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

int32_t sl_timer_heap_partition(const sl_state *st, const sl_timer_heap *h)
{
	return (int32_t)(h - st->heaps) - 1;
}

static void place(sl_state *st, sl_timer_heap *h, uint32_t pos,
		  sl_timer_node n)
{
	h->nodes[pos] = n;
	st->entries[n.idx].link = pos;
}

static void sift_up(sl_state *st, sl_timer_heap *h, uint32_t pos)
{
	sl_timer_node n = h->nodes[pos];

	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;

		if (!sl_timer_before(&n, &h->nodes[parent]))
			break;
		place(st, h, pos, h->nodes[parent]);
		pos = parent;
	}
	place(st, h, pos, n);
}

static void sift_down(sl_state *st, sl_timer_heap *h, uint32_t pos)
{
	sl_timer_node n = h->nodes[pos];

	for (;;) {
		uint32_t c = 2 * pos + 1;

		if (c >= h->len)
			break;
		if (c + 1 < h->len && sl_timer_before(&h->nodes[c + 1], &h->nodes[c]))
			c++;
		if (!sl_timer_before(&h->nodes[c], &n))
			break;
		place(st, h, pos, h->nodes[c]);
		pos = c;
	}
	place(st, h, pos, n);
}

int sl_timer_heap_push(sl_state *st, uint32_t i)
{
	sl_timer_heap *h = heap_of(st, st->entries[i].partition, 1);

	if (h == NULL)
		return -1;
	if (h->len == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 64;
		sl_timer_node *grown = realloc(h->nodes, cap * sizeof *grown);

		if (grown == NULL)
			return -1;
		h->nodes = grown;
		h->cap = cap;
	}
	h->nodes[h->len].when = sl_entry_when(&st->entries[i]);
	h->nodes[h->len].seq = st->seq++;
	h->nodes[h->len].idx = i;
	sift_up(st, h, h->len++);
	return 0;
}

void sl_timer_heap_remove(sl_state *st, uint32_t i)
{
	sl_timer_heap *h = heap_of(st, st->entries[i].partition, 0);
	uint32_t pos = st->entries[i].link;
	sl_timer_node last;

	if (h == NULL || pos >= h->len || h->nodes[pos].idx != i)
		return; /* not in the heap (a tombstone) */
	st->entries[i].link = NO_INDEX;
	if (pos == --h->len)
		return;
	last = h->nodes[h->len];
	place(st, h, pos, last);
	if (pos > 0 && sl_timer_before(&last, &h->nodes[(pos - 1) / 2]))
		sift_up(st, h, pos);
	else
		sift_down(st, h, pos);
}

void sl_timer_heaps_free(sl_state *st)
{
	uint32_t k;

	for (k = 0; k < st->heap_count; k++)
		free(st->heaps[k].nodes);
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
