/* The record codec of repartition topics (base/record_codec.h) and the
 * hop's formats built on it (plugin/hop_formats.h): every value type
 * round-trips, the bytes are the documented ones, and truncated, corrupt,
 * over-long, too-deep and foreign input is refused with a record error. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/record_codec.h"
#include "plugin/hop_formats.h"
#include "plugin/loader.h"
#include "runtime/engine.h"
#include "check.h"
#include "value_same.h"

static sl_arena *arena;

/* @p v encoded into @p buf (from the arena); SL_OK or SL_ERR. */
static int encode(const sl_value *v, sl_buf *buf, sl_error *err)
{
	memset(buf, 0, sizeof *buf);
	buf->arena = arena;
	err->kind = SL_ERR_NONE;
	return sl_record_codec_encode(v, buf, err);
}

/* Decode @p len bytes from a heap block of exactly that size, so a read
 * past the end is one past the allocation (caught under ASan). */
static int decode(const void *data, size_t len, sl_value *out, sl_error *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	if (copy == NULL)
		abort();
	if (len)
		memcpy(copy, data, len);
	err->kind = SL_ERR_NONE;
	err->message[0] = '\0';
	rc = sl_record_codec_decode(copy, len, arena, out, err);
	/* strings point into the input: compare before it goes */
	if (rc == SL_OK) {
		uint8_t *keep = sl_arena_alloc(arena, len ? len : 1);

		memcpy(keep, copy, len);
		rc = sl_record_codec_decode(keep, len, arena, out, err);
	}
	free(copy);
	return rc;
}

static void round_trip(const char *what, const sl_value *v)
{
	sl_buf once, twice;
	sl_value back;
	sl_error err;

	CHECK_MSG(encode(v, &once, &err) == SL_OK, "%s: encode: %s", what,
		  err.message);
	CHECK_MSG(once.len > 0 && once.data[0] == SL_RECORD_CODEC_MAGIC,
		  "%s: no magic byte", what);
	CHECK_MSG(decode(once.data, once.len, &back, &err) == SL_OK,
		  "%s: decode: %s", what, err.message);
	CHECK_MSG(value_same(v, &back), "%s: decoded to another value", what);
	CHECK_MSG(encode(&back, &twice, &err) == SL_OK && twice.len == once.len &&
		  memcmp(once.data, twice.data, once.len) == 0,
		  "%s: encoded again to other bytes", what);
}

/* @p v encodes to exactly the @p len bytes @p want. */
static void encodes_as(const char *what, const sl_value *v, const char *want,
		       size_t len)
{
	sl_buf buf;
	sl_error err;

	CHECK_MSG(encode(v, &buf, &err) == SL_OK && buf.len == len &&
		  memcmp(buf.data, want, len) == 0, "%s: not the documented bytes",
		  what);
}

/* @p len bytes are refused with a record error whose message holds @p why. */
static void refused(const char *what, const void *data, size_t len,
		    const char *why)
{
	sl_value v;
	sl_error err;

	CHECK_MSG(decode(data, len, &v, &err) == SL_ERR &&
		  err.kind == SL_ERR_RECORD && strstr(err.message, why) != NULL,
		  "%s: want a record error with '%s', got kind %d '%s'", what,
		  why, (int)err.kind, err.message);
}

static sl_value *items(size_t n)
{
	return sl_arena_alloc(arena, n * sizeof(sl_value));
}

