/*
 * numfmt.h - decimal integers without snprintf.
 *
 * Formatting a record is a handful of integers; snprintf's format parsing
 * would dominate the cost of generating it.
 */
#ifndef DATAGEN_NUMFMT_H
#define DATAGEN_NUMFMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Longest decimal text of a uint64_t. */
#define NUMFMT_U64_MAX 20

/*
 * Write the decimal digits of @p v at @p dst (no NUL); returns the number
 * of bytes written (at most NUMFMT_U64_MAX).  Two digits per step from a
 * table halves the divisions.
 */
static inline size_t numfmt_u64(char *dst, uint64_t v)
{
	static const char pairs[201] =
		"00010203040506070809101112131415161718192021222324252627282930"
		"31323334353637383940414243444546474849505152535455565758596061"
		"62636465666768697071727374757677787980818283848586878889909192"
		"93949596979899";
	char tmp[NUMFMT_U64_MAX];
	char *p = tmp + sizeof tmp;
	size_t n;

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		p -= 2;
		p[0] = pairs[d];
		p[1] = pairs[d + 1];
	}
	if (v >= 10) {
		p -= 2;
		p[0] = pairs[v * 2];
		p[1] = pairs[v * 2 + 1];
	} else
		*--p = (char)('0' + v);
	n = (size_t)(tmp + sizeof tmp - p);
	memcpy(dst, p, n);
	return n;
}

#endif
