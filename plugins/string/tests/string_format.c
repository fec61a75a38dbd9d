/*
 * string_format.c - the string format, loaded as the engine loads it.
 *
 * The real plugin library is found through the registry and loaded with
 * the engine's loader, so the descriptor, the entry point and the code
 * are tested together.
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

static const sl_format_class *fmt;
static sl_arena *arena;

static const sl_format_class *load_format(const char *name, sl_registry *reg,
					  sl_loader **loader)
{
	return optest_load_plugin(name, reg, loader)->format;
}

/* ---- decode ----------------------------------------------------------- */

static void decode_ok(const char *what, const char *bytes, size_t len)
{
	sl_value v;
	sl_error err;
	int rc = fmt->decode(NULL, (const uint8_t *)bytes, len, arena, &v, &err);

	CHECK_MSG(rc == SL_OK, "%s: decode failed: %s", what, rc ? err.message : "");
	if (rc != SL_OK)
		return;
	CHECK_MSG(v.type == SL_TSTRING && v.len == len, "%s: not a %zu-byte string", what, len);
	/* no copy: the value points into the record's bytes */
	CHECK_MSG(len == 0 || v.as.s == bytes, "%s: value was copied", what);
}

static void decode_bad(const char *what, const char *bytes, size_t len,
		       size_t offset)
{
	sl_value v;
	sl_error err;
	char want[64];
	int rc;

	err.kind = SL_ERR_NONE;
	rc = fmt->decode(NULL, (const uint8_t *)bytes, len, arena, &v, &err);
	snprintf(want, sizeof want, "invalid UTF-8 at byte offset %zu", offset);
	CHECK_MSG(rc == SL_ERR, "%s: accepted", what);
	if (rc != SL_ERR)
		return;
	CHECK_MSG(err.kind == SL_ERR_RECORD, "%s: kind %d, not a record error", what, err.kind);
	CHECK_MSG(strcmp(err.message, want) == 0, "%s: message '%s', want '%s'", what,
	      err.message, want);
}

#define OK(what, lit) decode_ok(what, lit, sizeof(lit) - 1)
#define BAD(what, lit, at) decode_bad(what, lit, sizeof(lit) - 1, at)

static void test_decode(void)
{
	char big[4096];
	size_t i;

	OK("empty", "");
	OK("ascii", "hello");
	OK("ascii, several 8-byte words", "the quick brown fox jumps over the lazy dog");
	OK("NUL is a character", "a\0b");
	OK("2-byte", "h\xC3\xA9llo");
	OK("3-byte euro", "\xE2\x82\xAC");
	OK("4-byte G clef", "\xF0\x9D\x84\x9E");
	OK("U+0080", "\xC2\x80");
	OK("U+07FF", "\xDF\xBF");
	OK("U+0800", "\xE0\xA0\x80");
	OK("U+D7FF before the surrogates", "\xED\x9F\xBF");
	OK("U+E000 after the surrogates", "\xEE\x80\x80");
	OK("U+FFFF", "\xEF\xBF\xBF");
	OK("U+10000", "\xF0\x90\x80\x80");
	OK("U+10FFFF, the last", "\xF4\x8F\xBF\xBF");
	OK("multibyte after an ASCII word", "12345678\xC3\xA9" "abcdefgh\xF0\x9F\x98\x80");
	for (i = 0; i + 3 <= sizeof big; i += 3)
		memcpy(big + i, "\xE2\x82\xAC", 3);
	decode_ok("4095 bytes of euros", big, i);

	BAD("lone continuation", "\x80", 0);
	BAD("continuation after ASCII word", "abcdefghi\xBF", 9);
	BAD("overlong 2-byte C0", "ab\xC0\x80", 2);
	BAD("overlong 2-byte C1", "\xC1\xBF", 0);
	BAD("overlong 3-byte", "\xE0\x80\xAF", 0);
	BAD("overlong 3-byte, upper", "\xE0\x9F\xBF", 0);
	BAD("overlong 4-byte", "\xF0\x80\x80\xAF", 0);
	BAD("overlong 4-byte, upper", "\xF0\x8F\xBF\xBF", 0);
	BAD("high surrogate D800", "x\xED\xA0\x80", 1);
	BAD("low surrogate DFFF", "\xED\xBF\xBF", 0);
	BAD("surrogate pair as CESU-8", "\xED\xA0\xBD\xED\xB8\x80", 0);
	BAD("past U+10FFFF", "\xF4\x90\x80\x80", 0);
	BAD("F5 lead", "\xF5\x80\x80\x80", 0);
	BAD("FE", "\xFE", 0);
	BAD("FF after 8 ASCII", "12345678\xFF", 8);
	BAD("truncated 2-byte at end", "abc\xC3", 3);
	BAD("truncated 3-byte at end", "abc\xE2\x82", 3);
	BAD("truncated 4-byte at end", "\xF0\x9F\x98", 0);
	BAD("3-byte cut by ASCII", "\xE2\x82" "A", 0);
	BAD("4-byte with bad 4th byte", "\xF0\x9F\x98" "A", 0);
	BAD("second sequence bad", "\xC3\xA9\xC3", 2);
}

