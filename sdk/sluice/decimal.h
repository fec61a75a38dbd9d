/*
 * sluice/decimal.h - integers as decimal text, without snprintf.
 *
 * For formats and sources that write numbers per record, where
 * snprintf's parsing of its format costs more than the digits.
 * Header-only (inline): using it adds nothing to a plugin's ABI.
 */
#ifndef SLUICE_DECIMAL_H
#define SLUICE_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The longest decimal text of a uint64_t, and of an int64_t with its sign. */
#define SL_DECIMAL_MAX 20

/** The number of decimal digits of @p v (1 for 0). */
static inline size_t sl_decimal_digits(uint64_t v)
{
	size_t n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/**
 * Write the decimal digits of @p v at @p dst (no NUL, at most
 * SL_DECIMAL_MAX bytes); returns how many were written.
 */
static inline size_t sl_decimal_u64(char *dst, uint64_t v)
{
	/* two digits a step from this table: half the divisions */
	static const char pairs[201] =
		"00010203040506070809101112131415161718192021222324252627282930"
		"31323334353637383940414243444546474849505152535455565758596061"
		"62636465666768697071727374757677787980818283848586878889909192"
		"93949596979899";
	size_t n = sl_decimal_digits(v);
	char *p = dst + n;

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		p -= 2;
		p[0] = pairs[d];
		p[1] = pairs[d + 1];
	}
	if (v >= 10) {
		p[-2] = pairs[v * 2];
		p[-1] = pairs[v * 2 + 1];
	} else {
		p[-1] = (char)('0' + v);
	}
	return n;
}

/**
 * Write @p v in decimal, '-' first when negative, at @p dst (no NUL, at
 * most SL_DECIMAL_MAX bytes); returns how many were written.
 */
static inline size_t sl_decimal_i64(char *dst, int64_t v)
{
	if (v >= 0)
		return sl_decimal_u64(dst, (uint64_t)v);
	dst[0] = '-';
	return 1 + sl_decimal_u64(dst + 1, (uint64_t)0 - (uint64_t)v);
}

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_DECIMAL_H */
