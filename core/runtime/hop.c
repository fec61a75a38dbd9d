/*
 * hop.c - the engine's side of a repartition hop (see plan.c).
 *
 * The hop's sink writes the records of the upstream part to the hop's
 * topic, partitioned by key; its source reads them back into the keyed
 * stage, in whichever instance holds each partition.  The engine adds
 * three things the records alone do not carry:
 *
 * Sizing: the topic gets `repartition.partitions`, else as many
 * partitions as the most any partitioned source upstream has.
 *
 * Event time: a partition of the topic mixes records of every upstream
 * partition, in no event-time order, so the keyed stage cannot derive a
 * watermark from them.  The sink's instance knows, for each upstream
 * partition it reads, the largest event time it has written (asking the
 * keyed stage's event_time hook, as the stage will read it) and whether
 * the partition is idle; it reports that, as control data after the
 * records, into every partition of the topic: when something changed,
 * at each commit, and (except under at-least-once) after each batch
 * written (a commit interval of fast input is a long stretch of event
 * time, and the keyed stage's open windows grow with it), at most every
 * REPORT_MS;
 * and at least every HEARTBEAT_MS so that an instance that starts
 * reading a partition learns it soon.  Under at-least-once a report
 * waits until the positions of what it speaks for are committed: a
 * record read again after a crash must not come after a report of it.
 * The reading
 * side counts a topic partition's event time as the smallest over the
 * upstream partitions reported (watermark.c).  An upstream partition
 * whose reader died keeps what it last reported until its next reader
 * reports, so it holds the watermark rather than being overtaken.
 *
 * The end of a bounded run: once every source upstream of a hop's sink
 * has finished (for a bounded Kafka source: the whole group has read its
 * input to the end), nothing more will be written to the topic, and,
 * once what the sink took is there, the hop's source is told to read to
 * the end of it.
 *
 * Report lines: "STAGE TAB TOPIC TAB PARTITION TAB PARTITIONS TAB
 * MAX_EVENT_TIME TAB IDLE(0|1) LF", TOPIC empty for sources without
 * topics.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/error.h"
#include "runtime/commit_pending.h"
#include "runtime/hop.h"
#include "runtime/log.h"
#include "runtime/watermark.h"

#define REPORT_MS 20
#define HEARTBEAT_MS 2000
#define REPORT_LINE_MAX 768
#define WAITING_MAX 64

static sl_stage *stage_of(sl_engine *e, const sl_job_stage *def)
{
	return &e->stages[def->order_index];
}

static int upstream_finished(const sl_stage *s)
{
	size_t i;

	for (i = 0; i < s->upstream_count; i++)
		if (!s->upstream[i]->finished)
			return 0;
	return 1;
}

/* The most partitions any partitioned source upstream of @p h has. */
static int32_t input_partitions(const sl_stage *h, sl_error *err)
{
	int32_t most = 0, n;
	size_t i;

	for (i = 0; i < h->upstream_count; i++) {
		const sl_stage *src = h->upstream[i];
		const sl_source_class *k = src->plugin->source;

		if (!SL_STRUCT_HAS(k, sl_source_class, partition_count))
			continue;
		if ((n = k->partition_count(src->self)) < 0) {
			sl_error_set(err, SL_ERR_RUNTIME, "stage '%s': cannot tell "
				     "how many partitions its input has (see above), "
				     "which the repartition topic is sized by",
				     src->def->name);
			return -1;
		}
		if (n > most)
			most = n;
	}
	return most > 0 ? most : 1;
}

