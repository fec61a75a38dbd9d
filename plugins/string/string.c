/*
 * string.c - the `string` format (SimpleString): a record's bytes as one
 * UTF-8 string.
 *
 * Decoding copies nothing: the value points into the record's bytes, which
 * outlive it.  Encoding writes strings and bytes as they are; any other
 * value is written as its compact JSON text (a number as its decimal
 * text), through the host's JSON writer so `string` and `json` can never
 * disagree on how a number looks.
 */
#include <math.h>
#include <stdint.h>

#include <sluice/plugin.h>

#include "utf8.h"

static int string_decode(void *self, const uint8_t *data, size_t len,
			 sl_arena *arena, sl_value *out, sl_error *err)
{
	size_t bad;

	(void)self;
	(void)arena;
	if (len > UINT32_MAX)
		return sl_error_set(err, SL_ERR_RECORD,
				    "string of %zu bytes is too long (limit 4 GiB)", len);
	bad = utf8_invalid_at(data, len);
	if (bad != len)
		return sl_error_set(err, SL_ERR_RECORD,
				    "invalid UTF-8 at byte offset %zu", bad);
	*out = sl_value_string(len ? (const char *)data : "", len);
	return SL_OK;
}

/* JSON has no text for NaN or the infinities; find one anywhere in @p v. */
static int has_non_finite(const sl_value *v)
{
	uint32_t i;

	switch (v->type) {
	case SL_TDOUBLE:
		return !isfinite(v->as.d);
	case SL_TARRAY:
		for (i = 0; i < v->len; i++)
			if (has_non_finite(&v->as.items[i]))
				return 1;
		return 0;
	case SL_TOBJECT:
		for (i = 0; i < v->len; i++)
			if (has_non_finite(&v->as.members[i].value))
				return 1;
		return 0;
	default:
		return 0;
	}
}

static int string_encode(void *self, const sl_value *value, sl_buf *out,
			 sl_error *err)
{
	(void)self;
	switch (value->type) {
	case SL_TSTRING:
		if (sl_buf_append(out, value->as.s, value->len) != 0)
			goto nomem;
		return SL_OK;
	case SL_TBYTES:
		if (sl_buf_append(out, value->as.bytes, value->len) != 0)
			goto nomem;
		return SL_OK;
	default:
		if (sl_value_to_json(value, out) == 0)
			return SL_OK;
		/* The writer refuses NaN/Infinity (or runs out of memory);
		 * looking for the culprit only now keeps the common path to
		 * one pass. */
		if (has_non_finite(value))
			return sl_error_set(err, SL_ERR_RECORD,
					    "cannot write NaN/Infinity as text");
		goto nomem;
	}
nomem:
	return sl_error_set(err, SL_ERR_RUNTIME, "out of memory encoding a string");
}

static const sl_format_class string_format = {
	.struct_size = sizeof(sl_format_class),
	.decode = string_decode,
	.encode = string_encode,
};

SL_PLUGIN_DEFINE("string", NULL, NULL, NULL, &string_format)