/* An object of every type, nested. */
static sl_value every_type(void)
{
	static const uint8_t raw[] = { 0x00, 0xff, 0xa1, 0x7b };
	sl_value *list = items(9), *inner = items(2), obj;
	sl_member *m = sl_arena_alloc(arena, 4 * sizeof *m);

	list[0] = sl_value_null();
	list[1] = sl_value_bool(0);
	list[2] = sl_value_bool(1);
	list[3] = sl_value_int(-123456789012345LL);
	list[4] = sl_value_double(-2.5e-300);
	list[5] = sl_value_string("gr\xc3\xbc\xc3\x9f " "\xf0\x9f\x8c\x8a", 11);
	list[6] = sl_value_bytes(raw, sizeof raw);
	inner[0] = sl_value_int(7);
	inner[1] = sl_value_string("", 0);
	list[7].type = SL_TARRAY;
	list[7].len = 2;
	list[7].as.items = inner;
	list[8].type = SL_TOBJECT;
	list[8].len = 0;
	list[8].as.members = NULL;
	m[0] = (sl_member){ "list", 4, { SL_TARRAY, 9, { .items = list } } };
	m[1] = (sl_member){ "", 0, sl_value_int(0) };
	m[2] = (sl_member){ "list", 4, sl_value_null() }; /* names may repeat */
	m[3] = (sl_member){ "\xc3\xa9t\xc3\xa9", 5, sl_value_double(1.0) };
	obj.type = SL_TOBJECT;
	obj.len = 4;
	obj.as.members = m;
	return obj;
}

static void test_round_trips(void)
{
	static const int64_t ints[] = { 0, 1, -1, 63, -64, 64, -65, 127, 128,
		8191, -8192, 1LL << 40, -(1LL << 40), INT64_MAX, INT64_MIN };
	static const double doubles[] = { 0.0, -0.0, 1.5, -1e308, 4.9e-324,
		3.141592653589793 };
	sl_value v, arr, obj;
	size_t i;

	v = sl_value_null();
	round_trip("null", &v);
	v = sl_value_bool(0);
	round_trip("false", &v);
	v = sl_value_bool(1);
	round_trip("true", &v);
	for (i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		char what[64];

		snprintf(what, sizeof what, "int %lld", (long long)ints[i]);
		v = sl_value_int(ints[i]);
		round_trip(what, &v);
	}
	for (i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
		v = sl_value_double(doubles[i]);
		round_trip("double", &v);
	}
	/* what JSON cannot carry crosses the hop as it is */
	v = sl_value_double(NAN);
	round_trip("NaN", &v);
	v = sl_value_double(-INFINITY);
	round_trip("-Infinity", &v);
	v = sl_value_string("", 0);
	round_trip("empty string", &v);
	v = sl_value_string("page_view", 9);
	round_trip("string", &v);
	v = sl_value_bytes("", 0);
	round_trip("empty bytes", &v);
	v = sl_value_bytes("\x00\xff\x80", 3);
	round_trip("bytes", &v);
	arr.type = SL_TARRAY;
	arr.len = 0;
	arr.as.items = NULL;
	round_trip("empty array", &arr);
	obj.type = SL_TOBJECT;
	obj.len = 0;
	obj.as.members = NULL;
	round_trip("empty object", &obj);
	v = every_type();
	round_trip("every type nested", &v);
}

static void test_bytes(void)
{
	sl_value v;
	sl_member m = { "a", 1, sl_value_bool(1) };

	v = sl_value_int(1);
	encodes_as("int 1", &v, "\xa1\x03\x02", 3);
	v = sl_value_int(-1);
	encodes_as("int -1", &v, "\xa1\x03\x01", 3);
	v = sl_value_int(64);
	encodes_as("int 64", &v, "\xa1\x03\x80\x01", 4);
	v = sl_value_double(1.0);
	encodes_as("double 1", &v, "\xa1\x04\x00\x00\x00\x00\x00\x00\xf0\x3f", 10);
	v = sl_value_string("hi", 2);
	encodes_as("string", &v, "\xa1\x05\x02hi", 5);
	v.type = SL_TOBJECT;
	v.len = 1;
	v.as.members = &m;
	encodes_as("object", &v, "\xa1\x08\x01\x01" "a\x02", 6);
	v = sl_value_null();
	encodes_as("null", &v, "\xa1\x00", 2);
}

/* Arrays nested @p depth deep around a null. */
static sl_value nested(int depth)
{
	sl_value v = sl_value_null();
	int i;

	for (i = 0; i < depth; i++) {
		sl_value *in = items(1);

		*in = v;
		v.type = SL_TARRAY;
		v.len = 1;
		v.as.items = in;
	}
	return v;
}

