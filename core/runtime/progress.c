/*
 * progress.c - records in/out and rate on one terminal line.
 */
#include "config.h"

#include <stdio.h>

#include "base/clock.h"
#include "runtime/progress.h"

static int64_t last_draw_ms, last_in, last_ms;

static void human(char *buf, size_t size, double n)
{
	if (n >= 1e9)
		snprintf(buf, size, "%.2fG", n / 1e9);
	else if (n >= 1e6)
		snprintf(buf, size, "%.2fM", n / 1e6);
	else if (n >= 1e4)
		snprintf(buf, size, "%.1fk", n / 1e3);
	else
		snprintf(buf, size, "%.0f", n);
}

void sl_progress_update(const sl_engine *e, int final)
{
	int64_t now = sl_now_mono_ms();
	uint64_t in = 0, out = 0, skipped = 0;
	char a[32], b[32], r[32];
	double rate;
	size_t i;

	if (!final && now - last_draw_ms < 500)
		return;
	for (i = 0; i < e->stage_count; i++) {
		const sl_stage *s = &e->stages[i];

		if (s->kind == SL_KIND_SOURCE)
			in += s->records_out;
		else if (s->kind == SL_KIND_SINK)
			out += s->records_out;
		skipped += s->skipped;
	}
	rate = last_ms && now > last_ms ?
		(double)((int64_t)in - last_in) * 1000.0 / (double)(now - last_ms) : 0;
	last_draw_ms = last_ms = now;
	last_in = (int64_t)in;
	human(a, sizeof a, (double)in);
	human(b, sizeof b, (double)out);
	human(r, sizeof r, rate);
	/* \033[K clears what a longer previous line left behind */
	fprintf(stderr, "\r\033[K%s: in %s  out %s  skipped %llu  %s rec/s%s",
		e->job->name, a, b, (unsigned long long)skipped, r,
		final ? "\n" : "");
	fflush(stderr);
}
