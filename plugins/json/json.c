/*
 * json.c - the `json` format: one JSON document per record.
 *
 * Decoding: simdjson's DOM parser, then arena values from its tape
 * (json_simdjson.cpp) when the plugin is built with simdjson; whatever it
 * refuses, and every record when it is built without, goes to jansson
 * (json_decode.c), whose messages users see.  Both accept the same
 * documents, to the same values (tests/fuzz/fuzz_jsondiff.c holds
 * them to it).  Encoding: the host's JSON writer (json_encode.c).
 */
#include "config.h"

#include <stdlib.h>

#include "json_internal.h"

/* An instance: its decoder, for the one thread that runs its stage. */
typedef struct json_format {
	json_simd *simd; /* NULL when built without simdjson */
} json_format;

static int json_open(sl_stage *stage, void **self, sl_error *err)
{
	json_format *f = calloc(1, sizeof *f);

	(void)stage;
	if (f == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
#if HAVE_SIMDJSON
	if ((f->simd = json_simd_new()) == NULL) {
		free(f);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
#endif
	*self = f;
	return SL_OK;
}

static void json_close(void *self)
{
	json_format *f = self;

	if (f == NULL)
		return;
#if HAVE_SIMDJSON
	json_simd_free(f->simd);
#endif
	free(f);
}

/* A caller that did not open the format (self NULL) gets jansson alone. */
int json_format_decode(void *self, const uint8_t *data, size_t len,
		       sl_arena *arena, sl_value *out, sl_error *err)
{
#if HAVE_SIMDJSON
	json_format *f = self;

	if (f != NULL && f->simd != NULL) {
		switch (json_simd_decode(f->simd, data, len, arena, out)) {
		case JSON_SIMD_OK:
			return SL_OK;
		case JSON_SIMD_NOMEM:
			return sl_error_set(err, SL_ERR_RUNTIME,
					    "out of memory decoding JSON");
		default:
			break; /* jansson says why */
		}
	}
#else
	(void)self;
#endif
	return json_decode_jansson(data, len, arena, out, err);
}

static const sl_format_class json_format_class = {
	.struct_size = sizeof(sl_format_class),
	.open = json_open,
	.decode = json_format_decode,
	.encode = json_format_encode,
	.close = json_close,
};

SL_PLUGIN("json", .format = &json_format_class)