static void test_depth(void)
{
	sl_value ok = nested(SL_RECORD_CODEC_MAX_DEPTH);
	sl_value deep = nested(SL_RECORD_CODEC_MAX_DEPTH + 1);
	sl_buf buf;
	sl_error err;
	uint8_t *bytes;
	size_t n = SL_RECORD_CODEC_MAX_DEPTH + 1, i;

	round_trip("nested as deep as allowed", &ok);
	CHECK(encode(&deep, &buf, &err) == SL_ERR && err.kind == SL_ERR_RECORD);
	CHECK_HAS(err.message, "nested more than 2048 deep");
	/* written by hand: one level more than the decoder takes */
	bytes = malloc(1 + 2 * n + 1);
	bytes[0] = SL_RECORD_CODEC_MAGIC;
	for (i = 0; i < n; i++) {
		bytes[1 + 2 * i] = 0x07;
		bytes[2 + 2 * i] = 0x01;
	}
	bytes[1 + 2 * n] = 0x00;
	refused("too deep", bytes, 2 + 2 * n, "nested more than 2048 deep");
	free(bytes);
}

static void test_refused(void)
{
	refused("empty", "", 0, "empty record");
	refused("json", "{\"a\":1}", 7, "not a sluice record but JSON text "
		"(first byte '{'), as sluice wrote repartition topics before");
	refused("text", "7/click", 7, "not a sluice record (first byte 0x37, "
		"want 0xa1)");
	refused("newer version", "\xa2\x00", 2, "version 2 (first byte 0xa2) is newer");
	refused("magic only", "\xa1", 1, "truncated at byte 1");
	refused("trailing byte", "\xa1\x00\x00", 3, "1 more byte after the value, at byte 2");
	refused("unknown type", "\xa1\x09", 2, "unknown type byte 0x09 at byte 1");
	refused("overlong varint", "\xa1\x03\x80\x00", 4, "not in its shortest form");
	refused("varint past 64 bits",
		"\xa1\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 12,
		"beyond 64 bits");
	refused("varint cut", "\xa1\x03\x80", 3, "truncated");
	refused("double cut", "\xa1\x04\x00\x00\x00", 5, "truncated");
	refused("string longer than the record", "\xa1\x05\x05" "abc", 6,
		"string 5 at byte 2 is more than the 3 bytes");
	refused("string length past 4 GiB", "\xa1\x05\x80\x80\x80\x80\x10", 7,
		"string 4294967296");
	refused("string not UTF-8", "\xa1\x05\x02" "a\xff", 5, "not UTF-8");
	refused("name not UTF-8", "\xa1\x08\x01\x01\xc0\x00", 6, "not UTF-8");
	/* a count is checked against what is left before anything is
	 * allocated for it */
	refused("huge array", "\xa1\x07\xff\xff\xff\xff\x0f\x00", 8,
		"array length 4294967295");
	refused("object bigger than its bytes", "\xa1\x08\x02\x00\x00\x00", 6,
		"object size 2");
	refused("array length past its bytes", "\xa1\x07\x02\x00", 4,
		"array length 2 at byte 2 is more than the 1 bytes");
	refused("array item cut", "\xa1\x07\x02\x03\x80", 5, "truncated at byte 5 (int)");
}

/*
 * Every prefix of a valid record is refused, and every byte of it
 * changed to a few values either is refused or decodes to a value that
 * encodes back to exactly those bytes (one encoding per value).
 */
static void test_corrupt(void)
{
	static const uint8_t subst[] = { 0x00, 0x01, 0x02, 0x07, 0x08, 0x7f,
		0x80, 0xa1, 0xc3, 0xff };
	sl_value v = every_type(), back;
	sl_buf buf, again;
	sl_error err;
	uint8_t *bytes;
	size_t i, k, bad = 0;

	CHECK(encode(&v, &buf, &err) == SL_OK);
	bytes = malloc(buf.len);
	memcpy(bytes, buf.data, buf.len);
	for (i = 0; i < buf.len; i++)
		bad += decode(bytes, i, &back, &err) != SL_ERR ||
			err.kind != SL_ERR_RECORD;
	CHECK_MSG(bad == 0, "%zu prefixes were not refused", bad);
	for (i = 0; i < buf.len; i++) {
		uint8_t was = bytes[i];

		for (k = 0; k < sizeof subst; k++) {
			bytes[i] = subst[k];
			if (decode(bytes, buf.len, &back, &err) != SL_OK) {
				bad += err.kind != SL_ERR_RECORD;
				continue;
			}
			bad += encode(&back, &again, &err) != SL_OK ||
				again.len != buf.len ||
				memcmp(again.data, bytes, buf.len) != 0;
		}
		bytes[i] = was;
		sl_arena_reset(arena);
	}
	CHECK_MSG(bad == 0, "%zu changed records broke the rules", bad);
	free(bytes);
}

