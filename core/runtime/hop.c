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
 * reading a partition learns it soon.
 *
 * Replays: a report also says how far in offsets each upstream partition
 * has been written (NEXT), and each record written carries where it came
 * from (the header ORIGIN_HEADER, on the records of partitioned sources
 * only, whose offsets last across processes).  Under at-least-once a
 * crash makes the upstream read again from its last commit and write
 * again records that a report already spoke for; the reading side drops
 * a record from before what the upstream partition's reports said (it
 * had it already, before the report, in the same topic partition), where
 * it would otherwise judge it late.  Reports so need not wait for
 * commits.  The reading side counts a topic partition's event time as the smallest over the
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
 * MAX_EVENT_TIME TAB IDLE(0|1) TAB NEXT LF", TOPIC empty for sources
 * without topics, NEXT -1 before any offset; a sluice from before NEXT
 * writes the first six fields only.
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
#include "base/varint.h"
#include "runtime/commit_pending.h"
#include "runtime/hop.h"
#include "runtime/log.h"
#include "runtime/watermark.h"

#define REPORT_MS 20
#define HEARTBEAT_MS 2000
#define REPORT_LINE_MAX 768
#define WAITING_MAX 64

/* ---- where records come from ------------------------------------------------ */

/* The header a record written to a repartition topic carries: the id of
 * its upstream source and topic (8 bytes, little-endian), then its
 * partition + 1 and offset + 1 as varints. */
#define ORIGIN_HEADER "sluice.origin"
#define ORIGIN_MAX (8 + 5 + 10)

