/*
 * join_table.c - a chained hash map from key bytes to value bytes.  Each
 * row is one allocation holding its key and value; the slot array doubles
 * when rows outnumber slots, so chains stay short.
 */
#include <stdlib.h>
#include <string.h>

#include "join_table.h"

uint64_t join_table_hash(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	/* the slot is the hash's low bits, and FNV-1a's low bits only see
	 * the bytes' low bits: keys of decimal digits crowded into few
	 * chains (measured: the chain walk took a quarter of a join's CPU).
	 * A final mix (MurmurHash3's fmix64 constants) spreads them. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static join_row **find(const join_table *t, uint64_t h, const void *key,
		       size_t klen)
{
	join_row **at = &t->slots[h & (t->nslots - 1)];

	for (; *at != NULL; at = &(*at)->next)
		if ((*at)->hash == h && (*at)->klen == klen &&
		    memcmp((*at)->data, key, klen) == 0)
			return at;
	return at;
}

static int grow(join_table *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 64, i;
	join_row **slots = calloc(n, sizeof *slots);

	if (slots == NULL)
		return -1;
	for (i = 0; i < t->nslots; i++) {
		join_row *r = t->slots[i], *next;

		for (; r != NULL; r = next) {
			next = r->next;
			r->next = slots[r->hash & (n - 1)];
			slots[r->hash & (n - 1)] = r;
		}
	}
	t->bytes += (n - t->nslots) * sizeof *slots;
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

int join_table_put(join_table *t, const void *key, size_t klen,
		   const void *value, size_t vlen)
{
	return join_table_put_in(t, 0, key, klen, value, vlen);
}

int join_table_put_in(join_table *t, int32_t partition, const void *key,
		      size_t klen, const void *value, size_t vlen)
{
	uint64_t h = join_table_hash(key, klen);
	join_row **at, *row;

	if (t->keys >= t->nslots && grow(t) != 0)
		return -1;
	row = malloc(sizeof *row + klen + vlen);
	if (row == NULL)
		return -1;
	row->hash = h;
	row->partition = partition;
	row->klen = klen;
	row->vlen = vlen;
	memcpy(row->data, key, klen);
	if (vlen)
		memcpy(row->data + klen, value, vlen);
	at = find(t, h, key, klen);
	if (*at != NULL) {
		join_row *old = *at;

		row->next = old->next;
		t->bytes -= sizeof *old + old->klen + old->vlen;
		free(old);
	} else {
		row->next = NULL;
		t->keys++;
	}
	*at = row;
	t->bytes += sizeof *row + klen + vlen;
	return 0;
}

void join_table_delete(join_table *t, const void *key, size_t klen)
{
	join_row **at, *old;

	if (t->nslots == 0)
		return;
	at = find(t, join_table_hash(key, klen), key, klen);
	if ((old = *at) == NULL)
		return;
	*at = old->next;
	t->keys--;
	t->bytes -= sizeof *old + old->klen + old->vlen;
	free(old);
}

void join_table_drop_partition(join_table *t, int32_t partition)
{
	size_t i;

	for (i = 0; i < t->nslots; i++) {
		join_row **at = &t->slots[i], *old;

		while ((old = *at) != NULL) {
			if (old->partition != partition) {
				at = &old->next;
				continue;
			}
			*at = old->next;
			t->keys--;
			t->bytes -= sizeof *old + old->klen + old->vlen;
			free(old);
		}
	}
}

const join_row *join_table_get(const join_table *t, const void *key,
			       size_t klen)
{
	if (t->nslots == 0)
		return NULL;
	return *find(t, join_table_hash(key, klen), key, klen);
}

void join_table_prefetch(const join_table *t, uint64_t h, int row)
{
	join_row *const *slot;

	if (t->nslots == 0)
		return;
	slot = &t->slots[h & (t->nslots - 1)];
	if (!row)
		__builtin_prefetch(slot);
	else if (*slot != NULL)
		__builtin_prefetch(*slot);
}

const join_row *join_table_get_hashed(const join_table *t, uint64_t h,
				      const void *key, size_t klen)
{
	if (t->nslots == 0)
		return NULL;
	return *find(t, h, key, klen);
}

void join_table_free(join_table *t)
{
	size_t i;

	for (i = 0; i < t->nslots; i++) {
		join_row *r = t->slots[i], *next;

		for (; r != NULL; r = next) {
			next = r->next;
			free(r);
		}
	}
	free(t->slots);
	memset(t, 0, sizeof *t);
}
