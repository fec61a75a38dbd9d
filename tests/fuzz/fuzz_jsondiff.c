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
 *
 * SL_JSONDIFF_SPOIL, for tests/fuzz/jsondiff.test alone, makes the
 * simdjson decoder's answer wrong before the comparison, as a broken
 * decoder would, to prove that a difference fails the target: "leaf"
 * changes the innermost last value of what it accepted, "key" the last
 * key of the innermost last object, "answer" turns acceptance into
 * refusal and refusal into a value no JSON text has (empty bytes).
 *
 * SL_JSONDIFF_KERNEL, for jsondiff.test too, picks simdjson's kernel for
 * both decoders (jsondiff_kernel.cpp says what it changes): a name
 * (icelake, haswell, westmere, fallback, ...) that this CPU runs, else
 * the target fails; "list" prints the kernels this CPU runs and exits.
 * Unset, simdjson picks the best, as in the plugin.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/plugin.h>

#include "base/arena.h"
#include "fuzz.h"
#include "json_simd.h"
#include "plugin/loader.h"
#include "optest.h"
#include "value_same.h"

static const sl_format_class *json;
static void *instance;
static json_simd *simd;
static sl_arena *arena;
static enum { SPOIL_NONE, SPOIL_LEAF, SPOIL_KEY, SPOIL_ANSWER } spoil_mode;

/* jsondiff_kernel.cpp */
int jsondiff_kernels(FILE *out);
int jsondiff_use_kernel(const char *name);
const char *jsondiff_active_kernel(void);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static sl_registry reg;
	static sl_loader *loader;
	sl_error err;

	(void)argc;
	(void)argv;
	const char *spoil_env = getenv("SL_JSONDIFF_SPOIL");
	const char *kernel_env = getenv("SL_JSONDIFF_KERNEL");

	/* before any parser allocates: it keeps the kernel it started with */
	if (kernel_env != NULL && strcmp(kernel_env, "list") == 0)
		exit(jsondiff_kernels(stdout) == 0 && fflush(stdout) == 0 ? 0 : 1);
	if (kernel_env != NULL && *kernel_env != '\0') {
		FUZZ_ASSERT(jsondiff_use_kernel(kernel_env) == 0,
			    "SL_JSONDIFF_KERNEL: '%s' is no kernel this CPU runs", kernel_env);
		FUZZ_ASSERT(strcmp(jsondiff_active_kernel(), kernel_env) == 0,
			    "SL_JSONDIFF_KERNEL: '%s' asked, '%s' active", kernel_env,
			    jsondiff_active_kernel());
	}

	if (spoil_env != NULL && strcmp(spoil_env, "leaf") == 0)
		spoil_mode = SPOIL_LEAF;
	else if (spoil_env != NULL && strcmp(spoil_env, "key") == 0)
		spoil_mode = SPOIL_KEY;
	else if (spoil_env != NULL && strcmp(spoil_env, "answer") == 0)
		spoil_mode = SPOIL_ANSWER;
	else
		FUZZ_ASSERT(spoil_env == NULL || *spoil_env == '\0',
			    "SL_JSONDIFF_SPOIL: leaf, key or answer, not '%s'", spoil_env);
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
 * number with 20 digits or more in its mantissa or its exponent, and a
 * negative one of 19 digits: simdjson refuses the integers among them
 * beyond int64 and uint64, which jansson reads as reals.  Spotted as a
 * NUL, a run of 20 digits ('.' aside), or '-' and 19 digits, anywhere in
 * the input.
 */
static int left_to_jansson(const uint8_t *data, size_t size)
{
	size_t i, run = 0;
	int negative = 0;

	for (i = 0; i < size; i++) {
		if (data[i] == '\0')
			return 1;
		if (data[i] >= '0' && data[i] <= '9') {
			if (run == 0)
				negative = i > 0 && data[i - 1] == '-';
			if (++run >= 20 || (negative && run >= 19))
				return 1;
		} else if (data[i] != '.') {
			run = 0;
		}
	}
	return 0;
}

/*
 * SL_JSONDIFF_SPOIL: make @p v (an answer @p rc of simdjson's to @p data)
 * wrong.  Returns 1 when the answer is now one the target must fail on,
 * 0 when it is unchanged or still allowed (a refusal of what
 * left_to_jansson() spots).
 */
static int spoil(const uint8_t *data, size_t size, int *rc, sl_value *v)
{
	sl_member *last_member = NULL;
	uint64_t bits;

	if (spoil_mode == SPOIL_ANSWER) {
		if (*rc == JSON_SIMD_OK) {
			*rc = JSON_SIMD_REFUSED;
			return !left_to_jansson(data, size);
		}
		*rc = JSON_SIMD_OK;
		v->type = SL_TBYTES;
		v->len = 0;
		v->as.bytes = NULL;
		return 1;
	}
	if (*rc != JSON_SIMD_OK)
		return 0;
	for (;;) {
		if (v->type == SL_TARRAY && v->len > 0) {
			v = &v->as.items[v->len - 1];
		} else if (v->type == SL_TOBJECT && v->len > 0) {
			last_member = &v->as.members[v->len - 1];
			v = &last_member->value;
		} else {
			break;
		}
	}
	if (spoil_mode == SPOIL_KEY) {
		/* a shorter key, or one where there was none */
		if (last_member == NULL)
			return 0;
		if (last_member->key_len > 0) {
			last_member->key_len--;
		} else {
			last_member->key = "k";
			last_member->key_len = 1;
		}
		return 1;
	}
	switch (v->type) {
	case SL_TNULL:
		v->type = SL_TBOOL;
		v->as.b = 0;
		break;
	case SL_TBOOL:
		v->as.b = !v->as.b;
		break;
	case SL_TINT:
		v->as.i ^= 1;
		break;
	case SL_TDOUBLE:
		memcpy(&bits, &v->as.d, sizeof bits);
		bits ^= 1;
		memcpy(&v->as.d, &bits, sizeof bits);
		break;
	case SL_TSTRING:
	case SL_TBYTES:
		if (v->len > 0)
			v->len--;
		else
			v->type = SL_TNULL;
		break;
	case SL_TARRAY:
	case SL_TOBJECT:
		v->type = SL_TNULL;
		break;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_value fast, ref, mine;
	sl_error ref_err, my_err;
	int fast_rc, ref_rc, my_rc;

	fast_rc = json_simd_decode(simd, data, size, arena, &fast);
	FUZZ_ASSERT(fast_rc != JSON_SIMD_NOMEM, "simdjson decoder: out of memory");
	/* the test reads this line: a run that prints it must fail */
	if (spoil_mode != SPOIL_NONE && spoil(data, size, &fast_rc, &fast))
		fprintf(stderr, "jsondiff: spoiled\n");
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
		FUZZ_ASSERT(value_same(&fast, &ref), "simdjson and jansson decode to different values");

	my_err.kind = SL_ERR_NONE;
	my_rc = json->decode(instance, data, size, arena, &mine, &my_err);
	FUZZ_ASSERT(my_rc == ref_rc, "the plugin's answer is not jansson's");
	if (ref_rc == SL_OK)
		FUZZ_ASSERT(value_same(&mine, &ref), "the plugin's value is not jansson's");
	else
		FUZZ_ASSERT(my_err.kind == ref_err.kind &&
			    strcmp(my_err.message, ref_err.message) == 0,
			    "the plugin says '%s', jansson '%s'", my_err.message,
			    ref_err.message);
	sl_arena_reset(arena);
	return 0;
}
