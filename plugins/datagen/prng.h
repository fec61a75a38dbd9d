/*
 * prng.h - the generator's own random numbers.
 *
 * splitmix64: one 64-bit add and a few multiplies per number, good enough
 * statistically for test data, and, unlike rand(), the same sequence on
 * every platform and libc for a given seed.
 */
#ifndef DATAGEN_PRNG_H
#define DATAGEN_PRNG_H

#include <stdint.h>

typedef struct prng {
	uint64_t state;
} prng;

static inline void prng_seed(prng *r, uint64_t seed)
{
	r->state = seed;
}

static inline uint64_t prng_next(prng *r)
{
	uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/*
 * A number in [0, n) for n < 2^32: the high 32 bits scaled by n (Lemire's
 * multiply-shift).  The bias is below n / 2^32, invisible in test data,
 * and there is no division and no rejection loop.
 */
static inline uint32_t prng_below(prng *r, uint32_t n)
{
	return (uint32_t)(((prng_next(r) >> 32) * (uint64_t)n) >> 32);
}

#endif
