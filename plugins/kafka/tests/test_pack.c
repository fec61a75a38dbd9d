/*
 * The codec of a repartition topic's packs (kafka_pack.h): records with
 * and without keys, values and headers, NUL bytes anywhere, timestamps
 * at the ends of the range, read back exactly and pointing into the
 * pack; the limits that close a pack; and every malformed pack refused
 * by kafka_pack_count before kafka_pack_read could read past its end.
 */
#include "config.h"

#include <stdint.h>

#include "base/arena.h"
#include "check.h"
#include "kafka_pack.h"

/* An optional byte string: NULL for none. */
static sl_bytes bytes(const void *data, size_t len)
{
	sl_bytes b = { data, len };

	return b;
}

static int same_bytes(sl_bytes a, sl_bytes b)
{
	if (a.data == NULL || b.data == NULL)
		return a.data == NULL && b.data == NULL && a.len == 0 && b.len == 0;
	return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* @p got, read from @p p, is @p want, its bytes pointing into the pack. */
static void check_record(const kafka_pack *p, const sl_record *got,
			 const sl_record *want, int i)
{
	const uint8_t *lo = p->data, *hi = p->data + p->len;
	uint32_t h;

#define INSIDE(ptr, n) ((const uint8_t *)(ptr) >= lo && \
			(const uint8_t *)(ptr) + (n) <= hi)
	CHECK_MSG(same_bytes(got->key_raw, want->key_raw), "record %d: key", i);
	CHECK_MSG(same_bytes(got->value_raw, want->value_raw), "record %d: value", i);
	CHECK_MSG(got->key_raw.data == NULL || INSIDE(got->key_raw.data, got->key_raw.len),
		  "record %d: key outside the pack", i);
	CHECK_MSG(got->value_raw.data == NULL ||
		  INSIDE(got->value_raw.data, got->value_raw.len),
		  "record %d: value outside the pack", i);
	CHECK_MSG(got->timestamp == want->timestamp, "record %d: timestamp %lld, "
		  "want %lld", i, (long long)got->timestamp,
		  (long long)want->timestamp);
	CHECK_MSG(got->header_count == want->header_count,
		  "record %d: %u headers, want %u", i, got->header_count,
		  want->header_count);
	if (got->header_count != want->header_count)
		return;
	CHECK_MSG(got->header_count > 0 || got->headers == NULL,
		  "record %d: headers without a count", i);
	for (h = 0; h < got->header_count; h++) {
		const sl_header *g = &got->headers[h], *w = &want->headers[h];

		CHECK_MSG(strcmp(g->name, w->name) == 0, "record %d header %u: "
			  "name '%s', want '%s'", i, h, g->name, w->name);
		CHECK_MSG(INSIDE(g->name, strlen(g->name) + 1),
			  "record %d header %u: name outside the pack", i, h);
		CHECK_MSG(same_bytes(g->value, w->value),
			  "record %d header %u: value", i, h);
		CHECK_MSG(g->value.data == NULL || INSIDE(g->value.data, g->value.len),
			  "record %d header %u: value outside the pack", i, h);
	}
#undef INSIDE
}

/* Pack @p n records, read them back, check each and the sizes. */
static void round_trip(const sl_record *recs, int n, sl_arena *arena)
{
	kafka_pack p = { 0 };
	size_t at = 1, sizes = 1;
	char why[200];
	int i;

	kafka_pack_reset(&p);
	for (i = 0; i < n; i++) {
		sizes += kafka_pack_record_size(&recs[i]);
		CHECK(kafka_pack_add(&p, &recs[i]) == 0);
	}
	CHECK(p.count == (uint32_t)n);
	CHECK_MSG(p.len == sizes, "pack of %zu bytes, sizes say %zu", p.len, sizes);
	CHECK(p.data[0] == KAFKA_PACK_MAGIC);
	CHECK_MSG(p.timestamp == recs[0].timestamp, "the pack's timestamp is its "
		  "first record's");
	CHECK_MSG(kafka_pack_count(p.data, p.len, why, sizeof why) == n,
		  "count: %s", why);
	for (i = 0; i < n; i++) {
		sl_record r;

		memset(&r, 0xa5, sizeof r);
		CHECK(kafka_pack_read(p.data, p.len, &at, &r, arena) == 0);
		check_record(&p, &r, &recs[i], i);
	}
	CHECK_MSG(at == p.len, "read to byte %zu of %zu", at, p.len);
	kafka_pack_free(&p);
}

