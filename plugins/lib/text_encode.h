/*
 * text_encode.h - a value as text, the way the `string` and `bytes`
 * formats write it (text_encode.c).
 */
#ifndef SL_PLUGINS_TEXT_ENCODE_H
#define SL_PLUGINS_TEXT_ENCODE_H

#include <sluice/plugin.h>

/*
 * Append @p value to @p out: a string's or bytes' own bytes, anything
 * else as its compact JSON text (a number as its decimal text).  SL_OK;
 * SL_ERR with @p err: SL_ERR_RECORD for NaN or Infinity, SL_ERR_RUNTIME
 * "out of memory encoding @p what".
 */
int text_encode(const sl_value *value, sl_buf *out, const char *what,
		sl_error *err);

#endif
