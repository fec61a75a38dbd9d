/*
 * window_session.c - session windows: a key's open sessions in one entry
 * of the store, a record merged into those it comes within `gap` of, and
 * a session emitted when its timer (at its end) fires (window_shared.h).
 *
 * A record at t opens [t, t + gap); sessions whose spans overlap merge,
 * so two records less than `gap` apart are in one session, and a record
 * between two sessions joins them.  A session [first, last + gap) ends
 * `gap` after its last record.  Sessions closed by the watermark take no
 * record, fired or not, so that what a session holds does not depend on
 * where batches end.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/groupkey.h"
#include "window_shared.h"

/* A session in a key's entry: [first 8][last 8][accumulators]. */
#define SESSION_HEAD 16

size_t window_session_size(const window *w)
{
	return SESSION_HEAD + slop_aggs_value_size(&w->agg);
}

static int64_t get_time(const uint8_t *p)
{
	return (int64_t)window_get_u64(p);
}

static void put_time(uint8_t *p, int64_t t)
{
	window_put_u64(p, (uint64_t)t);
}

/* Room for @p len bytes in w->sessions; 0 when out of memory. */
static int sessions_room(window *w, size_t len)
{
	size_t cap = w->sessions_cap ? w->sessions_cap : 256;
	uint8_t *s;

	if (len <= w->sessions_cap)
		return 1;
	while (cap < len)
		cap *= 2;
	if ((s = realloc(w->sessions, cap)) == NULL)
		return 0;
	w->sessions = s;
	w->sessions_cap = cap;
	return 1;
}

int window_session_add(window *w, sl_batch *batch, sl_record *r, int64_t ts,
		       int64_t wm, sl_error *err)
{
	size_t es = window_session_size(w), n = 0, i, kept = 0, klen, gklen;
	int64_t first = ts, last = ts;
	uint64_t seq = w->arrived;
	const char *gk;
	uint8_t *merged;
	sl_bytes old;
	sl_error why;

	if (slop_group_key(r->key, batch->arena, &gk, &gklen) != 0)
		return sl_record_error(w->stage, r, err,
				       "the key cannot be written as text");
	if ((klen = window_session_key(w, r->origin.partition, gk, gklen)) == 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (sl_state_get(w->state, w->key, klen, &old))
		n = old.len / es;
	/* the key's sessions, then the new one (the others merge into
	 * it), then a spare for moving it into place; one pass finds what
	 * it bridges: open sessions do not overlap one another */
	if (!sessions_room(w, (n + 2) * es))
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (n > 0)
		memcpy(w->sessions, old.data, n * es);
	for (i = 0; i < n; i++) {
		const uint8_t *s = w->sessions + i * es;
		int64_t f = get_time(s), l = get_time(s + 8);

		if (wm != INT64_MIN && l + w->gap + w->lateness <= wm)
			continue; /* closed */
		if (f < last + w->gap && first < l + w->gap) {
			first = f < first ? f : first;
			last = l > last ? l : last;
		}
	}
	if (wm != INT64_MIN && last + w->gap + w->lateness <= wm) {
		sl_metric_add(w->stage, "late", 1);
		return sl_record_error(w->stage, r, err,
				       "late record: event time %lld is in session "
				       "[%lld, %lld), closed at watermark %lld "
				       "(allowed.lateness %lld ms)",
				       (long long)ts, (long long)first,
				       (long long)(last + w->gap), (long long)wm,
				       (long long)w->lateness);
	}
	merged = w->sessions + n * es;
	memset(merged, 0, es);
	if (slop_aggs_claim(&w->agg, merged + SESSION_HEAD, 1, &why) != SL_OK)
		return sl_error_set(err, SL_ERR_RUNTIME, "%s", why.message);
	/* the sessions it bridges go into it, their timers with them; the
	 * others stay, in order */
	for (i = 0; i < n; i++) {
		uint8_t *s = w->sessions + i * es;
		int64_t f = get_time(s), l = get_time(s + 8);
		uint64_t sq;

		if (f < first || l > last || (wm != INT64_MIN &&
		    l + w->gap + w->lateness <= wm)) {
			if (kept != i)
				memmove(w->sessions + kept * es, s, es);
			kept++;
			continue;
		}
		if (slop_aggs_readable(&w->agg, s + SESSION_HEAD, es -
				       SESSION_HEAD, &why) != SL_OK)
			return sl_error_set(err, SL_ERR_RUNTIME,
					    "key '%.*s': %s", (int)gklen, gk,
					    why.message);
		slop_aggs_merge(&w->agg, merged + SESSION_HEAD,
				s + SESSION_HEAD);
		sq = window_get_u64(s + SESSION_HEAD + SLOP_EXTRA_AT);
		seq = sq < seq ? sq : seq;
		sl_state_timer_delete(w->state, l + w->gap, w->key, klen);
	}
	put_time(merged, first);
	put_time(merged + 8, last);
	slop_aggs_fold(&w->agg, merged + SESSION_HEAD);
	window_put_u64(merged + SESSION_HEAD + SLOP_EXTRA_AT, seq);
	if (seq == w->arrived)
		w->arrived++;
	/* the merged session after those that start before it (the kept
	 * ones are in order, and none overlaps it) */
	memcpy(w->sessions + (n + 1) * es, merged, es);
	for (i = 0; i < kept && get_time(w->sessions + i * es) < first; i++)
		;
	memmove(w->sessions + (i + 1) * es, w->sessions + i * es,
		(kept - i) * es);
	memcpy(w->sessions + i * es, w->sessions + (n + 1) * es, es);
	if (sl_state_put(w->state, w->key, klen, w->sessions,
			 (kept + 1) * es) != SL_OK ||
	    sl_state_timer_set(w->state, last + w->gap, w->key, klen) != SL_OK)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	return SL_OK;
}

int window_session_fire(window *w, int64_t end, const uint8_t *key,
			size_t klen, window_emit emit, void *ctx,
			sl_error *err)
{
	size_t es = window_session_size(w), n, i, kept = 0;
	sl_bytes v;
	sl_error why;

	if (!sl_state_get(w->state, key, klen, &v))
		return 0;
	n = v.len / es;
	if (!sessions_room(w, v.len))
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	memcpy(w->sessions, v.data, n * es);
	for (i = 0; i < n; i++) {
		uint8_t *s = w->sessions + i * es;
		int64_t f = get_time(s), l = get_time(s + 8);

		if (l + w->gap > end) {
			if (kept != i)
				memmove(w->sessions + kept * es, s, es);
			kept++;
			continue;
		}
		if (slop_aggs_readable(&w->agg, s + SESSION_HEAD,
				       es - SESSION_HEAD, &why) != SL_OK)
			return sl_error_set(err, SL_ERR_RUNTIME,
					    "key '%.*s': %s", (int)(klen - 5),
					    (const char *)key + 5, why.message);
		if (emit(ctx, f, l + w->gap, key + 5, klen - 5,
			 s + SESSION_HEAD) != 0)
			return -1;
	}
	/* key points into the timer, not the store: safe to change it */
	if (kept == 0) {
		sl_state_delete(w->state, key, klen);
		return 0;
	}
	if (sl_state_put(w->state, key, klen, w->sessions, kept * es) != SL_OK)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	return 0;
}
