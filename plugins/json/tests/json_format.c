/*
 * json_format.c - the json format, loaded as the engine loads it.
 *
 * Decoding is checked value by value (types, member order, escapes, big
 * numbers), encoding by exact text where the text is canonical and by
 * decode(encode(v)) == v where escaping leaves a choice.  Everything runs
 * with an instance, as the engine opens one (simdjson when the plugin has
 * it, jansson for what it refuses), then without (jansson alone).
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
static void *self; /* the instance under test, or NULL */
static sl_arena *arena;

static const sl_format_class *load_format(const char *name, sl_registry *reg,
					  sl_loader **loader)
{
	return optest_load_plugin(name, reg, loader)->format;
}

static int decode(const char *text, size_t len, sl_value *v, sl_error *err)
{
	err->kind = SL_ERR_NONE;
	return fmt->decode(self, (const uint8_t *)text, len, arena, v, err);
}

static int encode(const sl_value *v, sl_buf *buf, sl_error *err)
{
	buf->data = NULL;
	buf->len = buf->cap = 0;
	buf->arena = arena;
	err->kind = SL_ERR_NONE;
	return fmt->encode(self, v, buf, err);
}

static int same_value(const sl_value *a, const sl_value *b)
{
	uint32_t i;

	if (a->type != b->type || (a->type >= SL_TSTRING && a->len != b->len))
		return 0;
	switch (a->type) {
	case SL_TNULL:
		return 1;
	case SL_TBOOL:
		return a->as.b == b->as.b;
	case SL_TINT:
		return a->as.i == b->as.i;
	case SL_TDOUBLE:
		return a->as.d == b->as.d;
	case SL_TSTRING:
	case SL_TBYTES:
		return a->len == 0 || memcmp(a->as.s, b->as.s, a->len) == 0;
	case SL_TARRAY:
		for (i = 0; i < a->len; i++)
			if (!same_value(&a->as.items[i], &b->as.items[i]))
				return 0;
		return 1;
	case SL_TOBJECT:
		for (i = 0; i < a->len; i++) {
			const sl_member *x = &a->as.members[i], *y = &b->as.members[i];
			if (x->key_len != y->key_len ||
			    memcmp(x->key, y->key, x->key_len) != 0 ||
			    !same_value(&x->value, &y->value))
				return 0;
		}
		return 1;
	}
	return 0;
}

/* Decode @p text; encoding it must give @p want (NULL: any text that
 * decodes to the same value). */
static void round_trip(const char *what, const char *text, const char *want)
{
	sl_value v, again;
	sl_buf buf;
	sl_error err;

	if (decode(text, strlen(text), &v, &err) != SL_OK) {
		CHECK_MSG(0, "%s: decode failed: %s", what, err.message);
		return;
	}
	if (encode(&v, &buf, &err) != SL_OK) {
		CHECK_MSG(0, "%s: encode failed: %s", what, err.message);
		return;
	}
	if (want != NULL)
		CHECK_MSG(buf.len == strlen(want) && memcmp(buf.data, want, buf.len) == 0,
		      "%s: encoded as '%.*s', want '%s'", what, (int)buf.len,
		      (const char *)buf.data, want);
	if (decode((const char *)buf.data, buf.len, &again, &err) != SL_OK)
		CHECK_MSG(0, "%s: own output '%.*s' does not decode: %s", what,
		      (int)buf.len, (const char *)buf.data, err.message);
	else
		CHECK_MSG(same_value(&v, &again), "%s: value changed through '%.*s'",
		      what, (int)buf.len, (const char *)buf.data);
}

static void bad(const char *what, const char *text, size_t len, const char *where)
{
	sl_value v;
	sl_error err;
	int rc = decode(text, len, &v, &err);

	CHECK_MSG(rc == SL_ERR, "%s: accepted", what);
	if (rc != SL_ERR)
		return;
	CHECK_MSG(err.kind == SL_ERR_RECORD, "%s: kind %d, not a record error", what, err.kind);
	CHECK_MSG(strncmp(err.message, "invalid JSON at ", 16) == 0 &&
	      strstr(err.message, where) != NULL,
	      "%s: message '%s' lacks '%s'", what, err.message, where);
}

/* Decode a string literal (which may hold NULs). */
#define DECODE(lit, v, err) decode(lit, sizeof(lit) - 1, v, err)

#define BAD(what, lit, where) bad(what, lit, sizeof(lit) - 1, where)

