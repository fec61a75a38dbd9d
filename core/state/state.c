/*
 * state.c - the keyed state store: hash table, values and change tracking.
 *
 * Entries live in one array and are addressed by index, so the table
 * (linear probing over 32-bit indexes, at most half full) stays small and
 * deletion can shift entries back instead of leaving tombstone slots.
 * An entry's key and value share one block, allocated when the key is
 * first inserted and grown only when a value outgrows it: updating a key
 * allocates nothing.  Small blocks come in power-of-two size classes and
 * freed ones are kept per class, so the steady churn of a window operator
 * (a key inserted per window, deleted when it fires) reuses memory instead
 * of calling malloc and free.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

/* What malloc adds to a block of ours, for the store's account of its
 * memory (glibc: a 16-byte chunk header, rounded). */
#define MALLOC_OVERHEAD 16

/* Mixing constants of splitmix64; any odd constants with good avalanche
 * would do. */
#define MIX1 0xbf58476d1ce4e5b9ull
#define MIX2 0x94d049bb133111ebull

static uint64_t mix(uint64_t h)
{
	h ^= h >> 31;
	h *= MIX1;
	h ^= h >> 29;
	h *= MIX2;
	h ^= h >> 32;
	return h;
}

static uint32_t hash_key(int ns, int64_t when, const uint8_t *p, size_t n)
{
	uint64_t h = mix(((uint64_t)ns << 56) ^ (uint64_t)when ^ (uint64_t)n);
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = mix(h ^ w);
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, p, n);
		h = mix(h ^ w ^ 0x8000000000000000ull);
	}
	return (uint32_t)h; /* mix() spreads every bit into the low ones */
}

sl_state *sl_store_new(const char *name)
{
	sl_state *st = calloc(1, sizeof *st);

	if (st == NULL)
		return NULL;
	st->name = strdup(name != NULL ? name : "");
	st->slots = calloc(16, sizeof *st->slots);
	if (st->name == NULL || st->slots == NULL) {
		free(st->name);
		free(st->slots);
		free(st);
		return NULL;
	}
	st->slot_mask = 15;
	st->free_head = NO_INDEX;
	return st;
}

const char *sl_store_name(const sl_state *st)
{
	return st->name;
}

static const size_t class_size[BLOCK_CLASSES] = {
	16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512
};

/* The size class of a block of @p size bytes, or -1 for a large one. */
static int block_class(size_t size)
{
	int c = 0;

	while (c < BLOCK_CLASSES && class_size[c] < size)
		c++;
	return c < BLOCK_CLASSES ? c : -1;
}

/* A block of at least @p size bytes; its usable size in *@p cap. */
static uint8_t *block_get(sl_state *st, size_t size, size_t *cap)
{
	int c = block_class(size);
	void *b;

	if (c < 0) {
		*cap = size;
		b = malloc(size);
		st->block_bytes += b != NULL ? size + MALLOC_OVERHEAD : 0;
		return b;
	}
	*cap = class_size[c];
	b = st->spare[c];
	if (b == NULL) {
		b = malloc(*cap);
		st->block_bytes += b != NULL ? *cap + MALLOC_OVERHEAD : 0;
		return b;
	}
	memcpy(&st->spare[c], b, sizeof(void *)); /* pop: next is inside */
	return b;
}

static void block_put(sl_state *st, uint8_t *block, size_t cap)
{
	int c = block_class(cap);

	if (block == NULL)
		return;
	if (c < 0 || class_size[c] != cap) {
		free(block);
		st->block_bytes -= cap + MALLOC_OVERHEAD;
		return;
	}
	memcpy(block, &st->spare[c], sizeof(void *));
	st->spare[c] = block;
}

static void free_spares(sl_state *st)
{
	int c;

	for (c = 0; c < BLOCK_CLASSES; c++) {
		while (st->spare[c] != NULL) {
			void *b = st->spare[c];
			memcpy(&st->spare[c], b, sizeof(void *));
			free(b);
		}
	}
}

static void free_entries(sl_state *st)
{
	uint32_t i;

	for (i = 0; i < st->entry_count; i++)
		block_put(st, st->entries[i].block,
			  (size_t)st->entries[i].klen + st->entries[i].vcap);
}

void sl_store_free(sl_state *st)
{
	if (st == NULL)
		return;
	free_entries(st);
	free_spares(st);
	free(st->entries);
	free(st->slots);
	sl_timer_heaps_free(st);
	free(st->changes);
	free(st->scratch);
	free(st->name);
	free(st);
}

