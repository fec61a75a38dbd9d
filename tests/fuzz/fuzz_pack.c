/*
 * fuzz_pack.c - the reader of a repartition topic's packs of records
 * (plugins/kafka/kafka_pack.h) on any bytes: kafka_pack_count either
 * refuses them, saying why, or counts records that kafka_pack_read then
 * reads to exactly the pack's end, each pointing into the pack; written
 * again with kafka_pack_add they read back the same.  Out-of-bounds
 * reads are the sanitizers' to catch.
 */
#include "config.h"

#include <string.h>

#include "base/arena.h"
#include "fuzz.h"
#include "kafka_pack.h"

static sl_arena *arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	arena = sl_arena_new();
	FUZZ_ASSERT(arena != NULL, "out of memory");
	return 0;
}

static int inside(const uint8_t *lo, size_t len, const void *p, size_t n)
{
	return (const uint8_t *)p >= lo && (const uint8_t *)p <= lo + len &&
	       n <= (size_t)(lo + len - (const uint8_t *)p);
}

static int same_bytes(sl_bytes a, sl_bytes b)
{
	if (a.data == NULL || b.data == NULL)
		return a.data == b.data;
	return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* The records of pack @p data, read, all inside it; NULL when refused. */
static sl_record *read_all(const uint8_t *data, size_t size, long *n)
{
	char why[200] = "";
	sl_record *recs;
	size_t at = 1;
	long i;
	uint32_t h;

	*n = kafka_pack_count(data, size, why, sizeof why);
	if (*n < 0) {
		FUZZ_ASSERT(*n == -1 && why[0] != '\0', "refused (%ld) without "
			    "a reason", *n);
		return NULL;
	}
	FUZZ_ASSERT(*n > 0, "an empty pack taken");
	recs = sl_arena_alloc(arena, (size_t)*n * sizeof *recs);
	FUZZ_ASSERT(recs != NULL, "out of memory");
	for (i = 0; i < *n; i++) {
		sl_record *r = &recs[i];
		size_t before = at;

		memset(r, 0, sizeof *r);
		FUZZ_ASSERT(kafka_pack_read(data, size, &at, r, arena) == 0,
			    "record %ld of %ld not read", i + 1, *n);
		FUZZ_ASSERT(at > before && at <= size, "record %ld: at %zu after "
			    "%zu, of %zu", i + 1, at, before, size);
		FUZZ_ASSERT(r->key_raw.data == NULL ||
			    inside(data, size, r->key_raw.data, r->key_raw.len),
			    "record %ld: key outside the pack", i + 1);
		FUZZ_ASSERT(r->value_raw.data == NULL ||
			    inside(data, size, r->value_raw.data, r->value_raw.len),
			    "record %ld: value outside the pack", i + 1);
		for (h = 0; h < r->header_count; h++) {
			const sl_header *x = &r->headers[h];

			FUZZ_ASSERT(inside(data, size, x->name, 1) &&
				    inside(data, size, x->name, strlen(x->name) + 1),
				    "record %ld header %u: name outside", i + 1, h);
			FUZZ_ASSERT(x->value.data == NULL ||
				    inside(data, size, x->value.data, x->value.len),
				    "record %ld header %u: value outside", i + 1, h);
		}
	}
	FUZZ_ASSERT(at == size, "%ld records end at byte %zu of %zu", *n, at, size);
	return recs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kafka_pack p = { 0 };
	sl_record *recs, *again;
	size_t sizes = 1;
	long n, m, i;
	uint32_t h;

	if ((recs = read_all(data, size, &n)) == NULL) {
		sl_arena_reset(arena);
		return 0;
	}
	kafka_pack_reset(&p);
	for (i = 0; i < n; i++) {
		sizes += kafka_pack_record_size(&recs[i]);
		FUZZ_ASSERT(kafka_pack_add(&p, &recs[i]) == 0, "out of memory");
	}
	FUZZ_ASSERT(p.count == (uint32_t)n && p.len == sizes && p.len <= size,
		    "%ld records written as %u in %zu bytes (sizes %zu, read "
		    "from %zu)", n, p.count, p.len, sizes, size);
	again = read_all(p.data, p.len, &m);
	FUZZ_ASSERT(again != NULL && m == n, "written again: %ld records of %ld",
		    m, n);
	for (i = 0; i < n; i++) {
		const sl_record *a = &recs[i], *b = &again[i];

		FUZZ_ASSERT(same_bytes(a->key_raw, b->key_raw) &&
			    same_bytes(a->value_raw, b->value_raw) &&
			    a->timestamp == b->timestamp &&
			    a->header_count == b->header_count,
			    "record %ld reads back otherwise", i + 1);
		for (h = 0; h < a->header_count; h++)
			FUZZ_ASSERT(strcmp(a->headers[h].name, b->headers[h].name) == 0 &&
				    same_bytes(a->headers[h].value, b->headers[h].value),
				    "record %ld header %u reads back otherwise",
				    i + 1, h);
	}
	kafka_pack_free(&p);
	sl_arena_reset(arena);
	return 0;
}