/* ---- encode ----------------------------------------------------------- */

static void encode_is(const char *what, const sl_value *v, const char *want)
{
	sl_buf buf = { NULL, 0, 0, arena };
	sl_error err;
	int rc = fmt->encode(NULL, v, &buf, &err);

	CHECK_MSG(rc == SL_OK, "%s: encode failed: %s", what, rc ? err.message : "");
	if (rc != SL_OK)
		return;
	CHECK_MSG(buf.len == strlen(want) &&
	      (buf.len == 0 || memcmp(buf.data, want, buf.len) == 0),
	      "%s: got '%.*s', want '%s'", what, (int)buf.len,
	      buf.data ? (const char *)buf.data : "", want);
}

static void encode_fails(const char *what, const sl_value *v)
{
	sl_buf buf = { NULL, 0, 0, arena };
	sl_error err;
	int rc;

	err.kind = SL_ERR_NONE;
	rc = fmt->encode(NULL, v, &buf, &err);
	CHECK_MSG(rc == SL_ERR, "%s: accepted", what);
	if (rc == SL_ERR)
		CHECK_MSG(err.kind == SL_ERR_RECORD && strstr(err.message, "NaN/Infinity"),
		      "%s: error %d '%s'", what, err.kind, err.message);
}

static void test_encode(void)
{
	sl_value v, items[3];
	sl_member members[2];

	v = sl_value_string("caf\xC3\xA9 \"as is\"\n", 14);
	encode_is("string as its bytes", &v, "caf\xC3\xA9 \"as is\"\n");
	v = sl_value_string("", 0);
	encode_is("empty string", &v, "");
	v = sl_value_bytes("\x01\x02z", 3);
	encode_is("bytes as they are", &v, "\x01\x02z");
	v = sl_value_int(42);
	encode_is("int", &v, "42");
	v = sl_value_int(INT64_MIN);
	encode_is("int64 min", &v, "-9223372036854775808");
	v = sl_value_double(1.5);
	encode_is("double", &v, "1.5");
	v = sl_value_double(0.1);
	encode_is("double, shortest text", &v, "0.1");
	v = sl_value_bool(1);
	encode_is("bool as JSON", &v, "true");
	v = sl_value_null();
	encode_is("null as JSON", &v, "null");

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
	v.type = SL_TOBJECT;
	v.len = 2;
	v.as.members = members;
	encode_is("object as compact JSON", &v, "{\"a\":false,\"list\":[1,\"x\",null]}");

	v = sl_value_double(NAN);
	encode_fails("NaN", &v);
	v = sl_value_double(-INFINITY);
	encode_fails("-Infinity", &v);
	items[2] = sl_value_double(INFINITY);
	v.type = SL_TARRAY;
	v.len = 3;
	v.as.items = items;
	encode_fails("Infinity inside an array", &v);
}

int main(void)
{
	sl_registry reg;
	sl_loader *loader = NULL;

	fmt = load_format("string", &reg, &loader);
	if (fmt == NULL) {
		printf("not ok - cannot load the string plugin\n");
		return 1;
	}
	arena = sl_arena_new();
	test_decode();
	test_encode();
	sl_arena_free(arena);
	sl_loader_free(loader);
	sl_registry_free(&reg);
	return check_done("string_format");
}
