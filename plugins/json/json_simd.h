/*
 * json_simd.h - the simdjson decoder (json_simdjson.cpp) as C sees it.
 * C++ stays inside that one file: this header needs only the SDK's value
 * and arena types, and every function is extern "C" and never throws.
 */
#ifndef JSON_SIMD_H
#define JSON_SIMD_H

#include <stddef.h>
#include <stdint.h>

#include <sluice/batch.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nesting allowed, as jansson counts it: the top-level value is at depth
 * 1, a member or item one deeper than its container (JSON_PARSER_MAX_DEPTH
 * of jansson 2.14, the version Debian bookworm ships). */
#define JSON_MAX_DEPTH 2048

/*
 * A real of a document that jansson read with every number as a double
 * (because an integer in it is beyond int64), as the decoders give it:
 * integral values that fit int64 are ints again, so only the huge ones
 * (and, unavoidably, integral reals such as 1.0 in that document) differ.
 */
static inline sl_value json_int_or_real(double x)
{
	const double two_pow_63 = 9223372036854775808.0; /* past INT64_MAX */

	if (x >= -two_pow_63 && x < two_pow_63 && x == (double)(int64_t)x)
		return sl_value_int((int64_t)x);
	return sl_value_double(x);
}

/* What json_simd_decode() says. */
enum json_simd_result {
	JSON_SIMD_OK = 0,   /* *out holds the value */
	JSON_SIMD_REFUSED,  /* not JSON as jansson reads it: ask jansson why */
	JSON_SIMD_NOMEM     /* out of memory */
};

/* One simdjson decoder: its parser and buffers, for one thread at a time. */
typedef struct json_simd json_simd;

/* A new decoder, or NULL when memory is exhausted. */
json_simd *json_simd_new(void);
void json_simd_free(json_simd *d);

/*
 * Decode the @p len bytes at @p data into @p out, in @p arena: strings
 * without escapes point into @p data, everything else is in the arena.
 * Returns an enum json_simd_result.
 */
int json_simd_decode(json_simd *d, const uint8_t *data, size_t len,
		     sl_arena *arena, sl_value *out);

#ifdef __cplusplus
}
#endif
#endif
