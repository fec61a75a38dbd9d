/*
 * fuzz_record_codec.c - the decoder of sluice's record codec
 * (base/record_codec.h) and of the hop's key text, on any bytes: each
 * either refuses them with a record error or decodes them to a value that
 * encodes back to exactly those bytes (every value has one encoding, so
 * nothing the decoder accepts is read two ways).  Out-of-bounds reads are
 * the sanitizers' to catch.
 */
#include "config.h"

#include <string.h>

#include "base/arena.h"
#include "base/record_codec.h"
#include "fuzz.h"
#include "plugin/hop_formats.h"

static sl_arena *arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	arena = sl_arena_new();
	FUZZ_ASSERT(arena != NULL, "out of memory");
	return 0;
}

/* What @p f decodes from @p data encodes back to @p data. */
static void check(const char *name, const sl_format_class *f,
		  const uint8_t *data, size_t size)
{
	sl_buf out = { NULL, 0, 0, arena };
	sl_value v;
	sl_error err;

	err.kind = SL_ERR_NONE;
	if (f->decode(NULL, data, size, arena, &v, &err) != SL_OK) {
		FUZZ_ASSERT(err.kind == SL_ERR_RECORD, "%s: refused with error "
			    "kind %d: %s", name, (int)err.kind, err.message);
		return;
	}
	FUZZ_ASSERT(f->encode(NULL, &v, &out, &err) == SL_OK,
		    "%s cannot encode what it decoded: %s", name, err.message);
	FUZZ_ASSERT(out.len == size && (size == 0 ||
		    memcmp(out.data, data, size) == 0),
		    "%s: decoded %zu bytes encode to %zu other ones", name,
		    size, out.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check("record codec", sl_builtin_plugin(&sl_hop_value_format)->format,
	      data, size);
	check("key text", sl_builtin_plugin(&sl_hop_key_format)->format, data,
	      size);
	sl_arena_reset(arena);
	return 0;
}
