/*
 * arena.c - chunked bump allocator for batches.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

#define CHUNK_SIZE (256u * 1024u)

typedef struct chunk {
	struct chunk *next;
	size_t size;
	/* data follows, 8-byte aligned by the header size */
} chunk;

typedef struct arena_impl {
	sl_arena pub;   /* first, so an sl_arena * is an arena_impl * */
	chunk *first;   /* every chunk, in allocation order */
	chunk *current; /* the chunk pub.cur points into */
} arena_impl;

static uint8_t *chunk_data(chunk *c)
{
	return (uint8_t *)c + ((sizeof(chunk) + 15u) & ~(size_t)15u);
}

static chunk *chunk_new(size_t size)
{
	chunk *c = malloc(((sizeof(chunk) + 15u) & ~(size_t)15u) + size);

	if (c != NULL) {
		c->next = NULL;
		c->size = size;
	}
	return c;
}

static void use_chunk(arena_impl *a, chunk *c)
{
	a->current = c;
	a->pub.cur = chunk_data(c);
	a->pub.end = a->pub.cur + c->size;
}

/* The slow path: move to the next kept chunk that fits, or add one. */
static void *arena_grow(sl_arena *pub, size_t size)
{
	arena_impl *a = (arena_impl *)pub;
	chunk *c = a->current ? a->current->next : a->first;
	chunk *last = a->current;
	void *p;

	while (c != NULL && c->size < size) {
		last = c;
		c = c->next;
	}
	if (c == NULL) {
		c = chunk_new(size > CHUNK_SIZE ? size : CHUNK_SIZE);
		if (c == NULL)
			return NULL;
		/* append after the last chunk so reset walks them all */
		while (last != NULL && last->next != NULL)
			last = last->next;
		if (last == NULL)
			a->first = c;
		else
			last->next = c;
	}
	use_chunk(a, c);
	p = pub->cur;
	pub->cur += size;
	return p;
}

sl_arena *sl_arena_new(void)
{
	arena_impl *a = calloc(1, sizeof *a);

	if (a == NULL)
		return NULL;
	a->pub.grow = arena_grow;
	return &a->pub;
}

void sl_arena_reset(sl_arena *pub)
{
	arena_impl *a = (arena_impl *)pub;

	if (a->first != NULL) {
		use_chunk(a, a->first);
	} else {
		a->pub.cur = a->pub.end = NULL;
		a->current = NULL;
	}
}

void sl_arena_free(sl_arena *pub)
{
	arena_impl *a = (arena_impl *)pub;
	chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->first; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

sl_record *sl_arena_batch_grow(sl_batch *b)
{
	uint32_t cap = b->capacity ? b->capacity * 2 : 64;
	sl_record *records = sl_arena_alloc(b->arena, cap * sizeof *records);

	if (records == NULL)
		return NULL;
	if (b->count)
		memcpy(records, b->records, b->count * sizeof *records);
	b->records = records;
	b->capacity = cap;
	return sl_batch_push(b);
}

size_t sl_arena_footprint(const sl_arena *pub)
{
	const arena_impl *a = (const arena_impl *)pub;
	size_t total = 0;
	const chunk *c;

	for (c = a->first; c != NULL; c = c->next)
		total += c->size;
	return total;
}
