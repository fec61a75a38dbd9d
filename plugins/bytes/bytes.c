/*
 * bytes.c - the `bytes` format: a record's bytes as they are.
 *
 * Decoding checks nothing and copies nothing: the value is an SL_TBYTES
 * pointing into the record's bytes, which outlive it, so binary, Avro or
 * Protobuf payloads pass through byte for byte.  Encoding writes bytes and
 * strings as they are; any other value (an operator's object, a number)
 * is written as the `string` format writes it, its compact JSON text,
 * through the host's JSON writer so the two formats never disagree.
 */
#include <stdint.h>

#include <sluice/plugin.h>

#include "text_encode.h"

static int bytes_decode(void *self, const uint8_t *data, size_t len,
			sl_arena *arena, sl_value *out, sl_error *err)
{
	(void)self;
	(void)arena;
	/* sl_value.len is 32 bits */
	if (len > UINT32_MAX)
		return sl_error_set(err, SL_ERR_RECORD,
				    "%zu bytes are too long (limit 4 GiB)", len);
	*out = sl_value_bytes(len ? data : (const uint8_t *)"", len);
	return SL_OK;
}

static int bytes_encode(void *self, const sl_value *value, sl_buf *out,
			sl_error *err)
{
	(void)self;
	return text_encode(value, out, "bytes", err);
}

static const sl_format_class bytes_format = {
	.struct_size = sizeof(sl_format_class),
	.decode = bytes_decode,
	.encode = bytes_encode,
};

SL_PLUGIN("bytes", .format = &bytes_format)
