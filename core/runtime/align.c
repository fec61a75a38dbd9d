/*
 * align.c - event-time alignment of a source's inputs.
 *
 * A window stays open until the watermark passes its end, and the
 * watermark is the slowest input's event time.  librdkafka fetches
 * partitions at their own speeds, so without alignment the inputs that
 * run ahead fill windows that cannot close, and the state grows with the
 * fetch skew instead of with the data's disorder.  Here, after each batch
 * of a source and every tick, an input whose event time is more than
 * max.event.time.skew ahead of the slowest input of the same source is
 * paused (the source's pause_inputs), and resumed once it is back within
 * half that bound: Kafka Streams reads a task's partitions in timestamp
 * order, Flink aligns watermarks across sources (FLIP-182).
 *
 * An input's event time is what the stage on event time, or the
 * repartition sink in front of one, has seen of it.  Only this instance's
 * inputs are compared: the stage's own watermark behind a repartition
 * topic lags by the hop's round trip, which in event time can be hours
 * of dense data, and measured against it every input but one stood
 * paused.  Inputs that delivered nothing for idle.timeout stop holding
 * the others back here, so a paused input cannot wait for one that has
 * no data (for the watermark, such an input stays active until it is at
 * its end: watermark.h).
 *
 * A source holds a paused input without losing what it fetched: the
 * Kafka source reads a queue per partition and leaves a paused one
 * unread, so letting it go costs nothing (rd_kafka_pause_partitions
 * would drop the prefetch and fetch it again, which made runs on dense
 * data 5 to 10 times slower).  Between the upstream part of a job and a
 * repartition topic, the hop's sink reports event times as it writes
 * (hop.c), so the keyed stage's watermark trails the data by
 * milliseconds of wall time rather than by a commit interval.
 *
 * Two things keep alignment from undoing itself.  An input that has
 * delivered nothing yet may be the slowest: until its first record (or
 * until it goes idle) the others that have delivered are paused, as
 * Kafka Streams waits for every partition of a task before it picks the
 * next record.  And a paused input is alive, not idle: it is touched
 * every round, or the watermark would leave it behind and its records
 * would come late once it resumes.  The slowest input is never paused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/convert.h"
#include "base/error.h"
#include "job/job.h"
#include "runtime/align.h"
#include "runtime/log.h"
#include "runtime/metric.h"
#include "runtime/watermark.h"

/* How long an input that delivers nothing holds the others when the
 * stage's idle.timeout is 0 (idleness off): a bound, so that an empty
 * partition cannot stop the job. */
#define QUIET_MS 5000

#define CAN_PAUSE(s) \
	(SL_STRUCT_HAS((s)->plugin->source, sl_source_class, pause_inputs) && \
	 SL_STRUCT_HAS((s)->plugin->source, sl_source_class, resume_inputs))

/* A source whose inputs are aligned. */
typedef struct aligned {
	sl_stage *source;
	sl_watermark **seen;     /* where its inputs' event times are seen */
	size_t seen_count;
	int64_t skew;            /* the smallest of theirs */
} aligned;

/* An input paused. */
typedef struct paused {
	sl_stage *source;
	char *topic;
	int32_t partition;
	int64_t since;           /* wall clock */
} paused;

struct sl_align {
	aligned *sources;
	size_t source_count;
	paused *paused;
	size_t paused_count;
};

static int64_t skew_of(const sl_stage *s)
{
	return s->def->settings.max_event_time_skew_ms;
}

/* @p arr with room for @p n items of @p size, or NULL. */
static void *room(void *arr, size_t n, size_t size)
{
	return realloc(arr, n * size);
}

/* What of the job @p a watches for its source; 0 or -1. */
static int watch(sl_engine *e, aligned *a)
{
	sl_watermark **seen;
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i], *timed;

		if (s->wm == NULL || !sl_stage_fed_by(s, a->source))
			continue;
		if (s->def->role == SL_ROLE_REPARTITION_SINK)
			timed = s->hop.serves; /* its watermark is in the reports */
		else if (!s->wm->reported)
			timed = s;
		else
			continue;
		if ((seen = room(a->seen, a->seen_count + 1, sizeof *seen)) == NULL)
			return -1;
		a->seen = seen;
		a->seen[a->seen_count++] = s->wm;
		/* a stage that never holds (0) sets no limit for the others */
		if (skew_of(timed) > 0 &&
		    (a->skew == 0 || skew_of(timed) < a->skew))
			a->skew = skew_of(timed);
	}
	return 0;
}

