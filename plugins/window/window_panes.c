/*
 * window_panes.c - hopping: the panes found for the due windows merged
 * into one result per (window, key) (window_shared.h).
 *
 * A window of size / advance panes finds each key's panes apart, in the
 * store's order.  They are grouped with a hash table of (window, group
 * key), each pane merged into its group as it is met, so the cost is one
 * lookup per pane: sorting the panes by key to bring a group together
 * compared keys byte by byte some log2(panes) times each, and was most
 * of what a hopping window cost beyond a tumbling one.
 */
#include <stdlib.h>
#include <string.h>

#include "window_shared.h"

/* A slot of the table: a group's index plus one; 0 is empty. */
typedef uint32_t slot;

/* FNV-1a over the group key, seeded with the window. */
static uint64_t group_hash(size_t window, const uint8_t *gk, size_t len)
{
	uint64_t h = UINT64_C(14695981039346656037) ^
		     ((uint64_t)window * UINT64_C(0x9E3779B97F4A7C15));
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= gk[i];
		h *= UINT64_C(1099511628211);
	}
	return h ^ (h >> 29);
}

/* Room for @p n groups and a table of at least twice as many slots,
 * emptied: 0, or -1 (out of memory). */
static int groups_room(window *w, size_t n)
{
	size_t slots = 16;

	while (slots < 2 * n)
		slots *= 2;
	if (n > w->groups_cap) {
		struct found *g = realloc(w->groups, n * sizeof *g);

		if (g == NULL)
			return -1;
		w->groups = g;
		w->groups_cap = n;
	}
	if (slots > w->slots_cap) {
		slot *s = realloc(w->slots, slots * sizeof *s);

		if (s == NULL)
			return -1;
		w->slots = s;
		w->slots_cap = slots;
	}
	memset(w->slots, 0, slots * sizeof(slot));
	w->slots_used = slots;
	return 0;
}

/* Whether group @p g is (window, key) of found pane @p f. */
static int is_group_of(const struct found *g, const struct found *f)
{
	return g->window == f->window && g->klen == f->klen &&
	       memcmp(g->key + HOP_HEAD, f->key + HOP_HEAD,
		      f->klen - HOP_HEAD) == 0;
}

int window_group_panes(window *w, sl_arena *arena)
{
	size_t i, mask, size = slop_aggs_value_size(&w->agg);

	w->group_count = 0;
	if (groups_room(w, w->found_count) != 0)
		return -1;
	mask = w->slots_used - 1;
	for (i = 0; i < w->found_count; i++) {
		const struct found *f = &w->found[i];
		uint64_t seq = window_get_u64((const uint8_t *)f->acc +
					      SLOP_EXTRA_AT);
		size_t at = (size_t)group_hash(f->window, f->key + HOP_HEAD,
					       f->klen - HOP_HEAD) & mask;
		struct found *g;

		while (w->slots[at] != 0 &&
		       !is_group_of(&w->groups[w->slots[at] - 1], f))
			at = (at + 1) & mask;
		if (w->slots[at] == 0) {
			uint8_t *merged = sl_arena_alloc(arena, size);

			if (merged == NULL)
				return -1;
			/* zeros, then merged: a pane's -0.0 sum comes out
			 * 0.0 as record by record */
			memset(merged, 0, size);
			g = &w->groups[w->group_count];
			*g = *f;
			g->seq = seq;
			g->acc = merged;
			w->slots[at] = (slot)++w->group_count;
		} else {
			g = &w->groups[w->slots[at] - 1];
			if (seq < g->seq)
				g->seq = seq;
		}
		/* g->acc is the arena's: writable */
		slop_aggs_merge(&w->agg, (uint8_t *)(uintptr_t)g->acc, f->acc);
	}
	return 0;
}

void window_groups_free(window *w)
{
	free(w->groups);
	free(w->slots);
	w->groups = NULL;
	w->slots = NULL;
	w->groups_cap = w->slots_cap = w->group_count = 0;
}
