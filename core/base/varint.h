/*
 * varint.h - unsigned varints as Protocol Buffers writes them (7 bits a
 * byte, the low ones first, the top bit saying more follow): the record
 * codec's lengths and the hop's origin headers.
 */
#ifndef SL_VARINT_H
#define SL_VARINT_H

#include <stddef.h>
#include <stdint.h>

/* The longest varint: 64 bits, 7 a byte. */
#define SL_VARINT_MAX 10

/* @p v at @p p (room for SL_VARINT_MAX bytes); the bytes written. */
static inline size_t sl_varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* The varint at @p p[*@p at .. @p len) into *@p v, *@p at moved past it:
 * 0, or -1 when it is cut short or holds more than 64 bits. */
static inline int sl_varint_get(const uint8_t *p, size_t len, size_t *at,
				uint64_t *v)
{
	unsigned shift;

	*v = 0;
	for (shift = 0; *at < len; shift += 7) {
		uint8_t b = p[(*at)++];

		if (shift == 63 && b > 1)
			return -1;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

#endif