static void test_round_trips(void)
{
	char deep[512];
	int i;

	round_trip("member order is input order", "{\"z\":1,\"a\":2,\"m\":3,\"b\":4}",
		   "{\"z\":1,\"a\":2,\"m\":3,\"b\":4}");
	round_trip("scalars", "[1,-2,3.5,\"x\",true,false,null,{},[]]",
		   "[1,-2,3.5,\"x\",true,false,null,{},[]]");
	round_trip("whitespace dropped", " {\n\t\"a\" : [ 1 , 2 ] \r\n} ",
		   "{\"a\":[1,2]}");
	round_trip("nested", "{\"a\":{\"b\":{\"c\":[[1],[2,[3]]]}}}",
		   "{\"a\":{\"b\":{\"c\":[[1],[2,[3]]]}}}");
	round_trip("a bare scalar document", "\"just text\"", "\"just text\"");
	round_trip("int64 extremes", "[9223372036854775807,-9223372036854775808]",
		   "[9223372036854775807,-9223372036854775808]");
	round_trip("escapes", "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0001 \\u001f\"", NULL);
	round_trip("non-ASCII", "\"caf\\u00e9 \xE2\x82\xAC \\ud83d\\ude00\"", NULL);
	round_trip("NUL inside a string", "\"a\\u0000b\"", NULL);
	round_trip("escaped keys", "{\"k\\u00e9y\":1,\"t\\tab\":2}", NULL);
	round_trip("doubles", "[0.1,1e300,-2.5e-8,5e-324,1.7976931348623157e308,123.456]", NULL);
	for (i = 0; i < 200; i++)
		deep[i] = '[';
	for (i = 0; i < 200; i++)
		deep[200 + i] = ']';
	deep[400] = '\0';
	round_trip("200 levels deep", deep, deep);
}

static void test_values(void)
{
	sl_value v;
	sl_error err;
	const sl_value *m;

	CHECK_MSG(DECODE("\"\\ud83d\\ude00\"", &v, &err) == SL_OK &&
	      v.type == SL_TSTRING && v.len == 4 &&
	      memcmp(v.as.s, "\xF0\x9F\x98\x80", 4) == 0,
	      "surrogate pair is not U+1F600 in UTF-8");
	CHECK_MSG(DECODE("\"a\\u0000b\"", &v, &err) == SL_OK && v.len == 3 &&
	      memcmp(v.as.s, "a\0b", 3) == 0, "\\u0000 not kept");

	CHECK_MSG(DECODE("12345678901234567890123", &v, &err) == SL_OK &&
	      v.type == SL_TDOUBLE && v.as.d == 12345678901234567890123.0,
	      "integer beyond int64 is not a double: %s", err.message);
	CHECK_MSG(DECODE("{\"big\":18446744073709551616,\"n\":5,\"x\":2.5}", &v, &err) == SL_OK,
	      "document with a big integer refused: %s", err.message);
	m = sl_value_member(&v, "big");
	CHECK_MSG(m != NULL && m->type == SL_TDOUBLE && m->as.d == 18446744073709551616.0,
	      "big member is not a double");
	m = sl_value_member(&v, "n");
	CHECK_MSG(m != NULL && m->type == SL_TINT && m->as.i == 5,
	      "small integer beside a big one is not an int");
	m = sl_value_member(&v, "x");
	CHECK_MSG(m != NULL && m->type == SL_TDOUBLE && m->as.d == 2.5,
	      "real beside a big integer changed");

	CHECK_MSG(DECODE("9223372036854775808", &v, &err) == SL_OK &&
	      v.type == SL_TDOUBLE, "INT64_MAX + 1 is not a double");
	CHECK_MSG(DECODE("1.0", &v, &err) == SL_OK && v.type == SL_TDOUBLE &&
	      v.as.d == 1.0, "1.0 is not a double");
	CHECK_MSG(DECODE("-0", &v, &err) == SL_OK && v.type == SL_TINT && v.as.i == 0,
	      "-0 is not int 0");

	CHECK_MSG(DECODE("{\"a\":1,\"a\":2}", &v, &err) == SL_OK &&
	      v.type == SL_TOBJECT && v.len == 1 &&
	      v.as.members[0].value.as.i == 2, "repeated key: not one member, last value");
	/* jansson cannot hold a NUL in a key: such a document is refused
	 * (as a bad record), never silently cut short. */
	CHECK_MSG(DECODE("{\"a\\u0000b\":true}", &v, &err) == SL_ERR &&
	      err.kind == SL_ERR_RECORD && strstr(err.message, "NUL") != NULL,
	      "key with NUL: not refused as a record error");
}

/*
 * Documents far larger than the decoder's first scratch chunk, twice: the
 * region must grow, then be reused.
 */
static void test_large(void)
{
	size_t n = 50000, i, len = 0;
	char *text = malloc(n * 16 + 2);
	sl_value v;
	sl_error err;
	int pass;

	if (text == NULL)
		return;
	text[len++] = '[';
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "%s{\"k%zu\":\"v\"}",
				       i ? "," : "", i % 1000);
	text[len++] = ']';
	for (pass = 0; pass < 2; pass++) {
		int rc = decode(text, len, &v, &err);

		CHECK_MSG(rc == SL_OK && v.type == SL_TARRAY && v.len == n &&
		      v.as.items[n - 1].type == SL_TOBJECT &&
		      v.as.items[n - 1].as.members[0].key_len == 4 &&
		      memcmp(v.as.items[n - 1].as.members[0].key, "k999", 4) == 0,
		      "large document, pass %d: %s", pass, rc ? err.message : "wrong value");
	}
	free(text);
}

/*
 * An array of more items than simdjson's tape counts (it stops at
 * 0xFFFFFF): the decoder counts them itself.  The instance alone: jansson
 * would take a gigabyte for it.
 */
