/*
 * window.c - the window operator: its options, open and close, process,
 * tick and finish, and its class (window_shared.h tells how windows are
 * kept and fired).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sluice/plugin.h>

#include "../lib/groupkey.h"
#include "window_shared.h"

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void window_close(void *self)
{
	window *w = self;

	if (w == NULL)
		return;
	slop_aggs_close(&w->agg);
	slop_path_free(&w->field);
	free(w->key);
	free(w->sessions);
	free(w->due);
	free(w->searched);
	free(w->found);
	free(w->order);
	window_groups_free(w);
	window_index_free(w->index);
	free(w->panes);
	free(w);
}

static int open_time(window *w, const sl_stage *stage, sl_error *err)
{
	const char *time = sl_option(stage, "time"), *why = NULL;
	int rc;

	if (time == NULL || strcmp(time, "record") == 0) {
		w->mode = TIME_RECORD;
		return SL_OK;
	}
	if (strcmp(time, "processing") == 0) {
		w->mode = TIME_PROCESSING;
		return SL_OK;
	}
	if (strncmp(time, "event:", 6) != 0)
		return sl_config_error(stage, "time", err,
				       "expected event:FIELD, record or processing");
	w->mode = TIME_EVENT;
	rc = slop_path_parse(&w->field, time + 6, strlen(time + 6), &why);
	if (rc == -2)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (rc != 0 || w->field.count == 0)
		return sl_config_error(stage, "time", err,
				       "event: needs the field holding the event "
				       "time in ms, e.g. event:ts");
	return SL_OK;
}

static int64_t gcd(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/* Sessions: gap, and neither size nor advance. */
static int read_session(window *w, const sl_stage *stage, sl_error *err)
{
	if (sl_option(stage, "size") != NULL)
		return sl_config_error(stage, "size", err,
				       "session windows have no size: a "
				       "session ends `gap` after its last "
				       "record");
	if (sl_option(stage, "advance") != NULL)
		return sl_config_error(stage, "advance", err,
				       "only hopping windows take advance "
				       "(type = hopping)");
	if (sl_option(stage, "gap") == NULL)
		return sl_config_error(stage, "type", err,
				       "session windows need gap, the time "
				       "without records that ends a session, "
				       "e.g. gap = 30m");
	w->gap = sl_option_duration_ms(stage, "gap");
	if (w->gap <= 0 || w->gap > TS_LIMIT)
		return sl_config_error(stage, "gap", err, "must be at least 1ms");
	w->size = w->advance = w->pane = 1; /* unused */
	return SL_OK;
}

/* type, size and advance (or gap): tumbling, hopping with its advance,
 * or session with its gap. */
static int read_shape(window *w, const sl_stage *stage, sl_error *err)
{
	const char *type = sl_option(stage, "type");
	int has_advance = sl_option(stage, "advance") != NULL;

	w->hopping = type != NULL && strcmp(type, "hopping") == 0;
	w->session = type != NULL && strcmp(type, "session") == 0;
	if (type != NULL && !w->hopping && !w->session &&
	    strcmp(type, "tumbling") != 0)
		return sl_config_error(stage, "type", err,
				       "expected tumbling, hopping or session");
	if (w->session)
		return read_session(w, stage, err);
	if (sl_option(stage, "gap") != NULL)
		return sl_config_error(stage, "gap", err,
				       "only session windows take gap "
				       "(type = session)");
	if (sl_option(stage, "size") == NULL)
		return sl_config_error(stage, "type", err,
				       "tumbling and hopping windows need "
				       "size, e.g. size = 60s");
	w->size = sl_option_duration_ms(stage, "size");
	if (w->size <= 0 || w->size > TS_LIMIT)
		return sl_config_error(stage, "size", err, "must be at least 1ms");
	if (!w->hopping && has_advance)
		return sl_config_error(stage, "advance", err,
				       "only hopping windows take advance "
				       "(type = hopping)");
	if (w->hopping && !has_advance)
		return sl_config_error(stage, "type", err,
				       "hopping windows need advance, how far "
				       "each window starts after the one "
				       "before, e.g. advance = 10s");
	w->advance = w->hopping ? sl_option_duration_ms(stage, "advance") :
		w->size;
	if (w->advance <= 0 || w->advance > w->size)
		return sl_config_error(stage, "advance", err,
				       "must be at least 1ms and at most size "
				       "(%lld ms)", (long long)w->size);
	w->pane = gcd(w->size, w->advance);
	w->layout = w->hopping ? LAYOUT_HOP : LAYOUT;
	w->head = w->hopping ? HOP_HEAD : HEAD;
	return SL_OK;
}