static int prepare_one(sl_engine *e, sl_stage *h, sl_error *err)
{
	const sl_sink_class *k = h->plugin->sink;
	sl_stage *keyed = stage_of(e, h->def->serves);
	int32_t n = h->def->partitions;

	h->hop.serves = keyed;
	if (!SL_STRUCT_HAS(k, sl_sink_class, prepare_topic) ||
	    !SL_STRUCT_HAS(k, sl_sink_class, write_control))
		return sl_error_set(err, SL_ERR_CONFIG, "%s:%d: stage '%s' needs "
			"a repartition topic, but plugin '%s' provides no "
			"prepare_topic/write_control though its descriptor claims "
			"the capability repartition", e->job->path,
			h->def->line, keyed->def->name, h->def->plugin->name);
	if (n <= 0 && (n = input_partitions(h, err)) < 0)
		return SL_ERR;
	if (k->prepare_topic(h->self, n, err) != SL_OK) {
		sl_error_prefix(err, "stage '%s': ", h->def->name);
		return SL_ERR;
	}
	h->hop.partitions = n;
	/* reports are worth writing only for a stage on event time */
	if (keyed->wm == NULL ||
	    !SL_STRUCT_HAS(keyed->plugin->op, sl_operator_class, event_time))
		return SL_OK;
	if ((h->wm = malloc(sizeof *h->wm)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	sl_wm_init(h->wm, keyed->wm->idle_ms, 0);
	return SL_OK;
}

int sl_hop_prepare(sl_engine *e, sl_error *err)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if (s->def->role == SL_ROLE_REPARTITION_SOURCE)
			s->hop.serves = stage_of(e, s->def->serves);
		else if (s->def->role == SL_ROLE_REPARTITION_SINK &&
			 prepare_one(e, s, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

int sl_hop_observe(sl_engine *e, sl_stage *h, const sl_batch *b, sl_error *err)
{
	const sl_operator_class *op = h->hop.serves->plugin->op;
	int64_t now = sl_now_wall_ms(), ts;
	uint32_t i;

	(void)e;
	for (i = 0; i < b->count; i++) {
		const sl_record *r = &b->records[i];

		if (op->event_time(h->hop.serves->self, r, &ts) == SL_OK &&
		    sl_wm_observe(h->wm, &r->origin, ts, now) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	return SL_OK;
}

/* ---- writing reports -------------------------------------------------------- */

typedef struct report {
	char *text;
	size_t len, cap;
} report;

static int add_line(void *ctx, const sl_wm_input *in, int idle)
{
	report *r = ctx;
	char line[REPORT_LINE_MAX];
	int n = snprintf(line, sizeof line, "%s\t%s\t%d\t%d\t%lld\t%d\n",
			 in->stage ? in->stage : "", in->topic ? in->topic : "",
			 (int)in->partition, (int)in->partitions,
			 (long long)in->max_ts, idle);

	if (n < 0 || (size_t)n >= sizeof line)
		return 0; /* a name too long to report: it holds the watermark */
	if (r->len + (size_t)n + 1 > r->cap) {
		size_t cap = (r->cap ? r->cap * 2 : 1024) + (size_t)n;
		char *grown = realloc(r->text, cap);

		if (grown == NULL)
			return -1;
		r->text = grown;
		r->cap = cap;
	}
	memcpy(r->text + r->len, line, (size_t)n + 1);
	r->len += (size_t)n;
	return 0;
}

/* Write report @p text (taken) into every partition of hop sink @p h's
 * topic, unless it says what the last one did less than HEARTBEAT_MS
 * ago. */
static int write_report(sl_stage *h, char *text, size_t len, int64_t now,
			sl_error *err)
{
	int32_t p;
	int rc = SL_OK;

	if (len == 0 || (now - h->hop.reported_ms < HEARTBEAT_MS &&
			 len == h->hop.report_len &&
			 memcmp(text, h->hop.report, len) == 0)) {
		free(text);
		return SL_OK;
	}
	for (p = 0; p < h->hop.partitions && rc == SL_OK; p++)
		rc = h->plugin->sink->write_control(h->self, p, text, len, err);
	if (rc != SL_OK) {
		free(text);
		sl_error_prefix(err, "stage '%s': reporting progress: ", h->def->name);
		return SL_ERR;
	}
	free(h->hop.report);
	h->hop.report = text;
	h->hop.report_len = len;
	h->hop.reported_ms = now;
	return SL_OK;
}

/* What hop sink @p h's inputs have delivered as of @p now, as report
 * lines in @p r.  SL_OK or SL_ERR. */
static int build_report(sl_stage *h, int64_t now, report *r, sl_error *err)
{
	r->text = NULL;
	r->len = r->cap = 0;
	if (sl_wm_each(h->wm, now, add_line, r) != 0) {
		free(r->text);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	return SL_OK;
}

/*
 * At-least-once: a report built at a commit cycle waits until that
 * cycle's positions are committed.  Written before, it could speak for
 * records a crash or a lost partition has read again from the positions
 * before it, and the keyed stage would find those late.
 */
struct sl_hop_waiting {
	struct sl_hop_waiting *next;
	uint64_t cycle;
	char *text;
	size_t len;
};

static void drop_waiting(struct sl_hop_waiting *w)
{
	free(w->text);
	free(w);
}

void sl_hop_free(sl_stage *h)
{
	struct sl_hop_waiting *w;

	while ((w = h->hop.waiting) != NULL) {
		h->hop.waiting = w->next;
		drop_waiting(w);
	}
}

/* Queue report @p r (taken) until commit cycle @p cycle, about to begin,
 * is committed.  SL_OK or SL_ERR. */
static int report_wait(sl_stage *h, report *r, uint64_t cycle, sl_error *err)
{
	struct sl_hop_waiting *w, **tail = &h->hop.waiting;
	size_t n;

	if (r->len == 0) {
		free(r->text);
		return SL_OK;
	}
	if ((w = calloc(1, sizeof *w)) == NULL) {
		free(r->text);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	w->cycle = cycle;
	w->text = r->text;
	w->len = r->len;
	for (n = 0; *tail != NULL; n++)
		tail = &(*tail)->next;
	*tail = w;
	/* cycles wait for few commits; should many, the oldest reports
	 * go first (a newer one says at least as much) */
	if (n >= WAITING_MAX) {
		w = h->hop.waiting;
		h->hop.waiting = w->next;
		drop_waiting(w);
	}
	return SL_OK;
}

/* Write the newest report of @p h whose cycle is at most @p committed,
 * dropping the older ones.  SL_OK or SL_ERR. */
static int report_committed(sl_stage *h, uint64_t committed, sl_error *err)
{
	struct sl_hop_waiting *w, *ready = NULL;
	char *text;
	size_t len;

	while ((w = h->hop.waiting) != NULL && w->cycle <= committed) {
		h->hop.waiting = w->next;
		if (ready != NULL)
			drop_waiting(ready);
		ready = w;
	}
	if (ready == NULL)
		return SL_OK;
	text = ready->text;
	len = ready->len;
	free(ready);
	return write_report(h, text, len, sl_now_wall_ms(), err);
}

/*
 * Hop sink @p h reports now, unless it did within REPORT_MS; a finished
 * upstream has nothing more to say.  Under at-least-once the report
 * waits for its cycle's commit instead, built at every cycle, so that
 * each committed cycle (@p cycle, about to begin) has its own.
 */
static int report_due(sl_engine *e, sl_stage *h, int64_t now, uint64_t cycle,
		      sl_error *err)
{
	int alo = e->job->delivery == SL_DELIVERY_AT_LEAST_ONCE;
	report r;

	if ((!alo && now - h->hop.reported_ms < REPORT_MS) || upstream_finished(h))
		return SL_OK;
	if (build_report(h, now, &r, err) != SL_OK)
		return SL_ERR;
	if (alo)
		return report_wait(h, &r, cycle, err);
	return write_report(h, r.text, r.len, now, err);
}

int sl_hop_report_committed(sl_engine *e, uint64_t committed, sl_error *err)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *h = &e->stages[i];

		if (h->wm != NULL && h->kind == SL_KIND_SINK &&
		    report_committed(h, committed, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

int sl_hop_report(sl_engine *e, uint64_t cycle, sl_error *err)
{
	int64_t now = sl_now_wall_ms();
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *h = &e->stages[i];

		if (h->wm != NULL && h->kind == SL_KIND_SINK &&
		    report_due(e, h, now, cycle, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

int sl_hop_written(sl_engine *e, sl_stage *h, sl_error *err)
{
	/* Not under at-least-once: a crash replays from the last committed
	 * offsets records older than what was reported since, and the keyed
	 * stage, its state restored, would find them late.  Inside a
	 * transaction a report is seen only with the records and the source
	 * offsets it speaks for; under none the keyed stage's state starts
	 * empty on every run, so nothing it held can be judged late. */
	if (e->job->delivery == SL_DELIVERY_AT_LEAST_ONCE)
		return SL_OK;
	return report_due(e, h, sl_now_wall_ms(), 0, err);
}

/* ---- reading reports -------------------------------------------------------- */

/* One report line into @p o (strings point into @p line); 0 or -1. */
static int parse_line(char *line, sl_wm_origin *o)
{
	char *field[6], *end;
	long long v[3];
	int i;

	for (i = 0; i < 6; i++) {
		field[i] = line;
		line = strchr(line, i < 5 ? '\t' : '\0');
		if (line == NULL)
			return -1;
		if (i < 5)
			*line++ = '\0';
	}
	for (i = 0; i < 3; i++) {
		errno = 0;
		v[i] = strtoll(field[2 + i], &end, 10);
		if (errno != 0 || end == field[2 + i] || *end != '\0')
			return -1;
	}
	if (v[0] < -1 || v[0] > INT32_MAX || v[1] < 1 || v[1] > INT32_MAX ||
	    (strcmp(field[5], "0") != 0 && strcmp(field[5], "1") != 0))
		return -1;
	o->stage = field[0];
	o->topic = *field[1] ? field[1] : NULL;
	o->partition = (int32_t)v[0];
	o->partitions = (int32_t)v[1];
	o->max_ts = v[2];
	o->idle = field[5][0] == '1';
	return 0;
}

int sl_hop_received(sl_engine *e, sl_stage *s, const char *topic,
		    int32_t partition, const void *data, size_t len,
		    sl_error *err)
{
	sl_stage *keyed = s->hop.serves;
	int64_t now = sl_now_wall_ms();
	char *text, *line, *next;
	int bad = 0;

	(void)e;
	if (keyed == NULL || keyed->wm == NULL)
		return SL_OK;
	if ((text = malloc(len + 1)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	memcpy(text, data, len);
	text[len] = '\0';
	for (line = text; *line != '\0'; line = next) {
		sl_wm_origin o;

		if ((next = strchr(line, '\n')) == NULL)
			next = line + strlen(line);
		else
			*next++ = '\0';
		if (parse_line(line, &o) != 0) {
			bad++;
			continue;
		}
		if (sl_wm_report(keyed->wm, s->def->name, topic, partition, &o,
				 now) != 0) {
			free(text);
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		}
	}
	free(text);
	if (bad > 0)
		sl_stage_log(s, SL_LOG_WARN, "topic %s partition %d: %d progress "
			     "report line(s) not understood (written by another "
			     "program?)", topic ? topic : "?", (int)partition, bad);
	return SL_OK;
}

/* ---- the end of a bounded run ---------------------------------------------- */

/*
 * Wait until what the hop sink @p h took is in its topic.  Under
 * at-least-once and exactly-once the commit that finished the sources
 * upstream covered it; under none nothing waited for it, and an end
 * taken now would leave out what is still on its way.
 */
static int hop_sink_delivered(sl_stage *h, sl_error *err)
{
	const sl_sink_class *k = h->plugin->sink;
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	int64_t deadline = sl_now_mono_ms() + SL_FLUSH_TIMEOUT_MS;
	uint64_t mark;
	int rc;

	if (!SL_SINK_MARKS(h)) {
		rc = k->flush(h->self, SL_FLUSH_TIMEOUT_MS, err);
	} else {
		/* durable: 1 delivered, 0 not yet, SL_ERR */
		mark = k->mark(h->self);
		while ((rc = k->durable(h->self, mark, err)) == 0 &&
		       sl_now_mono_ms() < deadline)
			nanosleep(&pause, NULL);
		if (rc == 0)
			rc = sl_error_set(err, SL_ERR_RUNTIME, "records still not "
					  "delivered after %d ms",
					  SL_FLUSH_TIMEOUT_MS);
		else if (rc == 1)
			rc = SL_OK;
	}
	if (rc != SL_OK)
		sl_error_prefix(err, "stage '%s': before its repartition topic "
				"ends: ", h->def->name);
	return rc;
}

/* Whether @p s is the sink of the hop that repartition source @p r reads. */
static int hop_sink_of(const sl_stage *s, const sl_stage *r)
{
	return s->def->role == SL_ROLE_REPARTITION_SINK &&
	       s->def->serves == r->def->serves;
}

int sl_hop_end_inputs(sl_engine *e, sl_error *err)
{
	size_t i, j;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *r = &e->stages[i];
		const sl_source_class *k = r->plugin ? r->plugin->source : NULL;
		int done = 1;

		if (r->def->role != SL_ROLE_REPARTITION_SOURCE || r->hop.input_ended ||
		    r->finished)
			continue;
		for (j = 0; j < e->stage_count && done; j++)
			if (hop_sink_of(&e->stages[j], r))
				done = upstream_finished(&e->stages[j]);
		if (!done)
			continue;
		for (j = 0; e->job->delivery == SL_DELIVERY_NONE &&
			    j < e->stage_count; j++)
			if (hop_sink_of(&e->stages[j], r) &&
			    hop_sink_delivered(&e->stages[j], err) != SL_OK)
				return SL_ERR;
		r->hop.input_ended = 1;
		if (!SL_STRUCT_HAS(k, sl_source_class, end_input))
			return sl_error_set(err, SL_ERR_CONFIG, "stage '%s': the "
				"input before its repartition topic has ended, but "
				"plugin '%s' cannot end a repartition source "
				"(end_input): the job would never finish",
				r->def->name, r->def->plugin->name);
		sl_stage_log(r, SL_LOG_INFO, "everything before it is read: "
			     "reading %s to its end", r->def->storage);
		if (k->end_input(r->self, err) != SL_OK) {
			sl_error_prefix(err, "stage '%s': ", r->def->name);
			return SL_ERR;
		}
	}
	return SL_OK;
}
