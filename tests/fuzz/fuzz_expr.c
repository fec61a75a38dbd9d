/*
 * fuzz_expr.c - the expression parser and evaluator.  The input is an
 * expression, optionally followed by a NUL and a JSON document: a record
 * to evaluate it on besides the fixed ones (the first has metadata: a
 * timestamp, a topic, partition, offset and headers; the others none).
 * Whatever parses must
 * evaluate without a crash, a leak or reading out of bounds, and what it
 * gives must be written as JSON that reads back (no invalid UTF-8, no
 * NaN).
 */
#include "config.h"

#include <jansson.h>
#include <string.h>

#include <sluice/plugin.h>

#include "base/arena.h"
#include "expr/expr.h"
#include "fuzz.h"
#include "base/json_write.h"
#include "plugin/loader.h"
#include "optest.h"

static const sl_format_class *json;
static sl_arena *fixed, *arena; /* the fixed records; each input's */
static sl_value values[3], key;

static const char *const documents[] = {
	"{\"user_id\":42,\"name\":\"Ann Lee\",\"score\":1.5,\"tags\":[\"a\",\"b\"],"
	"\"a\":{\"b\":\"deep\",\"and\":1},\"flag\":true,\"nothing\":null,"
	"\"event_type\":\"page_view\",\"n\":\" 12 \",\"big\":9223372036854775807,"
	"\"small\":-9223372036854775808,\"page-url\":\"/p/7\",\"u\":\"h\\u00e9llo\"}",
	"\"hello world\"",
	"[1,2.5,\"x\",null]",
};

static int decode(const char *text, size_t len, sl_arena *in, sl_value *v)
{
	sl_error err;

	return json->decode(NULL, (const uint8_t *)text, len, in, v, &err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static sl_registry reg;
	static sl_loader *loader;
	size_t i;

	(void)argc;
	(void)argv;
	json = optest_load_plugin("json", &reg, &loader)->format;
	fixed = sl_arena_new();
	arena = sl_arena_new();
	for (i = 0; i < 3; i++)
		FUZZ_ASSERT(decode(documents[i], strlen(documents[i]), fixed,
				   &values[i]) == SL_OK, "document %zu", i);
	FUZZ_ASSERT(decode("\"k1\"", 4, fixed, &key) == SL_OK, "key");
	return 0;
}

static sl_header headers[] = {
	{ "trace", { (const uint8_t *)"t-1", 3 } },
	{ "bin", { (const uint8_t *)"\xff\x00", 2 } },
	{ "none", { NULL, 0 } },
	{ "trace", { (const uint8_t *)"t-2", 3 } },
};

/*
 * Evaluate @p x on a record of @p value and @p key, with metadata when
 * @p meta; check the result.
 */
static void evaluate(const sl_expr *x, const sl_value *value, const sl_value *k,
		     int meta)
{
	sl_record rec;
	sl_value out;
	sl_error why;
	sl_buf buf = { NULL, 0, 0, arena };
	json_error_t error;
	json_t *back;
	int rc;

	memset(&rec, 0, sizeof rec);
	rec.value = value;
	rec.key = k;
	rec.timestamp = -1;
	rec.origin.partition = -1;
	if (meta) {
		rec.timestamp = 1700000000123;
		rec.origin.topic = "orders";
		rec.origin.partition = 3;
		rec.origin.offset = 17;
		rec.headers = headers;
		rec.header_count = sizeof headers / sizeof headers[0];
	}
	why.kind = SL_ERR_NONE;
	if (sl_expr_evaluate(x, &rec, arena, &out, &why) != SL_OK) {
		FUZZ_ASSERT(why.kind == SL_ERR_RECORD, "kind %d: %s", why.kind,
			    why.message);
		return;
	}
	rc = sl_json_write(&out, &buf);
	FUZZ_ASSERT(rc == 0, "the result is not writable as JSON (%d)", rc);
	back = json_loadb((const char *)buf.data, buf.len,
			  JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
	FUZZ_ASSERT(back != NULL, "the result's JSON does not read back: %s: %.*s",
		    error.text, (int)(buf.len > 200 ? 200 : buf.len),
		    (const char *)buf.data);
	json_decref(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *text = malloc(len + 1), msg[256];
	int column = 0;
	sl_expr *x;
	sl_value extra;
	size_t i;

	if (text == NULL)
		abort();
	memcpy(text, data, len);
	text[len] = '\0';
	x = sl_expr_parse(text, msg, sizeof msg, &column);
	FUZZ_ASSERT(x != NULL || (column > 0 && msg[0] != '\0'),
		    "refused without a column or a reason");
	FUZZ_ASSERT((sl_expr_check(text, msg, sizeof msg, &column) == 0) == (x != NULL),
		    "check and parse disagree");
	if (x != NULL) {
		for (i = 0; i < 3; i++)
			evaluate(x, &values[i], i == 0 ? &key : NULL, i == 0);
		evaluate(x, NULL, NULL, 0);
		if (nul != NULL && decode((const char *)nul + 1, size - len - 1,
					  arena, &extra) == SL_OK)
			evaluate(x, &extra, &extra, 1);
		sl_expr_destroy(x);
	}
	free(text);
	sl_arena_reset(arena);
	return 0;
}
