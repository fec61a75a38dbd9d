/*
 * fuzz_jsondiff.c - the json format's two decoders agree: simdjson's
 * (plugins/json/json_simdjson.cpp, compiled in here) and jansson's, the
 * reference, as the plugin runs it when it has no instance of its own
 * (decode with self NULL).  For every input:
 *
 * - both accept it, to the same value: the same types, ints, doubles to
 *   the bit (so -0.0 is not 0.0), strings and keys byte for byte, members
 *   in the same order; or both refuse it, the reference with a record
 *   error "invalid JSON at ...";
 * - the plugin with an instance (as the engine opens it) gives exactly
 *   the reference's answer, its message included when it refuses.
 *
 * `make check` replays it over the format target's corpus and its own
 * (tests/fuzz/corpus/jsondiff/: edge cases of numbers, strings, keys,
 * depth and structure); `make fuzz` fuzzes it.  Built only with simdjson.
 */
#include "config.h"

#include <string.h>

#include <sluice/plugin.h>

#include "base/arena.h"
#include "fuzz.h"
#include "json_simd.h"
#include "plugin/loader.h"
#include "optest.h"

static const sl_format_class *json;
static void *instance;
static json_simd *simd;
static sl_arena *arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static sl_registry reg;
	static sl_loader *loader;
	sl_error err;

	(void)argc;
	(void)argv;
	json = optest_load_plugin("json", &reg, &loader)->format;
	arena = sl_arena_new();
	simd = json_simd_new();
	FUZZ_ASSERT(arena != NULL && simd != NULL, "out of memory");
	FUZZ_ASSERT(json->open != NULL && json->open(NULL, &instance, &err) == SL_OK,
		    "the json format does not open an instance");
	return 0;
}

/*
 * Inputs that simdjson's decoder may refuse although jansson reads them;
 * the plugin then decodes them with jansson, to the same answer, slower.
 * A NUL byte: jansson takes one straight after a number or a literal as
 * the end of the text ("1\0" is 1), simdjson refuses every raw NUL.  A
 * number with 20 digits or more in its mantissa or its exponent (number()
 * in json_simdjson.cpp says why).  Spotted as a NUL or a run of 20 digits,
 * '.' aside, anywhere in the input.
 */
static int left_to_jansson(const uint8_t *data, size_t size)
{
	size_t i, run = 0;

	for (i = 0; i < size; i++) {
		if (data[i] == '\0')
			return 1;
		if (data[i] >= '0' && data[i] <= '9') {
			if (++run >= 20)
				return 1;
		} else if (data[i] != '.') {
			run = 0;
		}
	}
	return 0;
}

/* The same value, doubles compared bit for bit. */
static int same(const sl_value *a, const sl_value *b)
{
	uint32_t i;

	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case SL_TNULL:
		return 1;
	case SL_TBOOL:
		return a->as.b == b->as.b;
	case SL_TINT:
		return a->as.i == b->as.i;
	case SL_TDOUBLE:
		return memcmp(&a->as.d, &b->as.d, sizeof a->as.d) == 0;
	case SL_TSTRING:
	case SL_TBYTES:
		return a->len == b->len &&
		       (a->len == 0 || memcmp(a->as.s, b->as.s, a->len) == 0);
	case SL_TARRAY:
		if (a->len != b->len)
			return 0;
		for (i = 0; i < a->len; i++)
			if (!same(&a->as.items[i], &b->as.items[i]))
				return 0;
		return 1;
	case SL_TOBJECT:
		if (a->len != b->len)
			return 0;
		for (i = 0; i < a->len; i++) {
			const sl_member *x = &a->as.members[i], *y = &b->as.members[i];

			if (x->key_len != y->key_len ||
			    (x->key_len != 0 && memcmp(x->key, y->key, x->key_len) != 0) ||
			    !same(&x->value, &y->value))
				return 0;
		}
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_value fast, ref, mine;
	sl_error ref_err, my_err;
	int fast_rc, ref_rc, my_rc;

	fast_rc = json_simd_decode(simd, data, size, arena, &fast);
	FUZZ_ASSERT(fast_rc != JSON_SIMD_NOMEM, "simdjson decoder: out of memory");
	ref_err.kind = SL_ERR_NONE;
	ref_rc = json->decode(NULL, data, size, arena, &ref, &ref_err);
	FUZZ_ASSERT(ref_rc == SL_OK || (ref_err.kind == SL_ERR_RECORD &&
		    strncmp(ref_err.message, "invalid JSON at ", 16) == 0),
		    "jansson: error %d '%s'", ref_err.kind, ref_err.message);
	FUZZ_ASSERT((fast_rc == JSON_SIMD_OK) == (ref_rc == SL_OK) ||
		    (fast_rc != JSON_SIMD_OK && left_to_jansson(data, size)),
		    "simdjson %s, jansson %s (%s)",
		    fast_rc == JSON_SIMD_OK ? "accepts" : "refuses",
		    ref_rc == SL_OK ? "accepts" : "refuses",
		    ref_rc == SL_OK ? "" : ref_err.message);
	if (fast_rc == JSON_SIMD_OK)
		FUZZ_ASSERT(same(&fast, &ref), "simdjson and jansson decode to different values");

	my_err.kind = SL_ERR_NONE;
	my_rc = json->decode(instance, data, size, arena, &mine, &my_err);
	FUZZ_ASSERT(my_rc == ref_rc, "the plugin's answer is not jansson's");
	if (ref_rc == SL_OK)
		FUZZ_ASSERT(same(&mine, &ref), "the plugin's value is not jansson's");
	else
		FUZZ_ASSERT(my_err.kind == ref_err.kind &&
			    strcmp(my_err.message, ref_err.message) == 0,
			    "the plugin says '%s', jansson '%s'", my_err.message,
			    ref_err.message);
	sl_arena_reset(arena);
	return 0;
}
