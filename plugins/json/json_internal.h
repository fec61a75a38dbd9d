/*
 * json_internal.h - the pieces of the json format plugin.
 */
#ifndef JSON_INTERNAL_H
#define JSON_INTERNAL_H

#include <sluice/plugin.h>

int json_format_decode(void *self, const uint8_t *data, size_t len,
		       sl_arena *arena, sl_value *out, sl_error *err);
int json_format_encode(void *self, const sl_value *value, sl_buf *out,
		       sl_error *err);

/*
 * Jansson allocates every node, key and string with malloc.  Between
 * scratch_begin() and scratch_end() on a thread, its allocations come from
 * a per-thread bump region instead and its frees are no-ops; scratch_end()
 * makes the whole region reusable at once.  Nothing jansson allocates in
 * between may be used after scratch_end().  scratch_begin() returns 0 when
 * no region could be set up: jansson then uses malloc, and the caller must
 * release what it got with json_decref() as usual.
 */
int scratch_begin(void);
void scratch_end(void);

#endif