int sl_align_open(sl_engine *e, sl_error *err)
{
	size_t i;

	sl_align *al;

	if ((al = e->align = calloc(1, sizeof *e->align)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; i < e->stage_count; i++) {
		aligned a;

		if (e->stages[i].kind != SL_KIND_SOURCE || !CAN_PAUSE(&e->stages[i]))
			continue;
		aligned *grown;

		memset(&a, 0, sizeof a);
		a.source = &e->stages[i];
		if (watch(e, &a) != 0)
			goto oom;
		if (a.seen_count == 0 || a.skew <= 0) {
			free(a.seen);
			continue;
		}
		grown = room(al->sources, al->source_count + 1, sizeof *grown);
		if (grown == NULL)
			goto oom;
		al->sources = grown;
		al->sources[al->source_count++] = a;
		continue;
oom:
		free(a.seen);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	return SL_OK;
}

/*
 * The largest event time input (topic, partition) of @p a has shown
 * (INT64_MIN: none yet), and in *@p quiet whether it has nothing for the
 * others to wait for: it is at its end (every stage that watches it says
 * so), or it has delivered nothing for the idle bound of where it is
 * seen.  An input at its end goes quiet at once: the others that wait
 * for it would wait for data that is not there (at the end of a bounded
 * run, for idle.timeout each time a partition finished first).
 */
static int64_t input_time(const aligned *a, const char *topic,
			  int32_t partition, int64_t now, int *quiet)
{
	int64_t t = INT64_MIN, seen = INT64_MIN, bound = 0;
	const sl_wm_input *in;
	int known = 0, at_end = 1;
	size_t i;

	for (i = 0; i < a->seen_count; i++) {
		in = sl_wm_input_of(a->seen[i], a->source->def->name, topic,
				    partition);
		if (in == NULL)
			continue;
		known = 1;
		at_end &= in->end_ms != INT64_MIN;
		if (in->max_ts > t)
			t = in->max_ts;
		if (in->seen_ms > seen) {
			seen = in->seen_ms;
			bound = a->seen[i]->idle_ms > 0 ? a->seen[i]->idle_ms :
							  QUIET_MS;
		}
	}
	*quiet = (known && at_end) || seen == INT64_MIN || now - seen >= bound;
	return t;
}

/* Keep the paused inputs of @p a from going idle where they are seen. */
static void touch_paused(const sl_align *al, const aligned *a, int64_t now)
{
	size_t i, j;

	for (i = 0; i < al->paused_count; i++) {
		const paused *p = &al->paused[i];

		if (p->source != a->source)
			continue;
		for (j = 0; j < a->seen_count; j++)
			sl_wm_touch(a->seen[j], a->source->def->name, p->topic,
				    p->partition, now);
	}
}

/*
 * What the inputs of @p a are measured against: the smallest event time
 * of those that are not quiet (INT64_MAX: none); in *@p waiting whether
 * one that is not quiet has shown no event time yet, which holds every
 * other.
 */
static int64_t slowest_of(const aligned *a, int64_t now, int *waiting)
{
	int64_t slowest = INT64_MAX, x;
	size_t i;
	int quiet;

	*waiting = 0;
	for (i = 0; i < a->source->held_count; i++) {
		x = input_time(a, a->source->held[i].topic,
			       a->source->held[i].partition, now, &quiet);
		if (quiet)
			continue;
		if (x == INT64_MIN)
			*waiting = 1;
		else if (x < slowest)
			slowest = x;
	}
	return slowest;
}

static paused *find(sl_align *al, const sl_stage *s, const char *topic,
		    int32_t partition)
{
	size_t i;

	for (i = 0; i < al->paused_count; i++) {
		paused *p = &al->paused[i];

		if (p->source == s && p->partition == partition &&
		    (p->topic == topic || (p->topic != NULL && topic != NULL &&
					   strcmp(p->topic, topic) == 0)))
			return p;
	}
	return NULL;
}

static void unpause(sl_align *al, paused *p, int64_t now)
{
	sl_stage_metric_add(p->source, "partitions paused", -1);
	sl_stage_metric_add(p->source, "paused ms", now - p->since);
	free(p->topic);
	*p = al->paused[--al->paused_count];
}

/* Pause (@p stop) or resume @p n inputs of @p s.  SL_OK or SL_ERR. */
static int call(sl_stage *s, int stop, const sl_input *inputs, size_t n,
		sl_error *err)
{
	const sl_source_class *k = s->plugin->source;
	int rc;

	if (n == 0)
		return SL_OK;
	rc = stop ? k->pause_inputs(s->self, inputs, n, err) :
		    k->resume_inputs(s->self, inputs, n, err);
	if (rc != SL_OK)
		sl_error_prefix(err, "stage '%s': %s inputs running ahead in "
				"event time: ", s->def->name,
				stop ? "pausing" : "resuming");
	return rc;
}

static int align_one(sl_align *al, const aligned *a, int64_t now,
		     sl_error *err)
{
	sl_stage *s = a->source;
	sl_input *stop = NULL, *go = NULL;
	size_t i, nstop = 0, ngo = 0;
	int64_t slowest;
	int rc = SL_OK, waiting, quiet;

	touch_paused(al, a, now);
	slowest = slowest_of(a, now, &waiting);

	stop = malloc((s->held_count ? s->held_count : 1) * sizeof *stop);
	go = malloc((s->held_count ? s->held_count : 1) * sizeof *go);
	if (stop == NULL || go == NULL) {
		free(stop);
		free(go);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	for (i = 0; i < s->held_count; i++) {
		const sl_tracked *in = &s->held[i];
		int held_back = find(al, s, in->topic, in->partition) != NULL;
		int64_t t;
		sl_input x = { in->topic, in->partition, 0 };

		t = input_time(a, in->topic, in->partition, now, &quiet);
		if (quiet || t == INT64_MIN || (t <= slowest && !waiting)) {
			/* delivering nothing (holding it would only keep what
			 * comes next unread, its end out of date), nothing to
			 * measure, or the slowest, which never waits (when all
			 * are quiet, slowest is INT64_MAX) */
			if (held_back)
				go[ngo++] = x;
		} else if (waiting) { /* until the others have shown theirs */
			if (!held_back)
				stop[nstop++] = x;
		} else if (!held_back && t - slowest > a->skew) {
			stop[nstop++] = x;
		} else if (held_back && t - slowest <= a->skew / 2) {
			go[ngo++] = x;
		}
	}
	if (call(s, 1, stop, nstop, err) != SL_OK ||
	    call(s, 0, go, ngo, err) != SL_OK)
		rc = SL_ERR;
	for (i = 0; rc == SL_OK && i < nstop; i++) {
		paused p = { s, NULL, stop[i].partition, now }, *grown = NULL;

		if ((stop[i].topic == NULL || (p.topic = strdup(stop[i].topic))) &&
		    (grown = room(al->paused, al->paused_count + 1,
				  sizeof *grown)) != NULL) {
			al->paused = grown;
			al->paused[al->paused_count++] = p;
			sl_stage_metric_add(s, "partitions paused", 1);
			continue;
		}
		/* not remembered: resumed by the next tick that finds it */
		free(p.topic);
		rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	for (i = 0; rc == SL_OK && i < ngo; i++) {
		paused *p = find(al, s, go[i].topic, go[i].partition);

		if (p != NULL)
			unpause(al, p, now);
	}
	if (nstop > 0 || ngo > 0)
		sl_stage_log(s, SL_LOG_DEBUG, "event-time alignment, slowest "
			     "input at %lld: paused %zu input(s), resumed %zu",
			     (long long)slowest, nstop, ngo);
	free(stop);
	free(go);
	return rc;
}

int sl_align_source(sl_engine *e, const sl_stage *s, int64_t now, sl_error *err)
{
	size_t i;

	for (i = 0; e->align != NULL && i < e->align->source_count; i++)
		if (e->align->sources[i].source == s)
			return align_one(e->align, &e->align->sources[i], now, err);
	return SL_OK;
}

int sl_align_tick(sl_engine *e, int64_t now, sl_error *err)
{
	size_t i;

	for (i = 0; e->align != NULL && i < e->align->source_count; i++)
		if (align_one(e->align, &e->align->sources[i], now, err) != SL_OK)
			return SL_ERR;
	return SL_OK;
}

void sl_align_forget(sl_engine *e, const sl_stage *s, const char *topic,
		     int32_t partition)
{
	paused *p;

	if (e->align != NULL &&
	    (p = find(e->align, s, topic, partition)) != NULL)
		unpause(e->align, p, sl_now_wall_ms());
}

void sl_align_close(sl_engine *e)
{
	sl_align *al = e->align;
	size_t i;

	if (al == NULL)
		return;
	while (al->paused_count > 0)
		unpause(al, &al->paused[0], sl_now_wall_ms());
	for (i = 0; i < al->source_count; i++) {
		free(al->sources[i].seen);
	}
	free(al->sources);
	free(al->paused);
	free(al);
	e->align = NULL;
}
