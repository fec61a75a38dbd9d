/*
 * fuzz.h - what the fuzz targets share.
 *
 * Each target defines LLVMFuzzerTestOneInput() (and may define
 * LLVMFuzzerInitialize()).  Built with clang and --enable-fuzzing, libFuzzer
 * drives it (make fuzz); otherwise replay.c does, running the inputs named
 * on its command line once each, which is how `make check` replays the
 * corpora with any compiler.
 */
#ifndef SL_FUZZ_H
#define SL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the code under test failed: stop, as a crash would. */
#define FUZZ_ASSERT(cond, ...)                                               \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: fuzz assertion failed: %s: ", \
				__FILE__, __LINE__, #cond);                  \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			abort();                                             \
		}                                                            \
	} while (0)

/*
 * The path of a file named @p name that holds exactly @p size bytes of
 * @p data (the parsers under test read files), in a folder of the
 * process's own; one file at a time.
 */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* The build's plugin folders (descriptors and libraries), for a registry. */
#define FUZZ_PLUGIN_ROOTS { TOP_BUILDDIR "/plugins", TOP_SRCDIR "/plugins", \
	TOP_SRCDIR "/tests/jobs/fixtures/plugins" }

#endif
