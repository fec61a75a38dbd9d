/*
 * json.c - the `json` format: one JSON document per record.
 */
#include "json_internal.h"

static const sl_format_class json_format = {
	sizeof(sl_format_class), NULL, json_format_decode, json_format_encode,
	NULL
};

SL_PLUGIN_DEFINE("json", NULL, NULL, NULL, &json_format)
