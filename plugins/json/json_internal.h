/*
 * json_internal.h - the pieces of the json format plugin.
 *
 * Two decoders read a record, to the same sl_value:
 *
 * - json_decode_jansson() (json_decode.c) is the reference: jansson
 *   parses, the tree is copied into the arena.  Its error messages are
 *   the ones users see ("invalid JSON at line L column C: ...").
 * - json_simd_decode() (json_simdjson.cpp, when built with simdjson)
 *   parses with simdjson's DOM parser and builds the arena values from
 *   its tape.  It accepts exactly what jansson accepts, to the same
 *   value; whatever it refuses, jansson decodes again, which gives the
 *   message (or, were the two ever to differ, jansson's value: the
 *   reference wins).
 */
#ifndef JSON_INTERNAL_H
#define JSON_INTERNAL_H

#include <sluice/plugin.h>

#include "json_simd.h"

int json_format_decode(void *self, const uint8_t *data, size_t len,
		       sl_arena *arena, sl_value *out, sl_error *err);
int json_format_encode(void *self, const sl_value *value, sl_buf *out,
		       sl_error *err);

/*
 * Decode with jansson.  SL_OK; SL_ERR with err filled: SL_ERR_RECORD for
 * input that is not JSON (the message names line and column),
 * SL_ERR_RUNTIME when memory runs out.
 */
int json_decode_jansson(const uint8_t *data, size_t len, sl_arena *arena,
			sl_value *out, sl_error *err);

/*
 * Jansson allocates every node, key and string with malloc.  Between
 * scratch_begin() and scratch_end(), its allocations on the calling
 * thread come from a bump region instead and its frees are no-ops;
 * scratch_end() makes the whole region reusable at once.  Nothing jansson
 * allocates in between may be used after scratch_end().  scratch_begin()
 * returns 0 when the region is not to be had (another thread holds it):
 * jansson then uses malloc, and the caller must release what it got with
 * json_decref() as usual, and not call scratch_end().
 */
int scratch_begin(void);
void scratch_end(void);

#endif
