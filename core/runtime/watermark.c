/*
 * watermark.c - event-time maxima of a stage's inputs, and each state
 * partition's watermark, the smallest of its inputs' (see watermark.h).
 *
 * Records mostly come in runs from one input, so the previous record's
 * input and partition are checked first; a partition fed by one input
 * (the usual case) takes that input's maximum without a scan.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/watermark.h"

void sl_wm_init(sl_watermark *wm, int64_t idle_ms, int reported)
{
	memset(wm, 0, sizeof *wm);
	wm->idle_ms = idle_ms;
	wm->reported = reported;
}

static void free_origins(sl_wm_input *in)
{
	size_t i;

	for (i = 0; i < in->origin_count; i++) {
		free(in->origins[i].stage);
		free(in->origins[i].topic);
	}
	free(in->origins);
}

static void free_input(sl_wm_input *in)
{
	free(in->stage);
	free(in->topic);
	free_origins(in);
}

void sl_wm_free(sl_watermark *wm)
{
	size_t i;

	for (i = 0; i < wm->count; i++)
		free_input(&wm->inputs[i]);
	free(wm->inputs);
	free(wm->groups);
	for (i = 0; i < wm->assigning_count; i++)
		free(wm->assigning[i]);
	free(wm->assigning);
	memset(wm, 0, sizeof *wm);
}

int32_t sl_wm_group_of(int32_t partition)
{
	return partition < 0 ? 0 : partition;
}

static int same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a == b || strcmp(a, b) == 0;
}

static int matches(const sl_wm_input *in, const char *stage, const char *topic,
		   int32_t partition)
{
	return in->partition == partition && same_text(in->stage, stage) &&
	       same_text(in->topic, topic);
}

static int idle_since(const sl_watermark *wm, int64_t seen_ms, int64_t now)
{
	return wm->idle_ms > 0 && now - seen_ms >= wm->idle_ms;
}

/*
 * Whether every partition of every upstream topic heard of has reported
 * (as many as the most any line said its topic has).  Computed when an
 * origin is added or says its topic changed size, not per question: a
 * keyed stage behind a topic of hundreds of partitions asks often.
 */
static int same_topic(const sl_wm_origin *a, const sl_wm_origin *b)
{
	return same_text(a->stage, b->stage) && same_text(a->topic, b->topic);
}

static int reports_complete(const sl_wm_input *in)
{
	size_t i, j, have, need;

	for (i = 0; i < in->origin_count; i++) {
		const sl_wm_origin *o = &in->origins[i];

		/* each topic counted once, from its first origin: with the
		 * usual one topic, origin 0 is found at once */
		for (j = 0; j < i && !same_topic(&in->origins[j], o); j++)
			;
		if (j < i)
			continue;
		for (j = i, have = 0, need = 0; j < in->origin_count; j++) {
			const sl_wm_origin *t = &in->origins[j];

			if (!same_topic(t, o))
				continue;
			have++;
			if ((size_t)t->partitions > need)
				need = (size_t)t->partitions;
		}
		if (have < need)
			return 0;
	}
	return in->origin_count > 0;
}

/*
 * A repartition topic partition's event time: the smallest over the
 * upstream partitions that are not idle, once every partition of every
 * upstream topic heard of has reported; the largest when all are idle.
 */
static int64_t reported_time(const sl_wm_input *in, int *idle)
{
	int64_t low = INT64_MAX, high = INT64_MIN;
	size_t i;
	int active = 0;

	*idle = 0;
	if (!in->complete)
		return INT64_MIN;
	for (i = 0; i < in->origin_count; i++) {
		const sl_wm_origin *o = &in->origins[i];

		if (o->max_ts > high)
			high = o->max_ts;
		if (!o->idle) {
			active = 1;
			if (o->max_ts < low)
				low = o->max_ts;
		}
	}
	*idle = !active;
	return active ? low : high;
}