static void test_round_trip(sl_arena *arena)
{
	static const uint8_t binary[] = { 0, 1, 0, 0xff, 0x80, 0x7f, 0 };
	static uint8_t big[70000];
	sl_header hs[] = {
		{ "trace", { (const uint8_t *)"abc", 3 } },
		{ "null", { NULL, 0 } },
		{ "empty", { (const uint8_t *)"", 0 } },
		{ "bin", { binary, sizeof binary } },
		{ "", { (const uint8_t *)"nameless", 8 } },
	};
	sl_header many[300];
	char names[300][8];
	sl_record recs[12];
	int i;

	for (i = 0; i < (int)sizeof big; i++)
		big[i] = (uint8_t)(i * 7);
	for (i = 0; i < 300; i++) {
		snprintf(names[i], sizeof names[i], "h%d", i);
		many[i].name = names[i];
		many[i].value = i % 3 ? bytes(names[i], strlen(names[i])) : bytes(NULL, 0);
	}
	memset(recs, 0, sizeof recs);
	/* neither key nor value, no time */
	recs[0].timestamp = -1;
	/* empty key and value: not the same as none */
	recs[1].key_raw = bytes("", 0);
	recs[1].value_raw = bytes("", 0);
	recs[1].timestamp = 0;
	/* NUL bytes in both */
	recs[2].key_raw = bytes(binary, sizeof binary);
	recs[2].value_raw = bytes(binary, sizeof binary);
	recs[2].timestamp = 1733616000123LL;
	recs[3].key_raw = bytes("k", 1);
	recs[3].timestamp = INT64_MAX;
	recs[4].value_raw = bytes("v", 1);
	recs[4].timestamp = INT64_MIN;
	recs[5].key_raw = bytes("k5", 2);
	recs[5].value_raw = bytes("value five", 10);
	recs[5].timestamp = -2;
	recs[5].headers = hs;
	recs[5].header_count = 5;
	recs[6].key_raw = bytes("k6", 2);
	recs[6].value_raw = bytes(big, sizeof big); /* a 3-byte length */
	recs[6].timestamp = -1234567890123LL;
	recs[6].headers = many;
	recs[6].header_count = 300; /* a 2-byte count */
	recs[7].key_raw = bytes(big, 128); /* lengths at a varint's edge */
	recs[7].value_raw = bytes(big, 127);
	recs[7].timestamp = 63;
	recs[8].key_raw = bytes(big, 126);
	recs[8].value_raw = bytes(big, 16383);
	recs[8].timestamp = 64;
	recs[9].headers = &hs[1];
	recs[9].header_count = 1;
	recs[9].timestamp = -1;
	recs[10].key_raw = bytes("same", 4);
	recs[10].value_raw = bytes("same", 4);
	recs[10].timestamp = 5;
	recs[11] = recs[10];

	for (i = 0; i < 12; i++)
		round_trip(&recs[i], 1, arena);
	round_trip(recs, 12, arena);
	/* the pack's timestamp is its first record's, none included */
	round_trip(&recs[3], 9, arena);
	sl_arena_reset(arena);
}

/* A pack reset keeps its memory and starts over. */
static void test_reset(sl_arena *arena)
{
	kafka_pack p = { 0 };
	sl_record a, b, r;
	size_t at = 1;
	char why[200];

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.key_raw = bytes("first", 5);
	a.timestamp = 10;
	b.key_raw = bytes("second", 6);
	b.timestamp = 20;
	kafka_pack_reset(&p);
	CHECK(p.timestamp == -1 && p.count == 0 && p.len == 0);
	CHECK(kafka_pack_add(&p, &a) == 0 && kafka_pack_add(&p, &a) == 0);
	kafka_pack_reset(&p);
	CHECK(p.count == 0 && p.len == 0 && p.timestamp == -1 && p.data != NULL);
	CHECK(kafka_pack_add(&p, &b) == 0);
	CHECK(p.count == 1 && p.timestamp == 20);
	CHECK(kafka_pack_count(p.data, p.len, why, sizeof why) == 1);
	memset(&r, 0, sizeof r);
	CHECK(kafka_pack_read(p.data, p.len, &at, &r, arena) == 0);
	check_record(&p, &r, &b, 0);
	kafka_pack_free(&p);
	CHECK(p.data == NULL && p.cap == 0);
}

