/*
 * fuzz_descriptor.c - the plugin descriptor parser: any bytes must give a
 * descriptor or problems, never a crash or a leak.
 */
#include "config.h"

#include "plugin/descriptor.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_diag diag = { 0 };
	sl_descriptor *d = sl_descriptor_load(fuzz_file("fuzz.plugin", data, size),
					      "", &diag);

	FUZZ_ASSERT((d == NULL) == (diag.count > 0),
		    "a descriptor %s, with %zu problems", d ? "loaded" : "refused",
		    diag.count);
	sl_descriptor_free(d);
	sl_diag_free(&diag);
	return 0;
}