static int64_t input_time(const sl_watermark *wm, const sl_wm_input *in,
			  int64_t now, int *idle)
{
	if (wm->reported)
		return reported_time(in, idle);
	if (in->finished) /* read to its stop: it will bring nothing more */
		*idle = 1;
	else if (in->ends)
		*idle = in->end_ms != INT64_MIN && idle_since(wm, in->end_ms, now);
	else
		*idle = idle_since(wm, in->seen_ms, now);
	return in->max_ts;
}

/* ---- partitions --------------------------------------------------------------- */

static sl_wm_group *find_group(sl_watermark *wm, int32_t group)
{
	size_t i;

	if (wm->last_group < wm->group_count &&
	    wm->groups[wm->last_group].group == group)
		return &wm->groups[wm->last_group];
	for (i = 0; i < wm->group_count; i++) {
		if (wm->groups[i].group == group) {
			wm->last_group = i;
			return &wm->groups[i];
		}
	}
	return NULL;
}

/* One more input feeds @p group; NULL when out of memory. */
static sl_wm_group *join_group(sl_watermark *wm, int32_t group)
{
	sl_wm_group *g = find_group(wm, group);

	if (g == NULL) {
		if (wm->group_count == wm->group_cap) {
			size_t cap = wm->group_cap ? wm->group_cap * 2 : 8;

			if ((g = realloc(wm->groups, cap * sizeof *g)) == NULL)
				return NULL;
			wm->groups = g;
			wm->group_cap = cap;
		}
		g = &wm->groups[wm->group_count];
		g->group = group;
		g->inputs = 0;
		g->value = INT64_MIN;
		g->as_of = 0;
		wm->last_group = wm->group_count++;
	}
	g->inputs++;
	return g;
}

/* An input of @p group is gone; with the last one the partition's
 * watermark goes too (the partition itself has left this instance). */
static void leave_group(sl_watermark *wm, int32_t group)
{
	sl_wm_group *g = find_group(wm, group);

	if (g == NULL || --g->inputs > 0)
		return;
	*g = wm->groups[--wm->group_count];
	wm->last_group = 0;
}

/* Recompute @p g from its inputs at @p now; the watermark never goes back. */
static int64_t refresh_group(sl_watermark *wm, sl_wm_group *g, int64_t now)
{
	int64_t low = INT64_MAX, high = INT64_MIN, t;
	int active = 0, idle, seen = 0;
	size_t i;

	for (i = 0; i < wm->count; i++) {
		if (wm->inputs[i].group != g->group)
			continue;
		t = input_time(wm, &wm->inputs[i], now, &idle);
		seen = 1;
		if (t > high)
			high = t;
		if (!idle) {
			active = 1;
			if (t < low)
				low = t;
		}
	}
	if (seen && (active ? low : high) > g->value)
		g->value = active ? low : high;
	return g->value;
}

/*
 * A reported watermark changes only with reports, assignments and
 * revocations, never with the clock: computed once after each change, not
 * for every record that asks (the window asks per record).
 */
int64_t sl_wm_value(sl_watermark *wm, int32_t group, int64_t now)
{
	sl_wm_group *g = find_group(wm, group);

	if (g == NULL)
		return INT64_MIN;
	if (wm->reported && g->as_of == wm->changes)
		return g->value;
	g->as_of = wm->changes;
	return refresh_group(wm, g, now);
}

/* ---- inputs ------------------------------------------------------------------- */

static sl_wm_input *find(sl_watermark *wm, const char *stage, const char *topic,
			 int32_t partition)
{
	size_t i;

	if (wm->last < wm->count &&
	    matches(&wm->inputs[wm->last], stage, topic, partition))
		return &wm->inputs[wm->last];
	for (i = 0; i < wm->count; i++) {
		if (matches(&wm->inputs[i], stage, topic, partition)) {
			wm->last = i;
			return &wm->inputs[i];
		}
	}
	return NULL;
}