/* The window's options, read and checked: what check and open share. */
static int read_options(window *w, const sl_stage *stage, sl_error *err)
{
	w->lateness = sl_option_duration_ms(stage, "allowed.lateness");
	if (read_shape(w, stage, err) != SL_OK)
		return SL_ERR;
	if (w->lateness < 0 || w->lateness > TS_LIMIT)
		return sl_config_error(stage, "allowed.lateness", err,
				       "out of range");
	if (open_time(w, stage, err) != SL_OK ||
	    slop_aggs_open(&w->agg, stage, "function", SEQ_SIZE, err) != SL_OK)
		return SL_ERR;
	return SL_OK;
}

static int window_check(const sl_stage *stage, sl_error *err)
{
	window *w = calloc(1, sizeof *w);
	int rc;

	if (w == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	rc = read_options(w, stage, err);
	window_close(w);
	return rc;
}

static int window_open(sl_stage *stage, void **self, sl_error *err)
{
	window *w = calloc(1, sizeof *w);

	if (w == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	w->stage = stage;
	w->wm = INT64_MIN;
	w->parts = SL_HOST_HAS(state_timer_set_in);
	/* later than what a restored store holds: microseconds of the wall
	 * clock, then one by one */
	w->arrived = (uint64_t)wall_ms() * 1000;
	if (read_options(w, stage, err) != SL_OK ||
	    (w->mode != TIME_PROCESSING &&
	     sl_watermark_open(stage, sl_option_duration_ms(stage, "idle.timeout"),
			       err) != SL_OK) ||
	    (w->state = sl_state_open(stage, NULL, err)) == NULL)
		goto fail;
	/* built from the store at the first firing, kept up from then on */
	if (!w->session && SL_HOST_HAS(state_generation) &&
	    (w->index = window_index_new()) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto fail;
	}
	*self = w;
	return SL_OK;
fail:
	window_close(w);
	return SL_ERR;
}

/* The timers of windows @p first .. @p last (starts) of input partition
 * @p partition, [1][partition] at their ends: those this batch has not
 * set yet.  SL_OK or SL_ERR (out of memory). */
static int set_timers(window *w, int32_t partition, int64_t first,
		      int64_t last)
{
	int64_t start;
	int known = w->timers_known && w->timers_partition == partition;
	uint8_t tkey[5];

	tkey[0] = LAYOUT;
	window_put_partition(tkey + 1, partition);
	for (start = first; start <= last; start += w->advance)
		if ((!known || start < w->timers_from ||
		     start > w->timers_to) &&
		    sl_state_timer_set(w->state, start + w->size, tkey,
				       sizeof tkey) != SL_OK)
			return SL_ERR;
	/* remember one run of windows: grown while entries come in
	 * order, started afresh when they jump */
	if (known && first <= w->timers_to + w->advance &&
	    last >= w->timers_from - w->advance) {
		if (first < w->timers_from)
			w->timers_from = first;
		if (last > w->timers_to)
			w->timers_to = last;
	} else {
		w->timers_known = 1;
		w->timers_partition = partition;
		w->timers_from = first;
		w->timers_to = last;
	}
	return SL_OK;
}

/* Fold one record into its window.  SL_OK, SL_SKIP or SL_ERR. */
static int add(window *w, sl_batch *batch, sl_record *r, int64_t now,
	       sl_error *err)
{
	sl_error why;
	int64_t ts = 0, pane, first, last, wm;
	const char *gk;
	size_t gklen, klen;
	uint8_t *acc;
	int created;

	if (window_time_of(w, r, now, &ts, &why) != SL_OK ||
	    slop_aggs_input(&w->agg, r, batch->arena, &why) != SL_OK) {
		if (why.kind != SL_ERR_RECORD) {
			*err = why;
			return SL_ERR;
		}
		return sl_record_error(w->stage, r, err, "%s", why.message);
	}
	wm = w->mode == TIME_PROCESSING ? w->wm :
		sl_watermark(w->stage, r->origin.partition, now);
	if (w->session) {
		int rc = window_session_add(w, batch, r, ts, wm, err);

		if (w->mode != TIME_PROCESSING &&
		    (rc != SL_ERR || err->kind == SL_ERR_RECORD))
			sl_watermark_observe(w->stage, r, ts, now);
		return rc;
	}
	pane = window_start(w, ts);
	first = window_first_of(w, pane);
	last = window_last_of(w, pane);
	/* late when the last window holding it has closed; a hopping
	 * window that closed before the others just misses it */
	if (wm != INT64_MIN && last + w->size + w->lateness <= wm) {
		sl_metric_add(w->stage, "late", 1);
		if (w->mode != TIME_PROCESSING)
			sl_watermark_observe(w->stage, r, ts, now);
		return sl_record_error(w->stage, r, err,
				       "late record: event time %lld is in window "
				       "[%lld, %lld), closed at watermark %lld "
				       "(allowed.lateness %lld ms)",
				       (long long)ts, (long long)last,
				       (long long)(last + w->size),
				       (long long)wm,
				       (long long)w->lateness);
	}
	if (slop_group_key(r->key, batch->arena, &gk, &gklen) != 0)
		return sl_record_error(w->stage, r, err,
				       "the key cannot be written as text");
	/* windows closed already (not fired yet, perhaps) do not take it */
	while (wm != INT64_MIN && first + w->size + w->lateness <= wm)
		first += w->advance;
	klen = window_state_key(w, pane, r->origin.partition, first, gk, gklen);
	acc = klen ? sl_state_slot(w->state, w->key, klen,
				   slop_aggs_value_size(&w->agg),
				   &created) : NULL;
	if (acc == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	/* the timers of the entry's windows for this partition: set once,
	 * then found */
	if (created && set_timers(w, r->origin.partition, first,
				  last) != SL_OK)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	/* an index it cannot keep is built again from the store */
	if (created && w->index_whole &&
	    window_index_add(w->index, r->origin.partition, pane, w->key,
			     klen) != 0)
		w->index_whole = 0;
	if (slop_aggs_claim(&w->agg, acc, created, &why) != SL_OK)
		return sl_error_set(err, SL_ERR_RUNTIME, "key '%.*s': %s",
				    (int)gklen, gk, why.message);
	if (created)
		window_put_u64(acc + SLOP_EXTRA_AT, w->arrived++);
	slop_aggs_fold(&w->agg, acc);
	if (w->mode != TIME_PROCESSING)
		sl_watermark_observe(w->stage, r, ts, now);
	return SL_OK;
}

static int window_process(void *self, sl_batch *batch, sl_error *err)
{
	window *w = self;
	int64_t now = wall_ms();
	uint32_t i, n = batch->count;
	int rc = SL_OK;

	if (w->mode == TIME_PROCESSING && now > w->wm)
		w->wm = now;
	w->timers_known = 0;
	for (i = 0; i < n; i++) {
		rc = add(w, batch, &batch->records[i], now, err);
		if (rc == SL_ERR)
			break;
		rc = SL_OK;
	}
	/* the inputs are consumed; what fires replaces them */
	batch->count = 0;
	if (rc == SL_ERR && err->kind != SL_ERR_RECORD)
		return SL_ERR;
	/* The engine gives a stateful stage's records a partition at a
	 * time, each run's results in one batch: the tick that follows the
	 * batch fires, in parts of their own.  After a failed record the
	 * job stops: what is due goes first. */
	if (w->parts && rc == SL_OK)
		return SL_MORE;
	if (window_fire(w, batch, 0, now, FIRE_MAX,
			rc == SL_OK ? err : &(sl_error){ 0 }) == SL_ERR &&
	    rc == SL_OK)
		return SL_ERR;
	return rc;
}

static int window_tick(void *self, int64_t now_ms, sl_batch *out, sl_error *err)
{
	window *w = self;

	if (w->mode == TIME_PROCESSING && now_ms > w->wm)
		w->wm = now_ms;
	return window_fire(w, out, 0, now_ms, FIRE_MAX, err);
}

/* End of input: the watermark moves to the end, every window fires. */
static int window_finish(void *self, sl_batch *out, sl_error *err)
{
	window *w = self;

	return window_fire(w, out, 1, 0, FIRE_MAX, err);
}

/* The event time of @p r as add() will read it (for the engine, in front
 * of a repartition topic). */
static int window_event_time(void *self, const sl_record *r, int64_t *ts)
{
	const window *w = self;
	sl_error why;

	if (w->mode == TIME_PROCESSING)
		return SL_SKIP;
	return window_time_of(w, r, 0, ts, &why) == SL_OK ? SL_OK : SL_SKIP;
}

/* Designated: the class grows at the end. */
static const sl_operator_class window_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = window_open,
	.process = window_process,
	.tick = window_tick,
	.finish = window_finish,
	.close = window_close,
	.event_time = window_event_time,
	.check = window_check,
};

SL_PLUGIN("window", .op = &window_op, .host_needs = SL_HOST_SIZE_WITH(state_timers_fire_by))
