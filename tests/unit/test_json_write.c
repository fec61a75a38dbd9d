/* The JSON writer: integers against printf at every digit count and both
 * ends of int64, strings with escapes at the start, middle and end, and
 * sl_decimal_* from the SDK on their own. */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sluice/decimal.h>

#include "base/arena.h"
#include "base/json_write.h"
#include "check.h"

static sl_arena *arena;

/* @p v written, as a NUL-terminated string in the arena ("" on failure). */
static const char *written(const sl_value *v)
{
	sl_buf buf = { NULL, 0, 0, arena };

	if (sl_json_write(v, &buf) != 0 || sl_buf_append(&buf, "", 1) != 0)
		return "";
	return (const char *)buf.data;
}

static void check_int(int64_t i)
{
	sl_value v = sl_value_int(i);
	char want[32], got[SL_DECIMAL_MAX + 1];
	size_t n;

	snprintf(want, sizeof want, "%" PRId64, i);
	CHECK_MSG(strcmp(written(&v), want) == 0, "%s written as %s", want, written(&v));
	n = sl_decimal_i64(got, i);
	got[n] = '\0';
	CHECK_MSG(n <= SL_DECIMAL_MAX && strcmp(got, want) == 0,
		  "sl_decimal_i64(%s) gave %s", want, got);
}

static void check_u64(uint64_t u)
{
	char want[32], got[SL_DECIMAL_MAX + 1];
	size_t n = sl_decimal_u64(got, u);

	got[n] = '\0';
	snprintf(want, sizeof want, "%" PRIu64, u);
	CHECK_MSG(strcmp(got, want) == 0 && sl_decimal_digits(u) == strlen(want),
		  "sl_decimal_u64(%s) gave %s", want, got);
}

static void test_integers(void)
{
	uint64_t p = 1;
	int digits;

	check_int(0);
	check_int(INT64_MAX);
	check_int(INT64_MIN);
	check_int(INT64_MIN + 1);
	check_u64(UINT64_MAX);
	check_u64(0);
	/* every digit count, on both sides of each power of ten */
	for (digits = 1; digits <= 19; digits++, p *= 10) {
		check_int((int64_t)p);
		check_int((int64_t)p - 1);
		check_int((int64_t)p + 1);
		check_int(-(int64_t)p);
		check_int(-(int64_t)p + 1);
		check_u64(p * 10 - 1);
		check_u64(p * 10);
	}
}

static void check_string(const char *text, size_t len, const char *want)
{
	sl_value v = sl_value_string(text, len);

	CHECK_MSG(strcmp(written(&v), want) == 0, "written as %s, not %s",
		  written(&v), want);
}

static void test_strings(void)
{
	sl_member m[2];
	sl_value o;

	check_string("", 0, "\"\"");
	check_string("plain", 5, "\"plain\"");
	check_string("\"start", 6, "\"\\\"start\"");
	check_string("mid\\dle", 7, "\"mid\\\\dle\"");
	check_string("end\n", 4, "\"end\\n\"");
	check_string("a\x01" "b\x1f" "c\t\r\b\f", 9, "\"a\\u0001b\\u001fc\\t\\r\\b\\f\"");
	check_string("nul\0in", 6, "\"nul\\u0000in\"");
	check_string("caf\xC3\xA9", 5, "\"caf\xC3\xA9\""); /* UTF-8 as is */
	m[0].key = "k\"1";
	m[0].key_len = 3;
	m[0].value = sl_value_int(-5);
	m[1].key = "k2";
	m[1].key_len = 2;
	m[1].value = sl_value_string("v", 1);
	o = sl_value_null();
	o.type = SL_TOBJECT;
	o.len = 2;
	o.as.members = m;
	CHECK_MSG(strcmp(written(&o), "{\"k\\\"1\":-5,\"k2\":\"v\"}") == 0,
		  "object written as %s", written(&o));
}

/* A string far longer than the buffer's first chunk, escapes at its end. */
static void test_long(void)
{
	static char text[100000], want[100000 + 8];
	size_t n = sizeof text - 2;

	memset(text, 'x', n);
	text[n] = '"';
	text[n + 1] = 'y';
	want[0] = '"';
	memset(want + 1, 'x', n);
	memcpy(want + 1 + n, "\\\"y\"", 5);
	check_string(text, sizeof text, want);
}

int main(void)
{
	arena = sl_arena_new();
	if (arena == NULL)
		return 1;
	test_integers();
	test_strings();
	test_long();
	sl_arena_free(arena);
	return check_done("json_write");
}