static sl_wm_input *add(sl_watermark *wm, const char *stage, const char *topic,
			int32_t partition)
{
	sl_wm_input *in;

	if (wm->count == wm->cap) {
		size_t cap = wm->cap ? wm->cap * 2 : 8;

		in = realloc(wm->inputs, cap * sizeof *in);
		if (in == NULL)
			return NULL;
		wm->inputs = in;
		wm->cap = cap;
	}
	in = &wm->inputs[wm->count];
	memset(in, 0, sizeof *in);
	in->partition = partition;
	in->partitions = 1;
	in->group = sl_wm_group_of(partition);
	in->max_ts = INT64_MIN;
	in->next_offset = -1;
	in->end_offset = -1;
	in->end_ms = INT64_MIN;
	wm->changes++;
	if ((stage != NULL && (in->stage = strdup(stage)) == NULL) ||
	    (topic != NULL && (in->topic = strdup(topic)) == NULL) ||
	    join_group(wm, in->group) == NULL) {
		free(in->stage);
		free(in->topic);
		return NULL;
	}
	wm->last = wm->count++;
	return in;
}

static int assigns(const sl_watermark *wm, const char *stage)
{
	size_t i;

	for (i = 0; i < wm->assigning_count; i++)
		if (same_text(wm->assigning[i], stage))
			return 1;
	return 0;
}

/* @p stage's source reports its assignments; 0 or -1 (out of memory). */
static int note_assigning(sl_watermark *wm, const char *stage)
{
	char **grown;

	if (stage == NULL || assigns(wm, stage))
		return 0;
	grown = realloc(wm->assigning, (wm->assigning_count + 1) * sizeof *grown);
	if (grown == NULL)
		return -1;
	wm->assigning = grown;
	if ((grown[wm->assigning_count] = strdup(stage)) == NULL)
		return -1;
	wm->assigning_count++;
	return 0;
}

int sl_wm_observe(sl_watermark *wm, const sl_origin *o, int64_t ts, int64_t now)
{
	sl_wm_input *in;
	sl_wm_group *g;

	if (wm->reported)
		return 0;
	in = find(wm, o->stage, o->topic, o->partition);
	if (in == NULL && assigns(wm, o->stage))
		return 0;
	if (in == NULL && (in = add(wm, o->stage, o->topic, o->partition)) == NULL)
		return -1;
	in->seen_ms = now;
	in->end_ms = INT64_MIN;
	in->finished = 0;
	if (o->offset >= in->next_offset)
		in->next_offset = o->offset + 1;
	if (ts <= in->max_ts)
		return 0;
	in->max_ts = ts;
	if ((g = find_group(wm, in->group)) == NULL)
		return 0;
	if (g->inputs == 1) {
		if (ts > g->value)
			g->value = ts;
	} else {
		refresh_group(wm, g, now);
	}
	return 0;
}

int sl_wm_assigned(sl_watermark *wm, const char *stage, const char *topic,
		   int32_t partition, int32_t partitions, int ends,
		   int64_t now)
{
	sl_wm_input *in = find(wm, stage, topic, partition);

	if (note_assigning(wm, stage) != 0)
		return -1;
	if (in == NULL && (in = add(wm, stage, topic, partition)) == NULL)
		return -1;
	in->assigned = 1;
	in->ends = ends;
	in->partitions = partitions > 0 ? partitions : 1;
	wm->changes++;
	in->seen_ms = now;
	return 0;
}

void sl_wm_revoked(sl_watermark *wm, const char *stage, const char *topic,
		   int32_t partition)
{
	sl_wm_input *in = find(wm, stage, topic, partition);

	if (in == NULL)
		return;
	leave_group(wm, in->group);
	wm->changes++;
	free_input(in);
	*in = wm->inputs[--wm->count];
	wm->last = 0;
}

static int same_origin(const sl_wm_origin *a, const sl_wm_origin *b)
{
	return a->partition == b->partition && same_topic(a, b);
}

/* @p o's entry in @p in, added if new (*@p added set); NULL when out of
 * memory.  Report lines come in the same order every time, so the entry
 * after the previous line's is tried first. */
