/*
 * json_encode.c - an sl_value as compact JSON text.
 *
 * The host's writer (sl_value_to_json) is the one JSON writer of the
 * project: the engine, the `string` format and this format all use it, so
 * the same value always has the same text.  This file only turns its
 * failures into the right error.
 */
#include <math.h>

#include "json_internal.h"

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

int json_format_encode(void *self, const sl_value *value, sl_buf *out,
		       sl_error *err)
{
	(void)self;
	if (sl_value_to_json(value, out) == 0)
		return SL_OK;
	/* The writer refuses NaN/Infinity (or runs out of memory); looking
	 * for the culprit only now keeps the common path to one pass. */
	if (has_non_finite(value))
		return sl_error_set(err, SL_ERR_RECORD,
				    "cannot write NaN/Infinity as JSON");
	return sl_error_set(err, SL_ERR_RUNTIME, "out of memory encoding JSON");
}
