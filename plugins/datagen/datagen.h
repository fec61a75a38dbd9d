/*
 * datagen.h - the datagen source: generated records for tests, demos and
 * benchmarks.
 */
#ifndef DATAGEN_H
#define DATAGEN_H

#include <stdint.h>

#include <sluice/plugin.h>

#include "prng.h"

typedef enum profile {
	PROFILE_USER_EVENTS = 0,
	PROFILE_SEQUENCE,
	PROFILE_BYTES
} profile;

typedef struct datagen {
	const char *stage_name;
	profile profile;
	uint64_t count;   /* records to generate; 0 = no end */
	double rate;      /* records per second; 0 = as fast as possible */
	uint64_t users;   /* user_events: ids are 1..users */
	uint64_t seq;     /* records generated so far = next sequence number */
	int64_t next_ts;  /* user_events: ts of the next record */
	prng rng;
	uint8_t *bytes;   /* bytes: the one value every record shares */
	size_t size;
	int started;      /* the rate schedule starts at the first poll */
	int64_t start_ns; /* CLOCK_MONOTONIC at the first poll */
} datagen;

/* First `ts` of the user_events profile: 2023-11-14T22:13:20Z in ms. */
#define DATAGEN_TS_START 1700000000000ll

/*
 * Append @p n records of the instance's profile to @p batch, continuing
 * its sequence.  0, or -1 when the arena is exhausted.
 */
int datagen_fill(datagen *g, sl_batch *batch, uint32_t n);

#endif
