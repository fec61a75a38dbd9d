/*
 * fuzz_format.c - the json and string formats, loaded and opened as the
 * engine does: whatever either decodes must encode, decode again to what encodes
 * the same bytes (a round trip is stable), and be writable by the json
 * format; the string format gives back its input byte for byte.
 */
#include "config.h"

#include <string.h>

#include <sluice/plugin.h>

#include "base/arena.h"
#include "fuzz.h"
#include "plugin/loader.h"
#include "optest.h"

static const sl_format_class *json, *string;
static void *json_self; /* an instance, as the engine opens one */
static sl_arena *arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static sl_registry json_reg, string_reg;
	static sl_loader *json_loader, *string_loader;

	(void)argc;
	(void)argv;
	json = optest_load_plugin("json", &json_reg, &json_loader)->format;
	string = optest_load_plugin("string", &string_reg, &string_loader)->format;
	arena = sl_arena_new();
	if (json->open != NULL) {
		sl_error err;

		FUZZ_ASSERT(json->open(NULL, &json_self, &err) == SL_OK,
			    "json: open: %s", err.message);
	}
	return 0;
}

static const char *name_of(const sl_format_class *f)
{
	return f == json ? "json" : "string";
}

static void *self_of(const sl_format_class *f)
{
	return f == json ? json_self : NULL;
}

/* Encode @p v with @p f into @p out (from the arena); it must succeed. */
static void encode(const sl_format_class *f, const sl_value *v, sl_buf *out)
{
	sl_error err;

	memset(out, 0, sizeof *out);
	out->arena = arena;
	err.kind = SL_ERR_NONE;
	FUZZ_ASSERT(f->encode(self_of(f), v, out, &err) == SL_OK,
		    "%s cannot encode what was decoded: %s", name_of(f),
		    err.message);
}

/* Decode @p len bytes with @p f: SL_OK, or a record error. */
static int decode(const sl_format_class *f, const void *data, size_t len,
		  sl_value *v)
{
	sl_error err;
	int rc;

	err.kind = SL_ERR_NONE;
	rc = f->decode(self_of(f), data, len, arena, v, &err);
	FUZZ_ASSERT(rc == SL_OK || (rc == SL_ERR && err.kind == SL_ERR_RECORD),
		    "%s: decode gave %d, error kind %d", name_of(f), rc, err.kind);
	return rc;
}

/* encode(decode(encode(v))) == encode(v), with format @p f. */
static void stable(const sl_format_class *f, const sl_value *v)
{
	sl_buf once, twice;
	sl_value again;

	encode(f, v, &once);
	FUZZ_ASSERT(decode(f, once.data, once.len, &again) == SL_OK,
		    "%s does not decode its own output", name_of(f));
	encode(f, &again, &twice);
	FUZZ_ASSERT(once.len == twice.len &&
		    (once.len == 0 || memcmp(once.data, twice.data, once.len) == 0),
		    "%s: the round trip is not stable", name_of(f));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const sl_format_class *formats[2] = { json, string };
	sl_value v;
	sl_buf out;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (decode(formats[i], data, size, &v) != SL_OK)
			continue;
		stable(formats[i], &v);
		stable(json, &v); /* any decoded value is JSON */
		if (formats[i] == string) {
			encode(string, &v, &out);
			FUZZ_ASSERT(out.len == size &&
				    (size == 0 || memcmp(out.data, data, size) == 0),
				    "string: not its input byte for byte");
		}
	}
	sl_arena_reset(arena);
	return 0;
}