uint64_t sl_store_generation(const sl_state *st)
{
	return st->generation;
}

void sl_store_clear(sl_state *st)
{
	st->generation++;
	free_entries(st);
	st->entry_count = 0;
	st->free_head = NO_INDEX;
	memset(st->slots, 0, (st->slot_mask + 1) * sizeof *st->slots);
	st->in_table = 0;
	st->live_values = 0;
	sl_timer_heaps_clear(st);
	st->change_len = 0;
}

uint8_t *sl_store_scratch(sl_state *st, size_t size)
{
	if (size > st->scratch_cap) {
		size_t cap = st->scratch_cap ? st->scratch_cap : 256;
		uint8_t *p;

		while (cap < size)
			cap *= 2;
		p = realloc(st->scratch, cap);
		if (p == NULL)
			return NULL;
		st->scratch = p;
		st->scratch_cap = cap;
	}
	return st->scratch;
}

static int same(const sl_entry *e, uint32_t hash, int ns, int64_t when,
		const void *key, size_t klen)
{
	return e->hash == hash && e->ns == ns && e->klen == klen &&
	       (klen == 0 || memcmp(e->block, key, klen) == 0) &&
	       (ns != NS_TIMER || sl_entry_when(e) == when);
}

/* The slot holding (ns, when, key), or the empty slot where it would go. */
static uint32_t probe(const sl_state *st, uint32_t hash, int ns, int64_t when,
		      const void *key, size_t klen)
{
	uint32_t s = hash & st->slot_mask;

	while (st->slots[s] != 0 &&
	       !same(&st->entries[st->slots[s] - 1], hash, ns, when, key, klen))
		s = (s + 1) & st->slot_mask;
	return s;
}

uint32_t sl_store_find(const sl_state *st, int ns, int64_t when,
		       const void *key, size_t klen)
{
	uint64_t h = hash_key(ns, when, key, klen);
	uint32_t s = probe(st, h, ns, when, key, klen);

	return st->slots[s] != 0 ? st->slots[s] - 1 : NO_INDEX;
}

static int grow_table(sl_state *st)
{
	uint32_t cap = (st->slot_mask + 1) * 2, i;
	uint32_t *slots = calloc(cap, sizeof *slots);

	if (slots == NULL)
		return -1;
	for (i = 0; i <= st->slot_mask; i++) {
		uint32_t v = st->slots[i], s;

		if (v == 0)
			continue;
		s = st->entries[v - 1].hash & (cap - 1);
		while (slots[s] != 0)
			s = (s + 1) & (cap - 1);
		slots[s] = v;
	}
	free(st->slots);
	st->slots = slots;
	st->slot_mask = cap - 1;
	return 0;
}

/*
 * A free entry index, growing the array when none is free.  The change
 * list grows with it, since each entry is listed at most once: recording
 * a change never has to allocate (and so never fails).
 */
static uint32_t new_entry(sl_state *st)
{
	uint32_t i;

	if (st->free_head != NO_INDEX) {
		i = st->free_head;
		st->free_head = st->entries[i].link;
		return i;
	}
	if (st->entry_count == st->entry_cap) {
		/* by half: the array is most of the store's memory */
		uint32_t cap = st->entry_cap ? st->entry_cap + st->entry_cap / 2 : 16;
		sl_entry *e;
		uint32_t *c;

		if (cap > NO_INDEX / 2)
			return NO_INDEX;
		c = realloc(st->changes, cap * sizeof *c);
		if (c == NULL)
			return NO_INDEX;
		st->changes = c;
		e = realloc(st->entries, cap * sizeof *e);
		if (e == NULL)
			return NO_INDEX;
		st->entries = e;
		st->entry_cap = cap;
	}
	st->entries[st->entry_count].block = NULL;
	return st->entry_count++;
}

