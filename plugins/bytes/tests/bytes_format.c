/*
 * bytes_format.c - the bytes format, loaded as the engine loads it.
 *
 * The real plugin library is found through the registry and loaded with
 * the engine's loader, so the descriptor, the entry point and the code
 * are tested together.  Every byte value, NULs and invalid UTF-8 must
 * decode unchecked and uncopied and encode back to the same bytes; any
 * other value must encode exactly as the `string` format encodes it.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/plugin.h>

#include "base/arena.h"
#include "plugin/descriptor.h"
#include "plugin/loader.h"
#include "check.h"
#include "optest.h"

static const sl_format_class *fmt, *string_fmt;
static sl_arena *arena;

/* Decode @p len bytes and encode the value again: the same bytes back. */
static void round_trip(const char *what, const uint8_t *data, size_t len)
{
	sl_value v;
	sl_buf buf = { NULL, 0, 0, arena };
	sl_error err;
	int rc;

	err.kind = SL_ERR_NONE;
	rc = fmt->decode(NULL, data, len, arena, &v, &err);
	CHECK_MSG(rc == SL_OK, "%s: decode failed: %s", what, rc ? err.message : "");
	if (rc != SL_OK)
		return;
	CHECK_MSG(v.type == SL_TBYTES && v.len == len, "%s: not %zu bytes but %s of %u",
		  what, len, sl_type_name(v.type), v.len);
	/* no copy: the value points into the record's bytes */
	CHECK_MSG(len == 0 || v.as.bytes == data, "%s: value was copied", what);
	CHECK_MSG(v.as.bytes != NULL, "%s: NULL bytes pointer", what);
	rc = fmt->encode(NULL, &v, &buf, &err);
	CHECK_MSG(rc == SL_OK, "%s: encode failed: %s", what, rc ? err.message : "");
	if (rc != SL_OK)
		return;
	CHECK_MSG(buf.len == len && (len == 0 || memcmp(buf.data, data, len) == 0),
		  "%s: %zu bytes back, not the %zu given", what, buf.len, len);
}

#define RT(what, lit) round_trip(what, (const uint8_t *)(lit), sizeof(lit) - 1)

static void test_round_trip(void)
{
	uint8_t all[256], one[1], *big;
	char what[64];
	size_t i;

	for (i = 0; i < 256; i++) {
		one[0] = (uint8_t)i;
		snprintf(what, sizeof what, "the byte 0x%02zX alone", i);
		round_trip(what, one, 1);
		all[i] = (uint8_t)i;
	}
	round_trip("every byte value 0x00..0xFF in one value", all, sizeof all);
	for (i = 0; i < 256; i++)
		all[i] = (uint8_t)(255 - i);
	round_trip("every byte value, descending", all, sizeof all);
	RT("empty", "");
	round_trip("empty, no pointer (a null payload)", NULL, 0);
	RT("NULs only", "\0\0\0\0");
	RT("NUL inside text", "a\0b\0");
	RT("lone continuation byte", "\x80");
	RT("overlong NUL", "\xC0\x80");
	RT("surrogate as CESU-8", "\xED\xA0\xBD\xED\xB8\x80");
	RT("past U+10FFFF", "\xF4\x90\x80\x80");
	RT("truncated sequence at the end", "abc\xE2\x82");
	RT("FE FF (a UTF-16 BOM)", "\xFE\xFF\x00h\x00i");
	RT("valid UTF-8 stays bytes", "caf\xC3\xA9");
	RT("an Avro-like record", "\x02\x06" "foo" "\x00\x80\x01");
	big = malloc(1 << 20);
	CHECK(big != NULL);
	if (big != NULL) {
		for (i = 0; i < 1 << 20; i++)
			big[i] = (uint8_t)(i * 131 + (i >> 8));
		round_trip("1 MiB of every byte value", big, 1 << 20);
		free(big);
	}
}

/* ---- encoding what is not bytes: as `string` writes it ---------------- */

