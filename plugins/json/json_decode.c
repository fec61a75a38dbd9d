/*
 * json_decode.c - one JSON document into an sl_value tree, with jansson:
 * the reference decoder, and the one that words every error.
 *
 * Jansson parses and validates (RFC 8259, UTF-8, \u escapes and surrogate
 * pairs, trailing garbage); the tree is then copied into the batch arena.
 * Jansson keeps object members in insertion order, so members come out in
 * input order (a repeated key keeps its first position and its last value).
 * \u0000 is allowed in strings but not in keys, which jansson cannot hold:
 * such a document is a bad record, not silently truncated.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "json_internal.h"

#define DECODE_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

/* An integer (or real) too large: configure accepts jansson 2.10, whose
 * errors have no code yet, only the text. */
#if JANSSON_VERSION_HEX >= 0x020b00
#define NUMERIC_OVERFLOW(e) (json_error_code(e) == json_error_numeric_overflow)
#else
#define NUMERIC_OVERFLOW(e) (strncmp((e)->text, "too big", 7) == 0)
#endif

typedef struct convert_ctx {
	sl_arena *arena;
	int ints_as_real; /* the document was parsed with JSON_DECODE_INT_AS_REAL */
} convert_ctx;

static int convert(const convert_ctx *cx, json_t *j, sl_value *out);

static int convert_object(const convert_ctx *cx, json_t *j, sl_value *out)
{
	size_t n = json_object_size(j), i = 0;
	sl_member *members = NULL;
	void *it;

	if (n > 0) {
		members = sl_arena_alloc(cx->arena, n * sizeof *members);
		if (members == NULL)
			return -1;
	}
	for (it = json_object_iter(j); it != NULL && i < n;
	     it = json_object_iter_next(j, it), i++) {
		/* Keys never hold a NUL (jansson refuses them), so strlen is
		 * exact, and works with jansson before 2.14. */
		const char *jkey = json_object_iter_key(it);
		size_t klen = strlen(jkey);
		char *key = sl_arena_strndup(cx->arena, jkey, klen);

		if (key == NULL)
			return -1;
		members[i].key = key;
		members[i].key_len = (uint32_t)klen;
		if (convert(cx, json_object_iter_value(it), &members[i].value) != 0)
			return -1;
	}
	*out = sl_value_null();
	out->type = SL_TOBJECT;
	out->len = (uint32_t)i;
	out->as.members = members;
	return 0;
}

static int convert_array(const convert_ctx *cx, json_t *j, sl_value *out)
{
	size_t n = json_array_size(j), i;
	sl_value *items = NULL;

	if (n > 0) {
		items = sl_arena_alloc(cx->arena, n * sizeof *items);
		if (items == NULL)
			return -1;
	}
	for (i = 0; i < n; i++)
		if (convert(cx, json_array_get(j, i), &items[i]) != 0)
			return -1;
	*out = sl_value_null();
	out->type = SL_TARRAY;
	out->len = (uint32_t)n;
	out->as.items = items;
	return 0;
}

/* A real; in a document read with JSON_DECODE_INT_AS_REAL, integral
 * values that fit are ints again (json_int_or_real). */
static sl_value real_value(const convert_ctx *cx, double d)
{
	return cx->ints_as_real ? json_int_or_real(d) : sl_value_double(d);
}

/* Recursion is bounded by jansson's nesting limit (2048). */
static int convert(const convert_ctx *cx, json_t *j, sl_value *out)
{
	char *s;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return convert_object(cx, j, out);
	case JSON_ARRAY:
		return convert_array(cx, j, out);
	case JSON_STRING:
		s = sl_arena_strndup(cx->arena, json_string_value(j),
				     json_string_length(j));
		if (s == NULL)
			return -1;
		*out = sl_value_string(s, json_string_length(j));
		return 0;
	case JSON_INTEGER:
		*out = sl_value_int((int64_t)json_integer_value(j));
		return 0;
	case JSON_REAL:
		*out = real_value(cx, json_real_value(j));
		return 0;
	case JSON_TRUE:
		*out = sl_value_bool(1);
		return 0;
	case JSON_FALSE:
		*out = sl_value_bool(0);
		return 0;
	case JSON_NULL:
	default:
		*out = sl_value_null();
		return 0;
	}
}

int json_decode_jansson(const uint8_t *data, size_t len, sl_arena *arena,
			sl_value *out, sl_error *err)
{
	const char *text = data != NULL ? (const char *)data : "";
	convert_ctx cx = { arena, 0 };
	json_error_t jerr;
	json_t *root;
	int scratch, rc;

	scratch = scratch_begin();
	root = json_loadb(text, len, DECODE_FLAGS, &jerr);
	if (root == NULL && NUMERIC_OVERFLOW(&jerr)) {
		/* Valid JSON whose integer does not fit int64: read it as a
		 * double, as most JSON readers do, rather than refuse it. */
		cx.ints_as_real = 1;
		root = json_loadb(text, len, DECODE_FLAGS | JSON_DECODE_INT_AS_REAL,
				  &jerr);
	}
	if (root == NULL) {
		if (scratch)
			scratch_end();
		return sl_error_set(err, SL_ERR_RECORD,
				    "invalid JSON at line %d column %d: %s",
				    jerr.line, jerr.column, jerr.text);
	}
	rc = convert(&cx, root, out);
	/* With the scratch region the tree is released wholesale. */
	if (scratch)
		scratch_end();
	else
		json_decref(root);
	if (rc != 0)
		return sl_error_set(err, SL_ERR_RUNTIME,
				    "out of memory decoding JSON");
	return SL_OK;
}