uint32_t sl_store_upsert(sl_state *st, int ns, int64_t when, const void *key,
			 size_t klen, size_t vlen, int *added)
{
	uint32_t h = hash_key(ns, when, key, klen);
	uint32_t s = probe(st, h, ns, when, key, klen), i;
	sl_entry *e;
	uint8_t *block;
	size_t cap;

	*added = 0;
	if (klen > UINT32_MAX / 2 || vlen > UINT32_MAX / 2)
		return NO_INDEX;
	if (st->slots[s] != 0) {
		i = st->slots[s] - 1;
		e = &st->entries[i];
		if (vlen > e->vcap) {
			block = block_get(st, e->klen + vlen, &cap);
			if (block == NULL)
				return NO_INDEX;
			memcpy(block, e->block, e->klen + e->vlen);
			block_put(st, e->block, e->klen + e->vcap);
			e->block = block;
			e->vcap = (uint32_t)(cap - e->klen);
		}
		if (!e->live) {
			e->live = 1;
			*added = 1;
		}
		e->partition = st->partition;
		return i;
	}
	/* keep the table at most half full so probes stay short */
	if ((st->in_table + 1) * 2 > st->slot_mask + 1) {
		if (grow_table(st) != 0)
			return NO_INDEX;
		s = probe(st, h, ns, when, key, klen);
	}
	/* a timer's time follows its key */
	block = block_get(st, klen + (ns == NS_TIMER ? sizeof when : vlen), &cap);
	if (block == NULL)
		return NO_INDEX;
	i = new_entry(st);
	if (i == NO_INDEX) {
		block_put(st, block, cap);
		return NO_INDEX;
	}
	e = &st->entries[i];
	memset(e, 0, sizeof *e);
	e->block = block;
	if (klen)
		memcpy(block, key, klen);
	e->hash = h;
	if (ns == NS_TIMER)
		memcpy(block + klen, &when, sizeof when);
	e->klen = (uint32_t)klen;
	e->vcap = (uint32_t)(cap - klen);
	e->ns = (uint8_t)ns;
	e->live = 1;
	/* untracked, it is being restored from the log */
	e->logged = !st->tracking;
	e->link = NO_INDEX;
	e->partition = st->partition;
	st->slots[s] = i + 1;
	st->in_table++;
	*added = 1;
	return i;
}

void sl_store_mark(sl_state *st, uint32_t i)
{
	sl_entry *e = &st->entries[i];

	if (!st->tracking || e->dirty)
		return;
	st->changes[st->change_len++] = i;
	e->dirty = 1;
}

/* Remove entry @p i from the table (backward-shift deletion) and free it. */
static void drop_entry(sl_state *st, uint32_t i)
{
	sl_entry *e = &st->entries[i];
	uint32_t s = e->hash & st->slot_mask, j, k;

	while (st->slots[s] != i + 1)
		s = (s + 1) & st->slot_mask;
	st->slots[s] = 0;
	for (j = s;;) {
		j = (j + 1) & st->slot_mask;
		if (st->slots[j] == 0)
			break;
		k = st->entries[st->slots[j] - 1].hash & st->slot_mask;
		/* leave it when its home lies cyclically in (s, j] */
		if (s <= j ? (s < k && k <= j) : (s < k || k <= j))
			continue;
		st->slots[s] = st->slots[j];
		st->slots[j] = 0;
		s = j;
	}
	st->in_table--;
	block_put(st, e->block, (size_t)e->klen + e->vcap);
	e->block = NULL;
	e->ns = NS_FREE;
	e->link = st->free_head;
	st->free_head = i;
}

void sl_store_kill(sl_state *st, uint32_t i)
{
	sl_entry *e = &st->entries[i];

	if (e->ns == NS_TIMER)
		sl_timer_heap_remove(st, i);
	else
		st->live_values--;
	if (st->tracking) {
		/* a tombstone until the deletion is committed */
		e->live = 0;
		e->vlen = 0;
		sl_store_mark(st, i);
		return;
	}
	drop_entry(st, i);
}

int sl_store_get(const sl_state *st, const void *key, size_t klen,
		 sl_bytes *out)
{
	uint32_t i = sl_store_find(st, NS_VALUE, 0, key, klen);
	const sl_entry *e;

	if (i == NO_INDEX || !st->entries[i].live)
		return 0;
	e = &st->entries[i];
	out->data = e->block + e->klen;
	out->len = e->vlen;
	return 1;
}

void *sl_store_slot(sl_state *st, const void *key, size_t klen, size_t vlen,
		    int *created)
{
	int added;
	uint32_t i = sl_store_upsert(st, NS_VALUE, 0, key, klen, vlen, &added);
	sl_entry *e;

	if (i == NO_INDEX)
		return NULL;
	e = &st->entries[i];
	if (added) {
		e->vlen = 0;
		st->live_values++;
	}
	if (vlen > e->vlen)
		memset(e->block + e->klen + e->vlen, 0, vlen - e->vlen);
	e->vlen = (uint32_t)vlen;
	sl_store_mark(st, i);
	if (created != NULL)
		*created = added;
	return e->block + e->klen;
}

