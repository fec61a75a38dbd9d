/*
 * utf8.c - UTF-8 validation.
 *
 * Most stream payloads are ASCII, so the hot loop checks 8 bytes per step
 * and only falls back to decoding sequence by sequence at the first byte
 * with its high bit set.
 */
#include "config.h"

#include <string.h>

#include "base/utf8.h"

#define HIGH_BITS 0x8080808080808080ull

/* Bytes 2..4 of a sequence are 10xxxxxx. */
static int is_cont(uint8_t c)
{
	return (c & 0xC0) == 0x80;
}

/*
 * The length of the well-formed sequence starting with the non-ASCII byte
 * at p[0] (n bytes available), or 0 when it is ill-formed.  The ranges of
 * the second byte are what exclude overlong forms (E0, F0), surrogates
 * (ED) and code points past U+10FFFF (F4).
 */
static size_t sequence_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	uint8_t lo = 0x80, hi = 0xBF;
	size_t need;

	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0; /* 80..C1 (continuation, overlong lead) and F5..FF */

	if (n < need || p[1] < lo || p[1] > hi)
		return 0;
	if (need >= 3 && !is_cont(p[2]))
		return 0;
	if (need == 4 && !is_cont(p[3]))
		return 0;
	return need;
}

size_t sl_utf8_valid_prefix(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint64_t word;
		size_t n;

		if (len - i >= 8) {
			memcpy(&word, p + i, 8);
			if ((word & HIGH_BITS) == 0) {
				i += 8;
				continue;
			}
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = sequence_len(p + i, len - i);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}