uint64_t sl_hop_origin_id(const char *stage, const char *topic)
{
	/* FNV-1a over "STAGE TAB TOPIC": the same on both sides */
	uint64_t h = 0xcbf29ce484222325ull;
	const char *p;

	for (p = stage ? stage : ""; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	h = (h ^ '\t') * 0x100000001b3ull;
	for (p = topic ? topic : ""; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	return h;
}

/*
 * Whether the offsets of records from stage @p name, upstream of hop sink
 * @p h, last: a partitioned source's (a Kafka topic's), which a restart
 * reads again from a commit.  Other upstreams count afresh in each
 * process and each instance (an HTTP source's requests, a generator's
 * sequence, a window's results): a low offset there is a new record, so
 * theirs carry no origin and are never taken for replays.
 */
static int offsets_last(const sl_stage *h, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < h->upstream_count; i++) {
		const sl_job_stage *def = h->upstream[i]->def;

		if (def->name == name || strcmp(def->name, name) == 0)
			return def->plugin != NULL &&
			       (def->plugin->capabilities & SL_CAP_PARTITIONED);
	}
	return 0;
}

/* Record @p r of @p b gets the origin header (its other headers kept),
 * if its offsets last. */
static int stamp_origin(sl_stage *h, sl_batch *b, sl_record *r)
{
	const sl_origin *o = &r->origin;
	sl_header *hv;
	uint8_t *v;
	size_t n = 8;
	uint64_t id;
	int i;

	if (h->hop.id_stage != o->stage || h->hop.id_topic != o->topic ||
	    h->hop.id_stage == NULL) {
		h->hop.id = sl_hop_origin_id(o->stage, o->topic);
		h->hop.id_stage = o->stage;
		h->hop.id_topic = o->topic;
		h->hop.id_lasts = offsets_last(h, o->stage);
	}
	if (!h->hop.id_lasts)
		return 0;
	hv = sl_arena_alloc(b->arena, (r->header_count + 1) * sizeof *hv);
	v = sl_arena_alloc(b->arena, ORIGIN_MAX);
	if (hv == NULL || v == NULL)
		return -1;
	for (id = h->hop.id, i = 0; i < 8; i++, id >>= 8)
		v[i] = (uint8_t)id;
	n += sl_varint_put(v + n, (uint64_t)((int64_t)o->partition + 1));
	n += sl_varint_put(v + n, (uint64_t)(o->offset + 1));
	if (r->header_count > 0)
		memcpy(hv, r->headers, r->header_count * sizeof *hv);
	hv[r->header_count].name = ORIGIN_HEADER;
	hv[r->header_count].value.data = v;
	hv[r->header_count].value.len = n;
	r->headers = hv;
	r->header_count++;
	return 0;
}

/* The origin header of @p r, taken off it: 1 with the fields, 0 when it
 * has none (written by a sluice from before), -1 when malformed.  A
 * partition or offset of -1 (a file or generator upstream, a source
 * without offsets) is written as 0. */
static int take_origin(sl_record *r, uint64_t *id, int32_t *partition,
		       int64_t *offset)
{
	const uint8_t *v;
	uint64_t part, off;
	size_t at = 8, len;
	uint32_t i;
	int k;

	for (i = r->header_count; i > 0; i--)
		if (strcmp(r->headers[i - 1].name, ORIGIN_HEADER) == 0)
			break;
	if (i == 0)
		return 0;
	v = r->headers[i - 1].value.data;
	len = r->headers[i - 1].value.len;
	/* written last: taken off by shortening the list */
	memmove(&r->headers[i - 1], &r->headers[i],
		(r->header_count - i) * sizeof *r->headers);
	r->header_count--;
	if (v == NULL || len < 8 || sl_varint_get(v, len, &at, &part) != 0 ||
	    sl_varint_get(v, len, &at, &off) != 0 ||
	    part > (uint64_t)INT32_MAX + 1 || off > (uint64_t)INT64_MAX)
		return -1;
	for (*id = 0, k = 7; k >= 0; k--)
		*id = *id << 8 | v[k];
	*partition = (int32_t)((int64_t)part - 1);
	*offset = (int64_t)off - 1;
	return 1;
}

/* The reports' entry for upstream (@p id, @p partition) in the keyed
 * stage's input @p in, or NULL; records come in runs from one upstream
 * partition, so the last one found is tried first. */
static const sl_wm_origin *origin_in(sl_stage *s, const sl_wm_input *in,
				     uint64_t id, int32_t partition)
{
	size_t i = s->hop.seen_origin;

	if (i < in->origin_count && in->origins[i].id == id &&
	    in->origins[i].partition == partition)
		return &in->origins[i];
	for (i = 0; i < in->origin_count; i++)
		if (in->origins[i].id == id && in->origins[i].partition == partition) {
			s->hop.seen_origin = i;
			return &in->origins[i];
		}
	return NULL;
}

int sl_hop_drop_replays(sl_engine *e, sl_stage *s, sl_batch *b)
{
	sl_stage *keyed = s->hop.serves;
	const sl_watermark *wm = keyed != NULL ? keyed->wm : NULL;
	const sl_wm_input *in = NULL;
	uint32_t i, kept = 0;
	int64_t dropped = 0, bad = 0;

	(void)e;
	for (i = 0; i < b->count; i++) {
		sl_record *r = &b->records[i];
		const sl_wm_origin *o;
		uint64_t id;
		int32_t partition;
		int64_t offset;
		int got = take_origin(r, &id, &partition, &offset);

		bad += got < 0;
		if (got > 0 && wm != NULL && wm->reported) {
			if (in == NULL || in->partition != r->origin.partition)
				in = sl_wm_input_of(wm, s->def->name,
						    r->origin.topic,
						    r->origin.partition);
			o = in != NULL ? origin_in(s, in, id, partition) : NULL;
			/* only a topic partition's offsets last: an
			 * upstream without partitions (-1: a file, a
			 * generator, a window's results) counts afresh in
			 * each process, so a low offset there is new */
			if (o != NULL && partition >= 0 && offset >= 0 &&
			    offset < o->next) {
				dropped++;
				continue;
			}
		}
		if (kept != i)
			b->records[kept] = *r;
		kept++;
	}
	b->count = kept;
	if (dropped > 0)
		sl_metric_add(s, "replays dropped", dropped);
	if (bad > 0)
		sl_stage_log(s, SL_LOG_WARN, "%lld record(s) with a malformed "
			     "%s header (written by another program?)",
			     (long long)bad, ORIGIN_HEADER);
	return SL_OK;
}

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

int sl_hop_observe(sl_engine *e, sl_stage *h, sl_batch *b, sl_error *err)
{
	const sl_operator_class *op = h->hop.serves->plugin->op;
	int64_t now = sl_now_wall_ms(), ts;
	uint32_t i;

	/* a transaction shows a report only with the records and source
	 * positions it speaks for: nothing is written again after one */
	int stamp = e->job->delivery != SL_DELIVERY_EXACTLY_ONCE;

	for (i = 0; i < b->count; i++) {
		sl_record *r = &b->records[i];

		if ((op->event_time(h->hop.serves->self, r, &ts) == SL_OK &&
		     sl_wm_observe(h->wm, &r->origin, ts, now) != 0) ||
		    (stamp && stamp_origin(h, b, r) != 0))
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
	int n = snprintf(line, sizeof line, "%s\t%s\t%d\t%d\t%lld\t%d\t%lld\n",
			 in->stage ? in->stage : "", in->topic ? in->topic : "",
			 (int)in->partition, (int)in->partitions,
			 (long long)in->max_ts, idle,
			 (long long)in->next_offset);

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
 * Hop sink @p h reports now, unless it did within REPORT_MS; a finished
 * upstream has nothing more to say.
 */
static int report_due(sl_stage *h, int64_t now, sl_error *err)
{
	report r;

	if (now - h->hop.reported_ms < REPORT_MS || upstream_finished(h))
		return SL_OK;
	if (build_report(h, now, &r, err) != SL_OK)
		return SL_ERR;
	return write_report(h, r.text, r.len, now, err);
}

int sl_hop_report(sl_engine *e, sl_error *err)
{
	int64_t now = sl_now_wall_ms();
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *h = &e->stages[i];

		if (h->wm != NULL && h->kind == SL_KIND_SINK &&
		    report_due(h, now, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

int sl_hop_written(sl_engine *e, sl_stage *h, sl_error *err)
{
	/* Records a crash makes the upstream write again are dropped by
	 * the reading side (sl_hop_drop_replays), not judged late. */
	(void)e;
	return report_due(h, sl_now_wall_ms(), err);
}

/* ---- reading reports -------------------------------------------------------- */

/* One report line into @p o (strings point into @p line); 0 or -1. */
static int parse_line(char *line, sl_wm_origin *o)
{
	char *field[7], *end;
	long long v[4];
	int i, n;

	/* six fields from a sluice before NEXT, seven since */
	for (n = 0; n < 7 && line != NULL; n++) {
		field[n] = line;
		if ((line = strchr(line, '\t')) != NULL)
			*line++ = '\0';
	}
	if (line != NULL || n < 6)
		return -1;
	for (i = 0; i < n - 3; i++) {
		char *f = field[i < 3 ? 2 + i : 6];

		errno = 0;
		v[i] = strtoll(f, &end, 10);
		if (errno != 0 || end == f || *end != '\0')
			return -1;
	}
	if (v[0] < -1 || v[0] > INT32_MAX || v[1] < 1 || v[1] > INT32_MAX ||
	    (strcmp(field[5], "0") != 0 && strcmp(field[5], "1") != 0) ||
	    (n == 7 && v[3] < -1))
		return -1;
	o->stage = field[0];
	o->topic = *field[1] ? field[1] : NULL;
	o->partition = (int32_t)v[0];
	o->partitions = (int32_t)v[1];
	o->max_ts = v[2];
	o->idle = field[5][0] == '1';
	o->next = n == 7 ? v[3] : -1;
	o->id = sl_hop_origin_id(o->stage, o->topic);
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
