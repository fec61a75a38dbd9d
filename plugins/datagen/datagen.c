/*
 * datagen.c - the datagen source: options, the rate schedule, the plugin.
 *
 * The same options and seed always give the same records, whatever the
 * batch sizes the engine asks for, so a datagen job's output can be
 * checked against a stored file.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datagen.h"

/* The bytes profile refuses values larger than this (the value type's
 * lengths are 32-bit, and a bigger benchmark record is a typo). */
#define BYTES_SIZE_MAX (1024ll * 1024 * 1024)

static const char printable[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

static int parse_profile(const char *text, profile *out)
{
	if (text == NULL || strcmp(text, "user_events") == 0)
		*out = PROFILE_USER_EVENTS;
	else if (strcmp(text, "sequence") == 0)
		*out = PROFILE_SEQUENCE;
	else if (strcmp(text, "bytes") == 0)
		*out = PROFILE_BYTES;
	else
		return -1;
	return 0;
}

static void datagen_close(void *self)
{
	datagen *g = self;

	if (g != NULL) {
		free(g->bytes);
		free(g);
	}
}

/*
 * Check what the descriptor cannot say (the integers' bounds it does) and
 * fill @p g.  SL_OK or SL_ERR.
 */
static int configure(datagen *g, sl_stage *stage, sl_error *err)
{
	int64_t count = sl_option_int(stage, "count");
	int64_t seed = sl_option_int(stage, "seed");
	int64_t users = sl_option_int(stage, "users");
	int64_t size = sl_option_int(stage, "size");
	size_t i;

	g->stage_name = sl_stage_name(stage);
	g->rate = sl_option_number(stage, "rate");
	if (parse_profile(sl_option(stage, "profile"), &g->profile) != 0)
		return sl_config_error(stage, "profile", err,
				       "unknown profile '%s' (user_events, sequence, bytes)",
				       sl_option(stage, "profile"));
	if (!(g->rate >= 0) || isinf(g->rate))
		return sl_config_error(stage, "rate", err,
				       "rate must be a number of records per second >= 0 (0 = no limit)");
	g->count = count > 0 ? (uint64_t)count : 0;
	g->users = users > 0 ? (uint64_t)users : 1;
	g->next_ts = DATAGEN_TS_START;
	prng_seed(&g->rng, (uint64_t)seed);
	if (g->profile != PROFILE_BYTES)
		return SL_OK;

	if (size < 1 || size > BYTES_SIZE_MAX)
		return sl_config_error(stage, "size", err,
				       "size must be between 1 and %lld bytes",
				       (long long)BYTES_SIZE_MAX);
	g->size = (size_t)size;
	g->bytes = malloc(g->size);
	if (g->bytes == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME,
				    "out of memory for a %zu-byte value", g->size);
	/* A separate generator: the value depends on the seed only. */
	{
		prng fill;

		prng_seed(&fill, (uint64_t)seed);
		for (i = 0; i < g->size; i++)
			g->bytes[i] = (uint8_t)printable[prng_below(&fill,
					sizeof printable - 1)];
	}
	return SL_OK;
}

static int datagen_open(sl_stage *stage, void **self, sl_error *err)
{
	datagen *g = calloc(1, sizeof *g);

	if (g == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (configure(g, stage, err) != SL_OK) {
		datagen_close(g);
		return SL_ERR;
	}
	*self = g;
	return SL_OK;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Records due by @p now: record k is due k/rate seconds after the start. */
static uint64_t due_by(const datagen *g, int64_t now)
{
	return (uint64_t)((double)(now - g->start_ns) * 1e-9 * g->rate) + 1;
}

/*
 * How many records may be generated now under `rate`, sleeping until the
 * next one is due if none is, but never past @p timeout_ms.  A poll that
 * comes late gets every record that fell due meanwhile, so the average
 * rate holds even when the pipeline stalls for a moment.
 */
static uint64_t rate_allowance(datagen *g, int timeout_ms)
{
	int64_t now = now_ns(), limit;
	uint64_t due;

	if (!g->started) {
		g->start_ns = now;
		g->started = 1;
	}
	limit = timeout_ms < 0 ? INT64_MAX : now + (int64_t)timeout_ms * 1000000;
	while ((due = due_by(g, now)) <= g->seq) {
		/* +1 ns: land just after the instant, not a rounding before it */
		int64_t wake = g->start_ns +
			(int64_t)((double)g->seq / g->rate * 1e9) + 1;
		struct timespec ts;

		if (wake > limit)
			wake = limit;
		if (wake <= now)
			return 0;
		ts.tv_sec = wake / 1000000000;
		ts.tv_nsec = wake % 1000000000;
		/* A signal (a stop request) ends the wait early. */
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			return 0;
		now = now_ns();
	}
	return due - g->seq;
}

static int datagen_poll(void *self, sl_batch *batch, uint32_t max,
			int timeout_ms, sl_error *err)
{
	datagen *g = self;
	uint64_t n = max;

	if (g->count > 0) {
		if (g->seq >= g->count)
			return SL_EOF;
		if (n > g->count - g->seq)
			n = g->count - g->seq;
	}
	if (g->rate > 0) {
		uint64_t allowed = rate_allowance(g, timeout_ms);
		if (n > allowed)
			n = allowed;
	}
	if (n > 0 && datagen_fill(g, batch, (uint32_t)n) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME,
				    "out of memory generating records");
	return g->count > 0 && g->seq >= g->count ? SL_EOF : SL_OK;
}

static const sl_source_class datagen_source = {
	.struct_size = sizeof(sl_source_class),
	.open = datagen_open,
	.poll = datagen_poll,
	.close = datagen_close,
};

SL_PLUGIN("datagen", .source = &datagen_source)
