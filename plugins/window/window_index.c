/*
 * window_index.c - see window_index.h.  A chained hash table of
 * (partition, pane) lists; each list keeps its keys back to back, each
 * after its length, in one growing buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "window_index.h"

typedef struct pane_list {
	struct pane_list *next;
	int32_t partition;
	int64_t pane;
	uint8_t *bytes;         /* [uint32 length][key] ... */
	size_t len, cap;
	size_t keys;
} pane_list;

struct window_index {
	pane_list **table;
	size_t mask;            /* table size - 1 */
	size_t lists, keys;
	pane_list *last;        /* records come in runs of one pane */
};

static size_t slot_in(size_t mask, int32_t partition, int64_t pane)
{
	uint64_t h = (uint64_t)pane * 0x9e3779b97f4a7c15ull ^
		     (uint64_t)(uint32_t)partition * 0xc2b2ae3d27d4eb4full;

	return (size_t)(h ^ h >> 29) & mask;
}

static size_t slot_of(const window_index *ix, int32_t partition, int64_t pane)
{
	return slot_in(ix->mask, partition, pane);
}

window_index *window_index_new(void)
{
	window_index *ix = calloc(1, sizeof *ix);

	if (ix == NULL)
		return NULL;
	ix->mask = 63;
	if ((ix->table = calloc(ix->mask + 1, sizeof *ix->table)) == NULL) {
		free(ix);
		return NULL;
	}
	return ix;
}

static void free_list(pane_list *l)
{
	free(l->bytes);
	free(l);
}

void window_index_clear(window_index *ix)
{
	size_t i;

	for (i = 0; i <= ix->mask; i++)
		while (ix->table[i] != NULL) {
			pane_list *l = ix->table[i];

			ix->table[i] = l->next;
			free_list(l);
		}
	ix->lists = ix->keys = 0;
	ix->last = NULL;
}

void window_index_free(window_index *ix)
{
	if (ix == NULL)
		return;
	window_index_clear(ix);
	free(ix->table);
	free(ix);
}

static pane_list *find(const window_index *ix, int32_t partition, int64_t pane)
{
	pane_list *l;

	if (ix->last != NULL && ix->last->pane == pane &&
	    ix->last->partition == partition)
		return ix->last;
	for (l = ix->table[slot_of(ix, partition, pane)]; l != NULL; l = l->next)
		if (l->pane == pane && l->partition == partition)
			return l;
	return NULL;
}

/* Twice the slots once there are more lists than slots. */
static void grow(window_index *ix)
{
	size_t cap = (ix->mask + 1) * 2, i;
	pane_list **table = calloc(cap, sizeof *table), *l;

	if (table == NULL)
		return; /* longer chains, nothing lost */
	for (i = 0; i <= ix->mask; i++)
		while ((l = ix->table[i]) != NULL) {
			size_t s = slot_in(cap - 1, l->partition, l->pane);

			ix->table[i] = l->next;
			l->next = table[s];
			table[s] = l;
		}
	free(ix->table);
	ix->table = table;
	ix->mask = cap - 1;
}

int window_index_add(window_index *ix, int32_t partition, int64_t pane,
		     const uint8_t *key, size_t klen)
{
	pane_list *l = find(ix, partition, pane);
	uint32_t n = (uint32_t)klen;

	if (l == NULL) {
		size_t s;

		if (ix->lists > ix->mask)
			grow(ix);
		if ((l = calloc(1, sizeof *l)) == NULL)
			return -1;
		l->partition = partition;
		l->pane = pane;
		s = slot_of(ix, partition, pane);
		l->next = ix->table[s];
		ix->table[s] = l;
		ix->lists++;
	}
	ix->last = l;
	if (l->len + sizeof n + klen > l->cap) {
		size_t cap = l->cap ? l->cap : 256;
		uint8_t *b;

		while (cap < l->len + sizeof n + klen)
			cap *= 2;
		if ((b = realloc(l->bytes, cap)) == NULL)
			return -1;
		l->bytes = b;
		l->cap = cap;
	}
	memcpy(l->bytes + l->len, &n, sizeof n);
	memcpy(l->bytes + l->len + sizeof n, key, klen);
	l->len += sizeof n + klen;
	l->keys++;
	ix->keys++;
	return 0;
}

int window_index_each(const window_index *ix, int32_t partition, int64_t pane,
		      int (*fn)(void *ctx, const uint8_t *key, size_t klen),
		      void *ctx)
{
	const pane_list *l = find(ix, partition, pane);
	size_t at = 0;
	int rc = 0;

	while (l != NULL && at < l->len && rc == 0) {
		uint32_t n;

		memcpy(&n, l->bytes + at, sizeof n);
		rc = fn(ctx, l->bytes + at + sizeof n, n);
		at += sizeof n + n;
	}
	return rc;
}

void window_index_drop(window_index *ix, int32_t partition, int64_t pane)
{
	pane_list **at = &ix->table[slot_of(ix, partition, pane)];

	for (; *at != NULL; at = &(*at)->next) {
		pane_list *l = *at;

		if (l->pane != pane || l->partition != partition)
			continue;
		*at = l->next;
		if (ix->last == l)
			ix->last = NULL;
		ix->keys -= l->keys;
		ix->lists--;
		free_list(l);
		return;
	}
}

size_t window_index_keys(const window_index *ix)
{
	return ix->keys;
}