static sl_wm_origin *find_origin(sl_wm_input *in, const sl_wm_origin *o,
				 int *added)
{
	sl_wm_origin *grown;
	size_t i;

	*added = 0;
	if (in->origin_next < in->origin_count &&
	    same_origin(&in->origins[in->origin_next], o))
		return &in->origins[in->origin_next++];
	for (i = 0; i < in->origin_count; i++)
		if (same_origin(&in->origins[i], o)) {
			in->origin_next = i + 1;
			return &in->origins[i];
		}
	if (in->origin_count == in->origin_cap) {
		size_t cap = in->origin_cap ? in->origin_cap * 2 : 8;

		if ((grown = realloc(in->origins, cap * sizeof *grown)) == NULL)
			return NULL;
		in->origins = grown;
		in->origin_cap = cap;
	}
	grown = &in->origins[in->origin_count];
	memset(grown, 0, sizeof *grown);
	grown->partition = o->partition;
	grown->max_ts = INT64_MIN;
	grown->next = -1;
	grown->id = o->id;
	if ((o->stage != NULL && (grown->stage = strdup(o->stage)) == NULL) ||
	    (o->topic != NULL && (grown->topic = strdup(o->topic)) == NULL)) {
		free(grown->stage);
		return NULL;
	}
	in->origin_next = ++in->origin_count;
	*added = 1;
	return grown;
}

int sl_wm_report(sl_watermark *wm, const char *stage, const char *topic,
		 int32_t partition, const sl_wm_origin *origin, int64_t now)
{
	sl_wm_input *in = find(wm, stage, topic, partition);
	int32_t partitions = origin->partitions > 0 ? origin->partitions : 1;
	sl_wm_origin *o;
	int added;

	if (in == NULL && (in = add(wm, stage, topic, partition)) == NULL)
		return -1;
	if ((o = find_origin(in, origin, &added)) == NULL)
		return -1;
	/* an upstream partition's reader may change: what one has
	 * reported stays reported */
	if (origin->max_ts > o->max_ts)
		o->max_ts = origin->max_ts;
	if (origin->next > o->next)
		o->next = origin->next;
	o->idle = origin->idle;
	if (added || o->partitions != partitions) {
		o->partitions = partitions;
		in->complete = reports_complete(in);
	}
	in->seen_ms = now;
	wm->changes++;
	return 0;
}

void sl_wm_reset(sl_watermark *wm)
{
	size_t i;

	for (i = 0; i < wm->count; i++) {
		free_origins(&wm->inputs[i]);
		wm->inputs[i].origins = NULL;
		wm->inputs[i].origin_count = wm->inputs[i].origin_cap = 0;
		wm->inputs[i].origin_next = 0;
		wm->inputs[i].complete = 0;
		wm->inputs[i].max_ts = INT64_MIN;
	}
	for (i = 0; i < wm->group_count; i++)
		wm->groups[i].value = INT64_MIN;
	wm->changes++;
}

int sl_wm_each(const sl_watermark *wm, int64_t now,
	       int (*fn)(void *ctx, const sl_wm_input *in, int idle), void *ctx)
{
	size_t i;
	int rc, idle;

	for (i = 0; i < wm->count; i++) {
		input_time(wm, &wm->inputs[i], now, &idle);
		if ((rc = fn(ctx, &wm->inputs[i], idle)) != 0)
			return rc;
	}
	return 0;
}

const sl_wm_input *sl_wm_input_of(const sl_watermark *wm, const char *stage,
				  const char *topic, int32_t partition)
{
	size_t i;

	for (i = 0; i < wm->count; i++)
		if (matches(&wm->inputs[i], stage, topic, partition))
			return &wm->inputs[i];
	return NULL;
}

void sl_wm_at_end(sl_watermark *wm, const char *stage, const char *topic,
		  int32_t partition, int64_t offset, int finished,
		  int64_t now)
{
	sl_wm_input *in = find(wm, stage, topic, partition);

	if (in == NULL || offset < in->next_offset)
		return;
	in->finished |= finished;
	/* at the same end since then, or at a new one from now */
	if (in->end_ms == INT64_MIN || offset != in->end_offset) {
		in->end_ms = now;
		in->end_offset = offset;
	}
}

void sl_wm_touch(sl_watermark *wm, const char *stage, const char *topic,
		 int32_t partition, int64_t now)
{
	sl_wm_input *in = find(wm, stage, topic, partition);

	if (in != NULL && in->seen_ms < now)
		in->seen_ms = now;
}