/* The hop's formats, as the loader hands them to the engine. */
static void test_hop_formats(void)
{
	const sl_plugin *value_p, *key_p;
	sl_loader *loader = sl_loader_new(&sl_core_host);
	sl_registry reg;
	sl_value v, back, obj = every_type();
	sl_buf buf;
	sl_error err;

	memset(&reg, 0, sizeof reg); /* no plugin installed at all */
	CHECK(loader != NULL);
	CHECK(sl_loader_get(loader, &reg, &sl_hop_value_format, &value_p, &err) == SL_OK);
	CHECK(sl_loader_get(loader, &reg, &sl_hop_key_format, &key_p, &err) == SL_OK);
	CHECK(value_p != NULL && value_p->format != NULL && key_p->format != NULL);
	CHECK_STR(value_p->name, sl_hop_value_format.name);
	CHECK(sl_builtin_plugin(&sl_hop_key_format) == key_p);

	/* values: the record codec */
	memset(&buf, 0, sizeof buf);
	buf.arena = arena;
	CHECK(value_p->format->encode(NULL, &obj, &buf, &err) == SL_OK);
	CHECK(buf.data[0] == SL_RECORD_CODEC_MAGIC);
	CHECK(value_p->format->decode(NULL, buf.data, buf.len, arena, &back,
				      &err) == SL_OK && value_same(&obj, &back));
	CHECK(value_p->format->decode(NULL, (const uint8_t *)"{}", 2, arena,
				      &back, &err) == SL_ERR &&
	      err.kind == SL_ERR_RECORD);

	/* keys: the text keyed stages group by, read back as a string */
	memset(&buf, 0, sizeof buf);
	buf.arena = arena;
	v = sl_value_int(-42);
	CHECK(key_p->format->encode(NULL, &v, &buf, &err) == SL_OK &&
	      buf.len == 3 && memcmp(buf.data, "-42", 3) == 0);
	CHECK(key_p->format->decode(NULL, buf.data, buf.len, arena, &back,
				    &err) == SL_OK && back.type == SL_TSTRING &&
	      back.len == 3 && memcmp(back.as.s, "-42", 3) == 0);
	memset(&buf, 0, sizeof buf);
	buf.arena = arena;
	v = sl_value_string("7/click", 7);
	CHECK(key_p->format->encode(NULL, &v, &buf, &err) == SL_OK &&
	      buf.len == 7 && memcmp(buf.data, "7/click", 7) == 0);
	v = sl_value_string("\xff" "sluice.control", 15);
	CHECK(key_p->format->encode(NULL, &v, &buf, &err) == SL_ERR &&
	      err.kind == SL_ERR_RECORD);
	CHECK_HAS(err.message, "not UTF-8");
	v = sl_value_double(NAN);
	CHECK(key_p->format->encode(NULL, &v, &buf, &err) == SL_ERR &&
	      err.kind == SL_ERR_RECORD);
	CHECK(key_p->format->decode(NULL, (const uint8_t *)"a\xc0", 2, arena,
				    &back, &err) == SL_ERR &&
	      err.kind == SL_ERR_RECORD);
	sl_loader_free(loader);
}

int main(void)
{
	arena = sl_arena_new();
	if (arena == NULL)
		return 1;
	test_round_trips();
	test_bytes();
	test_depth();
	test_refused();
	test_corrupt();
	test_hop_formats();
	sl_arena_free(arena);
	return check_done("record_codec");
}
