/*
 * json_encode.c - an sl_value as compact JSON text.
 *
 * The host's writer (sl_value_to_json) is the one JSON writer of the
 * project: the engine, the `string` format and this format all use it, so
 * the same value always has the same text.  This file only turns its
 * failures into the right error.
 */

#include "json_internal.h"

int json_format_encode(void *self, const sl_value *value, sl_buf *out,
		       sl_error *err)
{
	int rc;

	(void)self;
	if ((rc = sl_value_to_json(value, out)) == 0)
		return SL_OK;
	if (rc == -2)
		return sl_error_set(err, SL_ERR_RECORD,
				    "cannot write NaN/Infinity as JSON");
	return sl_error_set(err, SL_ERR_RUNTIME, "out of memory encoding JSON");
}