static void test_full(void)
{
	kafka_pack p = { 0 };
	sl_record r;
	static uint8_t value[4000];
	size_t size;
	int i;

	memset(&r, 0, sizeof r);
	r.key_raw = bytes("k", 1);
	r.value_raw = bytes(value, 10);
	r.timestamp = 1;
	kafka_pack_reset(&p);
	/* an empty pack takes any record, however large */
	CHECK(!kafka_pack_full(&p, 0, KAFKA_PACK_BYTES));
	CHECK(!kafka_pack_full(&p, (size_t)KAFKA_PACK_BYTES * 10, KAFKA_PACK_BYTES));
	for (i = 0; i < KAFKA_PACK_RECORDS - 1; i++)
		CHECK(kafka_pack_add(&p, &r) == 0);
	CHECK_MSG(!kafka_pack_full(&p, kafka_pack_record_size(&r), KAFKA_PACK_BYTES),
		  "full at %u records", p.count);
	CHECK(kafka_pack_add(&p, &r) == 0);
	CHECK_MSG(kafka_pack_full(&p, 1, KAFKA_PACK_BYTES), "not full at %u records", p.count);
	CHECK(kafka_pack_full(&p, 0, KAFKA_PACK_BYTES));

	/* by bytes: full when the next record would go past the limit */
	kafka_pack_reset(&p);
	r.value_raw = bytes(value, sizeof value);
	size = kafka_pack_record_size(&r);
	while (p.len + size <= KAFKA_PACK_BYTES) {
		CHECK(!kafka_pack_full(&p, size, KAFKA_PACK_BYTES));
		CHECK(kafka_pack_add(&p, &r) == 0);
	}
	CHECK(p.count < KAFKA_PACK_RECORDS);
	CHECK_MSG(kafka_pack_full(&p, size, KAFKA_PACK_BYTES), "%zu bytes + %zu not full",
		  p.len, size);
	CHECK(!kafka_pack_full(&p, KAFKA_PACK_BYTES - p.len, KAFKA_PACK_BYTES));
	CHECK(kafka_pack_full(&p, KAFKA_PACK_BYTES - p.len + 1, KAFKA_PACK_BYTES));
	/* a smaller limit (a producer's message.max.bytes) closes it sooner */
	CHECK(kafka_pack_full(&p, 0, p.len - 1));
	CHECK(!kafka_pack_full(&p, 0, p.len));
	kafka_pack_reset(&p);
	CHECK(kafka_pack_add(&p, &r) == 0);
	CHECK(!kafka_pack_full(&p, size, 2 * size + 1));
	CHECK(kafka_pack_full(&p, size, 2 * size));
	CHECK(kafka_pack_add(&p, &r) == 0);
	CHECK(kafka_pack_full(&p, size, 2 * size + 1));
	/* an empty pack still takes a record over the limit: the sink
	 * refuses those before */
	kafka_pack_reset(&p);
	CHECK(!kafka_pack_full(&p, size, 10));
	kafka_pack_free(&p);
}

/* Not one proper prefix of a valid pack is taken for a pack. */
static void test_truncations(void)
{
	static const uint8_t binary[] = { 0, 'x', 0 };
	sl_header hs[] = {
		{ "a", { binary, sizeof binary } },
		{ "bb", { NULL, 0 } },
		{ "ccc", { (const uint8_t *)"", 0 } },
	};
	sl_record recs[3];
	kafka_pack p = { 0 };
	char why[200];
	size_t cut;
	int refused = 0, i;

	memset(recs, 0, sizeof recs);
	recs[0].key_raw = bytes("key", 3);
	recs[0].value_raw = bytes(binary, sizeof binary);
	recs[0].timestamp = 1733616000123LL;
	recs[0].headers = hs;
	recs[0].header_count = 3;
	recs[1].timestamp = -1;
	recs[2].key_raw = bytes("", 0);
	recs[2].value_raw = bytes("v", 1);
	recs[2].timestamp = -300;
	recs[2].headers = &hs[1];
	recs[2].header_count = 1;
	kafka_pack_reset(&p);
	for (i = 0; i < 3; i++)
		CHECK(kafka_pack_add(&p, &recs[i]) == 0);
	CHECK(kafka_pack_count(p.data, p.len, why, sizeof why) == 3);
	/* a cut at a record's end is a valid pack of fewer records; every
	 * other cut is refused */
	for (cut = 0; cut < p.len; cut++) {
		long n;
		uint8_t *copy = malloc(cut ? cut : 1);

		/* a copy of its own, so the sanitizers see a read past it */
		memcpy(copy, p.data, cut);
		why[0] = '\0';
		n = kafka_pack_count(copy, cut, why, sizeof why);
		if (cut == 1 + kafka_pack_record_size(&recs[0]) ||
		    cut == 1 + kafka_pack_record_size(&recs[0]) +
			   kafka_pack_record_size(&recs[1])) {
			CHECK_MSG(n == (cut == 1 + kafka_pack_record_size(&recs[0]) ? 1 : 2),
				  "cut at %zu: %ld records", cut, n);
		} else {
			CHECK_MSG(n == -1, "cut at %zu of %zu: %ld records", cut,
				  p.len, n);
			CHECK_MSG(why[0] != '\0', "cut at %zu: no reason", cut);
			refused++;
		}
		free(copy);
	}
	CHECK(refused == (int)p.len - 2);
	kafka_pack_free(&p);
}

