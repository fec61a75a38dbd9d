/*
 * clock.c - see clock.h.
 */
#include "config.h"

#include <time.h>

#include "base/clock.h"

static int64_t now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sl_now_mono_ms(void)
{
	return now_ms(CLOCK_MONOTONIC);
}

int64_t sl_now_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sl_now_wall_ms(void)
{
	return now_ms(CLOCK_REALTIME);
}
