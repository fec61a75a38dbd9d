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
#include <stdint.h>

#include <sluice/plugin.h>

#include "text_encode.h"

static int string_decode(void *self, const uint8_t *data, size_t len,
			 sl_arena *arena, sl_value *out, sl_error *err)
{
	size_t bad;

	(void)self;
	(void)arena;
	if (len > UINT32_MAX)
		return sl_error_set(err, SL_ERR_RECORD,
				    "string of %zu bytes is too long (limit 4 GiB)", len);
	bad = sl_utf8_invalid_at(data, len);
	if (bad != len)
		return sl_error_set(err, SL_ERR_RECORD,
				    "invalid UTF-8 at byte offset %zu", bad);
	*out = sl_value_string(len ? (const char *)data : "", len);
	return SL_OK;
}

static int string_encode(void *self, const sl_value *value, sl_buf *out,
			 sl_error *err)
{
	(void)self;
	return text_encode(value, out, "a string", err);
}

static const sl_format_class string_format = {
	.struct_size = sizeof(sl_format_class),
	.decode = string_decode,
	.encode = string_encode,
};

/* The UTF-8 check is the engine's: one copy of it in the tree. */
SL_PLUGIN("string", .format = &string_format,
	  .host_needs = SL_HOST_SIZE_WITH(utf8_invalid_at))
