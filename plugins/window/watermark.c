/*
 * watermark.c - per-partition event-time maxima and their minimum.
 *
 * Records mostly come in runs from one partition, so the previous
 * record's partition is checked first; the minimum is recomputed only
 * when the partition that may hold it moves, or one wakes from idleness.
 */
#include <stdlib.h>
#include <string.h>

#include "watermark.h"

void wm_init(watermark *wm, int64_t idle_ms)
{
	memset(wm, 0, sizeof *wm);
	wm->idle_ms = idle_ms;
	wm->value = INT64_MIN;
	wm->bound = INT64_MIN;
}

void wm_free(watermark *wm)
{
	size_t i;

	for (i = 0; i < wm->count; i++) {
		free(wm->parts[i].stage);
		free(wm->parts[i].topic);
	}
	free(wm->parts);
	wm->parts = NULL;
	wm->count = wm->cap = 0;
}

static int idle(const watermark *wm, const wm_part *p, int64_t now)
{
	return wm->idle_ms > 0 && now - p->seen_ms >= wm->idle_ms;
}

void wm_advance(watermark *wm, int64_t ts)
{
	if (ts > wm->value)
		wm->value = ts;
}

void wm_refresh(watermark *wm, int64_t now)
{
	int64_t low = INT64_MAX, high = INT64_MIN;
	int active = 0;
	size_t i;

	if (wm->count == 0)
		return;
	/* partitions not seen yet may still show up */
	if (wm->partitioned && wm->idle_ms > 0 &&
	    now - wm->first_ms < wm->idle_ms)
		return;
	for (i = 0; i < wm->count; i++) {
		const wm_part *p = &wm->parts[i];

		if (p->max_ts > high)
			high = p->max_ts;
		if (!idle(wm, p, now)) {
			active = 1;
			if (p->max_ts < low)
				low = p->max_ts;
		}
	}
	wm->bound = active ? low : high;
	wm_advance(wm, wm->bound);
}

static int same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a == b || strcmp(a, b) == 0;
}

static int matches(const wm_part *p, const sl_origin *o)
{
	return p->partition == o->partition && same_text(p->stage, o->stage) &&
	       same_text(p->topic, o->topic);
}

static wm_part *add_part(watermark *wm, const sl_origin *o)
{
	wm_part *p;

	if (wm->count == wm->cap) {
		size_t cap = wm->cap ? wm->cap * 2 : 8;
		p = realloc(wm->parts, cap * sizeof *p);
		if (p == NULL)
			return NULL;
		wm->parts = p;
		wm->cap = cap;
	}
	p = &wm->parts[wm->count];
	memset(p, 0, sizeof *p);
	p->partition = o->partition;
	p->max_ts = INT64_MIN;
	if ((o->stage != NULL && (p->stage = strdup(o->stage)) == NULL) ||
	    (o->topic != NULL && (p->topic = strdup(o->topic)) == NULL)) {
		free(p->stage);
		return NULL;
	}
	wm->count++;
	return p;
}

int wm_observe(watermark *wm, const sl_origin *o, int64_t ts, int64_t now)
{
	wm_part *p = NULL;
	size_t i;
	int woke, was_low;

	if (wm->last < wm->count && matches(&wm->parts[wm->last], o)) {
		p = &wm->parts[wm->last];
	} else {
		for (i = 0; i < wm->count; i++)
			if (matches(&wm->parts[i], o)) {
				p = &wm->parts[i];
				break;
			}
		if (p == NULL && (p = add_part(wm, o)) == NULL)
			return -1;
		if (o->partition >= 0 && !wm->partitioned) {
			wm->partitioned = 1;
			wm->first_ms = now;
		}
		wm->last = (size_t)(p - wm->parts);
	}
	/* a new partition counts as having woken up */
	woke = p->max_ts == INT64_MIN || idle(wm, p, now);
	was_low = p->max_ts <= wm->bound;
	p->seen_ms = now;
	if (ts > p->max_ts) {
		p->max_ts = ts;
		if (woke || was_low || wm->count == 1)
			wm_refresh(wm, now);
	} else if (woke) {
		wm_refresh(wm, now);
	}
	return 0;
}