/* @p v must encode as @p want, and the `string` format must agree. */
static void encode_as_string(const char *what, const sl_value *v,
			     const char *want, size_t want_len)
{
	sl_buf mine = { NULL, 0, 0, arena }, theirs = { NULL, 0, 0, arena };
	sl_error err;
	int rc;

	rc = fmt->encode(NULL, v, &mine, &err);
	CHECK_MSG(rc == SL_OK, "%s: encode failed: %s", what, rc ? err.message : "");
	rc = string_fmt->encode(NULL, v, &theirs, &err);
	CHECK_MSG(rc == SL_OK, "%s: string's encode failed: %s", what,
		  rc ? err.message : "");
	CHECK_MSG(mine.len == want_len &&
		  (want_len == 0 || memcmp(mine.data, want, want_len) == 0),
		  "%s: got '%.*s', want '%s'", what, (int)mine.len,
		  mine.data ? (const char *)mine.data : "", want);
	CHECK_MSG(mine.len == theirs.len &&
		  (mine.len == 0 || memcmp(mine.data, theirs.data, mine.len) == 0),
		  "%s: '%.*s' but string writes '%.*s'", what, (int)mine.len,
		  mine.data ? (const char *)mine.data : "", (int)theirs.len,
		  theirs.data ? (const char *)theirs.data : "");
}

#define AS(what, v, lit) encode_as_string(what, v, lit, sizeof(lit) - 1)

/* NaN cannot be written by either format, with the same record error. */
static void encode_fails(const char *what, const sl_value *v)
{
	sl_buf buf = { NULL, 0, 0, arena };
	sl_error err, theirs;
	int rc;

	err.kind = SL_ERR_NONE;
	rc = fmt->encode(NULL, v, &buf, &err);
	CHECK_MSG(rc == SL_ERR, "%s: accepted", what);
	if (rc != SL_ERR)
		return;
	CHECK_MSG(err.kind == SL_ERR_RECORD, "%s: kind %d, not a record error",
		  what, err.kind);
	CHECK_MSG(string_fmt->encode(NULL, v, &buf, &theirs) == SL_ERR &&
		  strcmp(err.message, theirs.message) == 0,
		  "%s: '%s', string says '%s'", what, err.message, theirs.message);
}

static void test_encode_values(void)
{
	sl_value v, items[3];
	sl_member members[3];

	v = sl_value_string("caf\xC3\xA9 \"as is\"\n", 14);
	AS("a string as its bytes", &v, "caf\xC3\xA9 \"as is\"\n");
	v = sl_value_string("", 0);
	AS("an empty string", &v, "");
	v = sl_value_int(42);
	AS("int as its decimal text", &v, "42");
	v = sl_value_int(INT64_MIN);
	AS("int64 min", &v, "-9223372036854775808");
	v = sl_value_double(0.1);
	AS("double, shortest text", &v, "0.1");
	v = sl_value_bool(1);
	AS("bool as JSON", &v, "true");
	v = sl_value_null();
	AS("null as JSON", &v, "null");

	/* an operator's object, holding bytes too: compact JSON, the bytes
	 * base64 as the JSON writer writes them */
	items[0] = sl_value_int(1);
	items[1] = sl_value_string("x", 1);
	items[2] = sl_value_null();
	members[0].key = "a";
	members[0].key_len = 1;
	members[0].value = sl_value_bool(0);
	members[1].key = "list";
	members[1].key_len = 4;
	members[1].value.type = SL_TARRAY;
	members[1].value.len = 3;
	members[1].value.as.items = items;
	members[2].key = "raw";
	members[2].key_len = 3;
	members[2].value = sl_value_bytes("\x00\xFF\x80", 3);
	v.type = SL_TOBJECT;
	v.len = 3;
	v.as.members = members;
	AS("object as compact JSON", &v,
	   "{\"a\":false,\"list\":[1,\"x\",null],\"raw\":\"AP+A\"}");

	v = sl_value_double(NAN);
	encode_fails("NaN", &v);
	items[2] = sl_value_double(-INFINITY);
	v.type = SL_TARRAY;
	v.len = 3;
	v.as.items = items;
	encode_fails("-Infinity inside an array", &v);
}

int main(void)
{
	sl_registry reg, string_reg;
	sl_loader *loader = NULL, *string_loader = NULL;

	fmt = optest_load_plugin("bytes", &reg, &loader)->format;
	string_fmt = optest_load_plugin("string", &string_reg, &string_loader)->format;
	if (fmt == NULL || string_fmt == NULL) {
		printf("not ok - cannot load the bytes and string plugins\n");
		return 1;
	}
	arena = sl_arena_new();
	test_round_trip();
	test_encode_values();
	sl_arena_free(arena);
	sl_loader_free(loader);
	sl_loader_free(string_loader);
	sl_registry_free(&reg);
	sl_registry_free(&string_reg);
	return check_done("bytes_format");
}
