/*
 * profiles.c - what the records of each datagen profile look like.
 *
 * The values of one call are packed into one block of the batch arena: a
 * single allocation per poll, none per record.
 */
#include <sluice/decimal.h>

#include "datagen.h"

/* Distinct page_url values of user_events: /p/1 .. /p/PAGES. */
#define PAGES 50

/* The longest user_events value: the literal text plus three 20-digit
 * numbers and the longest event type. */
#define USER_EVENT_MAX 128

static const struct event_type {
	const char *name;
	size_t len;
	uint32_t below; /* chosen when a draw in [0, 100) is below this */
} event_types[] = {
	{ "page_view", 9, 70 },
	{ "click", 5, 95 },
	{ "purchase", 8, 100 },
};

#define PUT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)

/*
 * Reserve @p max bytes for values; returns NULL when the arena is
 * exhausted.  block_trim() gives back what was not used.
 */
static uint8_t *block_get(sl_arena *arena, size_t max)
{
	return sl_arena_alloc(arena, max);
}

/*
 * Lower the arena's bump pointer to just past the bytes used, when the
 * block is still its newest allocation (as sl_buf_reserve() grows in
 * place): the worst-case reservation costs nothing.
 */
static void block_trim(sl_arena *arena, uint8_t *block, size_t reserved,
		       size_t used)
{
	size_t r = (reserved + 7u) & ~(size_t)7u;
	size_t u = (used + 7u) & ~(size_t)7u;

	if (block + r == arena->cur && u < r)
		arena->cur = block + u;
}

static sl_record *record_next(datagen *g, sl_batch *batch)
{
	sl_record *r = sl_batch_push(batch);

	if (r != NULL) {
		r->origin.stage = g->stage_name;
		r->origin.offset = (int64_t)g->seq;
	}
	return r;
}

static int fill_user_events(datagen *g, sl_batch *batch, uint32_t n)
{
	size_t reserved = (size_t)n * USER_EVENT_MAX;
	uint8_t *block = block_get(batch->arena, reserved);
	char *p = (char *)block;
	uint32_t i;

	if (block == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		sl_record *r = record_next(g, batch);
		uint64_t user = 1 + (g->users <= UINT32_MAX
			? prng_below(&g->rng, (uint32_t)g->users)
			: prng_next(&g->rng) % g->users);
		uint32_t draw = prng_below(&g->rng, 100);
		const struct event_type *t = event_types;
		uint64_t page = 1 + prng_below(&g->rng, PAGES);
		char *start = p;

		if (r == NULL)
			return -1;
		while (draw >= t->below)
			t++;
		PUT(p, "{\"user_id\":");
		p += sl_decimal_u64(p, user);
		PUT(p, ",\"event_type\":\"");
		memcpy(p, t->name, t->len);
		p += t->len;
		PUT(p, "\",\"page_url\":\"/p/");
		p += sl_decimal_u64(p, page);
		PUT(p, "\",\"ts\":");
		p += sl_decimal_u64(p, (uint64_t)g->next_ts);
		*p++ = '}';

		r->value_raw.data = (const uint8_t *)start;
		r->value_raw.len = (size_t)(p - start);
		r->timestamp = g->next_ts;
		/* Steps of 0..999 ms: increasing, with equal neighbours possible
		 * as in real event streams. */
		g->next_ts += prng_below(&g->rng, 1000);
		g->seq++;
	}
	block_trim(batch->arena, block, reserved, (size_t)(p - (char *)block));
	return 0;
}

static int fill_sequence(datagen *g, sl_batch *batch, uint32_t n)
{
	size_t reserved = (size_t)n * SL_DECIMAL_MAX;
	uint8_t *block = block_get(batch->arena, reserved);
	char *p = (char *)block;
	uint32_t i;

	if (block == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		sl_record *r = record_next(g, batch);
		size_t len;

		if (r == NULL)
			return -1;
		len = sl_decimal_u64(p, g->seq);
		r->value_raw.data = (const uint8_t *)p;
		r->value_raw.len = len;
		p += len;
		g->seq++;
	}
	block_trim(batch->arena, block, reserved, (size_t)(p - (char *)block));
	return 0;
}

/* Every record shares the instance's buffer, which outlives the batch. */
static int fill_bytes(datagen *g, sl_batch *batch, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		sl_record *r = record_next(g, batch);

		if (r == NULL)
			return -1;
		r->value_raw.data = g->bytes;
		r->value_raw.len = g->size;
		g->seq++;
	}
	return 0;
}

int datagen_fill(datagen *g, sl_batch *batch, uint32_t n)
{
	switch (g->profile) {
	case PROFILE_USER_EVENTS:
		return fill_user_events(g, batch, n);
	case PROFILE_SEQUENCE:
		return fill_sequence(g, batch, n);
	case PROFILE_BYTES:
	default:
		return fill_bytes(g, batch, n);
	}
}
