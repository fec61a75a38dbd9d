/*
 * jsonloop.h - what jsonloop.c shares with its simdjson loop, which is C++
 * (jsonloop_simdjson.cpp) and built only where simdjson is.
 */
#ifndef JSONLOOP_H
#define JSONLOOP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Readable bytes after the text, as simdjson requires (SIMDJSON_PADDING). */
#define JSONLOOP_PADDING 64

/* The events file: line i is len[i] bytes at text + start[i]. */
typedef struct jsonloop_lines {
	char *text;
	size_t size; /* text is followed by JSONLOOP_PADDING zero bytes */
	size_t count;
	size_t *start;
	size_t *len;
} jsonloop_lines;

/* What the job reads of the events, summed so no parser can skip it. */
typedef struct jsonloop_sums {
	uint64_t page_views;
	uint64_t user_sum;
	uint64_t ts_sum;
} jsonloop_sums;

/* The simdjson On-Demand loop: 0, or -1 having said why on stderr. */
int jsonloop_simdjson(const jsonloop_lines *in, jsonloop_sums *out);

#ifdef __cplusplus
}
#endif
#endif
