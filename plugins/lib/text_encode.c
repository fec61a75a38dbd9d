/*
 * text_encode.c - see text_encode.h.  Through the host's JSON writer, so
 * that `string`, `bytes` and `json` never disagree on how a number looks.
 */
#include "text_encode.h"

int text_encode(const sl_value *value, sl_buf *out, const char *what,
		sl_error *err)
{
	int rc = 0;

	switch (value->type) {
	case SL_TSTRING:
		rc = sl_buf_append(out, value->as.s, value->len);
		break;
	case SL_TBYTES:
		rc = sl_buf_append(out, value->as.bytes, value->len);
		break;
	default:
		if ((rc = sl_value_to_json(value, out)) == -2)
			return sl_error_set(err, SL_ERR_RECORD,
					    "cannot write NaN/Infinity as text");
	}
	if (rc != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory encoding %s",
				    what);
	return SL_OK;
}
