/*
 * clock.h - milliseconds: monotonic for intervals, wall-clock for what
 * plugins and event time compare with record timestamps.
 */
#ifndef SL_CLOCK_H
#define SL_CLOCK_H

#include <stdint.h>

int64_t sl_now_mono_ms(void);
int64_t sl_now_wall_ms(void);
/* Microseconds, monotonic: for durations shorter than a millisecond. */
int64_t sl_now_mono_us(void);

#endif
