/*
 * json.c - the `json` format: one JSON document per record.
 */
#include "json_internal.h"

static const sl_format_class json_format = {
	.struct_size = sizeof(sl_format_class),
	.decode = json_format_decode,
	.encode = json_format_encode,
};

SL_PLUGIN("json", .format = &json_format)