int sl_store_put(sl_state *st, const void *key, size_t klen, const void *val,
		 size_t vlen)
{
	uint8_t *p = sl_store_slot(st, key, klen, vlen, NULL);

	if (p == NULL)
		return SL_ERR;
	if (vlen)
		memcpy(p, val, vlen);
	return SL_OK;
}

int sl_store_delete(sl_state *st, const void *key, size_t klen)
{
	uint32_t i = sl_store_find(st, NS_VALUE, 0, key, klen);

	if (i == NO_INDEX || !st->entries[i].live)
		return 0;
	sl_store_kill(st, i);
	return 1;
}

size_t sl_store_count(const sl_state *st)
{
	return st->live_values;
}

/* Values of @p partition, or of every partition when @p all: the
 * partition is in the entry, so the others' keys stay untouched. */
static int each_value(const sl_state *st, int all, int32_t partition,
		      int (*fn)(void *ctx, const void *key, size_t klen,
				const void *val, size_t vlen),
		      void *ctx)
{
	uint32_t i;
	int rc;

	for (i = 0; i < st->entry_count; i++) {
		const sl_entry *e = &st->entries[i];

		if ((all || e->partition == partition) && e->ns == NS_VALUE &&
		    e->live && (rc = fn(ctx, e->block, e->klen,
					e->block + e->klen, e->vlen)) != 0)
			return rc;
	}
	return 0;
}

int sl_store_each(const sl_state *st,
		  int (*fn)(void *ctx, const void *key, size_t klen,
			    const void *val, size_t vlen),
		  void *ctx)
{
	return each_value(st, 1, 0, fn, ctx);
}

int sl_store_each_in(const sl_state *st, int32_t partition,
		     int (*fn)(void *ctx, const void *key, size_t klen,
			       const void *val, size_t vlen),
		     void *ctx)
{
	return each_value(st, 0, partition, fn, ctx);
}

/* ---- changes ------------------------------------------------------------ */

void sl_store_track(sl_state *st, int on)
{
	if (!on && st->tracking)
		sl_store_changes_clear(st);
	st->tracking = on != 0;
}

size_t sl_store_change_count(const sl_state *st)
{
	return st->change_len;
}

void sl_store_changes_clear(sl_state *st)
{
	uint32_t c;

	for (c = 0; c < st->change_len; c++) {
		uint32_t i = st->changes[c];

		st->entries[i].dirty = 0;
		if (!st->entries[i].live)
			drop_entry(st, i);
		else
			st->entries[i].logged = 1;
	}
	st->change_len = 0;
}

void sl_store_set_partition(sl_state *st, int32_t partition)
{
	st->partition = partition;
}

void sl_store_drop_partition(sl_state *st, int32_t partition)
{
	st->generation++;
	int tracking = st->tracking;
	uint32_t i, c, kept = 0;

	/* pending changes of the partition go too: another instance owns it */
	for (c = 0; c < st->change_len; c++) {
		uint32_t j = st->changes[c];

		if (st->entries[j].partition == partition)
			st->entries[j].dirty = 0;
		else
			st->changes[kept++] = j;
	}
	st->change_len = kept;
	st->tracking = 0;
	for (i = 0; i < st->entry_count; i++) {
		sl_entry *e = &st->entries[i];

		if (e->ns == NS_FREE || e->partition != partition || e->dirty)
			continue;
		if (e->live)
			sl_store_kill(st, i);
		else
			drop_entry(st, i);
	}
	st->tracking = tracking;
}

size_t sl_store_bytes(const sl_state *st)
{
	size_t n = sizeof *st + st->block_bytes + st->scratch_cap +
		   (size_t)st->entry_cap * (sizeof *st->entries + sizeof *st->changes);
	uint32_t k;

	if (st->slots != NULL)
		n += ((size_t)st->slot_mask + 1) * sizeof *st->slots;
	for (k = 0; k < st->heap_count; k++)
		n += sizeof st->heaps[k] + st->heaps[k].cap * sizeof *st->heaps[k].nodes;
	return n;
}