/* @p pack (@p len bytes) is refused, saying @p because. */
static void refused(const char *what, const uint8_t *pack, size_t len,
		    const char *because)
{
	char why[200] = "";
	uint8_t *copy = malloc(len ? len : 1);
	long n;

	memcpy(copy, pack, len);
	n = kafka_pack_count(copy, len, why, sizeof why);
	CHECK_MSG(n == -1, "%s: %ld records", what, n);
	CHECK_MSG(strstr(why, because) != NULL, "%s: '%s' does not say '%s'",
		  what, why, because);
	free(copy);
}

/* @p pack (@p len bytes) is taken, for @p records records. */
static void taken(const char *what, const uint8_t *pack, size_t len, long records)
{
	char why[200] = "";
	long n = kafka_pack_count(pack, len, why, sizeof why);

	CHECK_MSG(n == records, "%s: %ld records, want %ld (%s)", what, n,
		  records, why);
}

static void test_malformed(void)
{
	const uint8_t M = KAFKA_PACK_MAGIC;

	refused("no bytes", (const uint8_t *)"", 0, "first byte missing");
	refused("another magic", (const uint8_t *)"\x01\x00\x00\x00\x00", 5,
		"not a pack");
	refused("magic alone", &M, 1, "empty pack");
	/* the smallest record, for reference: no key, no value, time 0 */
	taken("smallest", (const uint8_t[]){ M, 0, 0, 0, 0 }, 5, 1);
	taken("two smallest", (const uint8_t[]){ M, 0, 0, 0, 0, 0, 0, 0, 0 }, 9, 2);
	/* a varint that never ends */
	refused("varint cut", (const uint8_t[]){ M, 0x80 }, 2, "record 1");
	refused("varint of 11 bytes", (const uint8_t[]){ M, 0x80, 0x80, 0x80,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 0, 0 }, 15,
		"record 1");
	/* lengths past the end, by one and by far */
	refused("key past the end", (const uint8_t[]){ M, 3, 'a', 0, 0, 0 }, 6,
		"cut short");
	refused("value past the end", (const uint8_t[]){ M, 0, 2, 0, 0 }, 5,
		"cut short");
	refused("key length 2^64-1", (const uint8_t[]){ M, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0 }, 14,
		"record 1");
	/* a header count larger than the bytes left */
	refused("header count 2^63", (const uint8_t[]){ M, 0, 0, 0, 0x80, 0x80,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 14, "record 1");
	/* varints past 64 bits, whose lost bits would leave 0 or 1 */
	refused("header count 2^64", (const uint8_t[]){ M, 0, 0, 0, 0x80, 0x80,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02 }, 14, "record 1");
	refused("key length 2^64 + 1", (const uint8_t[]){ M, 0x81, 0x80, 0x80,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0, 0, 0 }, 14,
		"record 1");
	refused("timestamp past 64 bits", (const uint8_t[]){ M, 0, 0, 0x80,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, 0 }, 14,
		"record 1");
	taken("timestamp of 10 bytes", (const uint8_t[]){ M, 0, 0, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0 }, 14, 1);
	refused("header count past the end", (const uint8_t[]){ M, 0, 0, 0, 2,
		2, 'a', 0, 0 }, 9, "record 1");
	/* header names: length 0 (no room for the NUL), no NUL, inner NUL */
	taken("header", (const uint8_t[]){ M, 0, 0, 0, 1, 2, 'a', 0, 0 }, 9, 1);
	taken("header, empty name", (const uint8_t[]){ M, 0, 0, 0, 1, 1, 0, 1 }, 8, 1);
	refused("header name length 0", (const uint8_t[]){ M, 0, 0, 0, 1, 0, 0 },
		7, "record 1");
	refused("header name without NUL", (const uint8_t[]){ M, 0, 0, 0, 1, 2,
		'a', 'b', 0 }, 9, "record 1");
	refused("header name with an inner NUL", (const uint8_t[]){ M, 0, 0, 0,
		1, 3, 'a', 0, 0, 0 }, 10, "record 1");
	refused("header name past the end", (const uint8_t[]){ M, 0, 0, 0, 1,
		5, 'a', 0 }, 8, "record 1");
	refused("header value past the end", (const uint8_t[]){ M, 0, 0, 0, 1,
		2, 'a', 0, 3, 'x' }, 10, "record 1");
	/* a good record, then a bad one: where it is */
	refused("second record bad", (const uint8_t[]){ M, 0, 0, 0, 0, 5, 'a' },
		7, "record 2 of the pack, at byte 5");
}

int main(void)
{
	sl_arena *arena = sl_arena_new();

	if (arena == NULL)
		return 99;
	test_round_trip(arena);
	test_reset(arena);
	test_full();
	test_truncations();
	test_malformed();
	sl_arena_free(arena);
	return check_done("test_pack");
}