static void test_saturated(void)
{
	size_t n = 0xFFFFFF + 2, i, len = 0;
	char *text = malloc(2 * n + 1);
	sl_value v;
	sl_error err;
	int rc;

	CHECK_MSG(text != NULL, "out of memory");
	if (text == NULL)
		return;
	for (i = 0; i < n; i++) {
		text[len++] = i ? ',' : '[';
		text[len++] = i == n - 1 ? '7' : '0';
	}
	text[len++] = ']';
	rc = decode(text, len, &v, &err);
	CHECK_MSG(rc == SL_OK && v.type == SL_TARRAY && v.len == n &&
		  v.as.items[n - 1].type == SL_TINT && v.as.items[n - 1].as.i == 7,
		  "array of %zu items: %s", n, rc ? err.message : "wrong value");
	free(text);
}

static void test_invalid(void)
{
	BAD("trailing garbage", "{\"a\":1} x", "line 1 column");
	BAD("two documents", "1 2", "line 1");
	BAD("truncated array", "[1,2", "line 1");
	BAD("truncated string", "\"abc", "line 1");
	BAD("empty input", "", "line 1");
	BAD("blank input", "  \n ", "line 2");
	BAD("missing value", "{\"a\":}", "line 1 column 6");
	BAD("trailing comma", "[1,]", "line 1");
	BAD("leading zero", "01", "line 1");
	BAD("single quotes", "'a'", "line 1");
	BAD("bare word", "nul", "line 1");
	BAD("lone surrogate escape", "\"\\ud800\"", "line 1");
	BAD("bad escape", "\"\\x41\"", "line 1");
	BAD("raw control character", "\"a\tb\"", "line 1");
	BAD("overlong UTF-8 in a string", "\"\xC0\x80\"", "line 1");
	BAD("encoded surrogate in a string", "\"\xED\xA0\x80\"", "line 1");
	BAD("truncated UTF-8 in a string", "\"\xE2\x82\"", "line 1");
	BAD("number too large for a double", "1e400", "line 1");
	BAD("error on the third line", "{\n\"a\": 1,\n\"b\": ?}", "line 3");
}

static void encode_fails(const char *what, const sl_value *v)
{
	sl_buf buf;
	sl_error err;
	int rc = encode(v, &buf, &err);

	CHECK_MSG(rc == SL_ERR, "%s: accepted", what);
	if (rc == SL_ERR)
		CHECK_MSG(err.kind == SL_ERR_RECORD &&
		      strcmp(err.message, "cannot write NaN/Infinity as JSON") == 0,
		      "%s: error %d '%s'", what, err.kind, err.message);
}

static void test_encode(void)
{
	sl_value v, items[2];
	sl_member member;
	sl_buf buf;
	sl_error err;

	v = sl_value_double(NAN);
	encode_fails("NaN", &v);
	v = sl_value_double(INFINITY);
	encode_fails("Infinity", &v);
	member.key = "x";
	member.key_len = 1;
	member.value = sl_value_double(-INFINITY);
	v.type = SL_TOBJECT;
	v.len = 1;
	v.as.members = &member;
	encode_fails("-Infinity in an object", &v);

	/* Control characters, quotes and backslashes come out escaped. */
	v = sl_value_string("a\"b\\c\n\x01", 7);
	CHECK_MSG(encode(&v, &buf, &err) == SL_OK && buf.len > 0 &&
	      memchr(buf.data, '\n', buf.len) == NULL &&
	      memchr(buf.data, '\x01', buf.len) == NULL, "control characters not escaped");

	items[0] = sl_value_int(-7);
	items[1] = sl_value_double(2.0);
	v.type = SL_TARRAY;
	v.len = 2;
	v.as.items = items;
	CHECK_MSG(encode(&v, &buf, &err) == SL_OK && buf.len == 8 &&
	      memcmp(buf.data, "[-7,2.0]", 8) == 0,
	      "[-7, 2.0] encoded as '%.*s'", (int)buf.len, (const char *)buf.data);
}

int main(void)
{
	sl_registry reg;
	sl_loader *loader = NULL;
	void *instance = NULL;
	sl_error err;
	int i;

	fmt = load_format("json", &reg, &loader);
	if (fmt == NULL) {
		printf("not ok - cannot load the json plugin\n");
		return 1;
	}
	CHECK_MSG(fmt->open != NULL && fmt->open(NULL, &instance, &err) == SL_OK &&
		  instance != NULL, "the format opens no instance");
	arena = sl_arena_new();
	/* With the instance, then without; twice each: the second pass runs
	 * on the decoders' reused memory. */
	for (i = 0; i < 4; i++) {
		self = i < 2 ? instance : NULL;
		test_round_trips();
		test_values();
		test_large();
		test_invalid();
		test_encode();
		if (i == 0)
			test_saturated();
		sl_arena_reset(arena);
	}
	if (fmt->close != NULL)
		fmt->close(instance);
	sl_arena_free(arena);
	sl_loader_free(loader);
	sl_registry_free(&reg);
	return check_done("json_format");
}
