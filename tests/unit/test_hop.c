/* A repartition hop's replays (hop.c): the hop's sink gives each record
 * the header sluice.origin (the upstream source and topic's id, its
 * partition and offset) and reports how far each upstream partition has
 * been written (NEXT, a report line's seventh field); the reading side
 * takes the header off every record and drops those a report already
 * spoke for, counting them in the metric "replays dropped". */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "check.h"
#include "runtime/hop.h"
#include "runtime/stage.h"
#include "runtime/watermark.h"

#define ORIGIN "sluice.origin"

/* ---- the stages of a hop -------------------------------------------------- */

/* The keyed stage's event time: the record's timestamp. */
static int event_time_of(void *self, const sl_record *r, int64_t *ts)
{
	(void)self;
	*ts = r->timestamp;
	return SL_OK;
}

/* What the hop's sink wrote as control data (its reports). */
static char written[4096];
static size_t written_len;
static int written_calls;

static int write_control_to(void *self, int32_t partition, const void *data,
			    size_t len, sl_error *err)
{
	(void)self, (void)partition, (void)err;
	if (len >= sizeof written)
		len = sizeof written - 1;
	memcpy(written, data, len);
	written[len] = '\0';
	written_len = len;
	written_calls++;
	return SL_OK;
}

typedef struct hop {
	sl_operator_class op_cls;
	sl_sink_class sink_cls;
	sl_plugin op_plugin, sink_plugin;
	sl_descriptor partitioned, unpartitioned;
	sl_job_stage def_up[4], def_sink, def_source, def_keyed;
	sl_stage up[4], sink, source, keyed, *upstream[4];
	sl_watermark sink_wm, keyed_wm;
	sl_job job;
	sl_engine e;
} hop;

/* A hop as sl_hop_prepare leaves it: upstream sources "src" and "other"
 * (partitioned, like Kafka's), "gen" and "web" (not: a generator, an
 * HTTP source) -> sink "rep_sink" (on event time: its own watermark) ->
 * topic -> source "rep_src" -> keyed stage "win" (a reported
 * watermark). */
static void hop_init(hop *h)
{
	static char *const names[4] = { "src", "other", "gen", "web" };
	int i;

	memset(h, 0, sizeof *h);
	/* at-least-once: records written again after a crash (exactly-once
	 * writes no origins) */
	h->job.delivery = SL_DELIVERY_AT_LEAST_ONCE;
	h->e.job = &h->job;
	h->op_cls.struct_size = sizeof h->op_cls;
	h->op_cls.event_time = event_time_of;
	h->op_plugin.op = &h->op_cls;
	h->sink_cls.struct_size = sizeof h->sink_cls;
	h->sink_cls.write_control = write_control_to;
	h->sink_plugin.sink = &h->sink_cls;
	h->partitioned.capabilities = SL_CAP_PARTITIONED | SL_CAP_REPARTITION;
	for (i = 0; i < 4; i++) {
		h->def_up[i].name = names[i];
		h->def_up[i].plugin = i < 2 ? &h->partitioned : &h->unpartitioned;
		h->up[i].def = &h->def_up[i];
		h->up[i].kind = SL_KIND_SOURCE;
		h->up[i].engine = &h->e;
		h->upstream[i] = &h->up[i]; /* not finished: the sink reports */
	}
	h->def_sink.name = "rep_sink";
	h->def_sink.role = SL_ROLE_REPARTITION_SINK;
	h->def_source.name = "rep_src";
	h->def_source.role = SL_ROLE_REPARTITION_SOURCE;
	h->def_keyed.name = "win";

	h->keyed.def = &h->def_keyed;
	h->keyed.kind = SL_KIND_OPERATOR;
	h->keyed.plugin = &h->op_plugin;
	sl_wm_init(&h->keyed_wm, 0, 1);
	h->keyed.wm = &h->keyed_wm;
	h->sink.def = &h->def_sink;
	h->sink.kind = SL_KIND_SINK;
	h->sink.plugin = &h->sink_plugin;
	h->sink.hop.serves = &h->keyed;
	h->sink.hop.partitions = 1;
	h->sink.upstream = h->upstream;
	h->sink.upstream_count = 4;
	sl_wm_init(&h->sink_wm, 0, 0);
	h->sink.wm = &h->sink_wm;
	h->source.def = &h->def_source;
	h->source.kind = SL_KIND_SOURCE;
	h->source.hop.serves = &h->keyed;
	h->sink.engine = h->source.engine = h->keyed.engine = &h->e;
}

static void hop_free(hop *h)
{
	size_t i;

	for (i = 0; i < h->source.metric_count; i++)
		free(h->source.metrics[i].name);
	free(h->source.metrics);
	free(h->sink.hop.report);
	sl_wm_free(&h->sink_wm);
	sl_wm_free(&h->keyed_wm);
}

static int64_t metric(const sl_stage *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->metric_count; i++)
		if (strcmp(s->metrics[i].name, name) == 0)
			return s->metrics[i].value;
	return 0;
}

/* ---- batches ----------------------------------------------------------------- */

static void batch_init(sl_batch *b, sl_arena *arena)
{
	memset(b, 0, sizeof *b);
	b->arena = arena;
	b->grow = sl_arena_batch_grow;
}

/* A record from (@p stage, @p topic, @p partition, @p offset) at @p ts. */
static sl_record *push(sl_batch *b, const char *stage, const char *topic,
		       int32_t partition, int64_t offset, int64_t ts)
{
	sl_record *r = sl_batch_push(b);

	if (r == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(99);
	}
	r->origin.stage = stage;
	r->origin.topic = topic;
	r->origin.partition = partition;
	r->origin.offset = offset;
	r->timestamp = ts;
	return r;
}

/* Header @p name = @p value (a string; NULL: a null value) added to @p r. */
static void add_header(sl_batch *b, sl_record *r, const char *name,
		       const void *value, size_t len)
{
	sl_header *hv = sl_arena_alloc(b->arena, (r->header_count + 1) *
				       sizeof *hv);
	uint8_t *copy = value != NULL ? sl_arena_alloc(b->arena, len + 1) : NULL;

	if (hv == NULL || (value != NULL && copy == NULL)) {
		fprintf(stderr, "out of memory\n");
		exit(99);
	}
	if (r->header_count > 0)
		memcpy(hv, r->headers, r->header_count * sizeof *hv);
	if (copy != NULL)
		memcpy(copy, value, len);
	hv[r->header_count].name = name;
	hv[r->header_count].value.data = copy;
	hv[r->header_count].value.len = value != NULL ? len : 0;
	r->headers = hv;
	r->header_count++;
}

static size_t put_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	for (; v >= 0x80; v >>= 7)
		out[n++] = (uint8_t)(v | 0x80);
	out[n++] = (uint8_t)v;
	return n;
}

/* The origin header's bytes, as the documented format has them: the
 * id's 8 bytes little-endian, then partition + 1 and offset + 1 as
 * varints (written here independently of hop.c). */
static size_t origin_bytes(uint8_t *out, const char *stage, const char *topic,
			   int32_t partition, int64_t offset)
{
	uint64_t id = sl_hop_origin_id(stage, topic);
	size_t n;

	for (n = 0; n < 8; n++, id >>= 8)
		out[n] = (uint8_t)id;
	n += put_varint(out + n, (uint64_t)((int64_t)partition + 1));
	n += put_varint(out + n, (uint64_t)(offset + 1));
	return n;
}

/* A record read from topic "rep" partition @p rep_partition by the hop's
 * source, written from upstream (@p stage, @p topic, @p partition,
 * @p offset); the upstream offset is kept in the timestamp too, for
 * telling the records kept apart. */
static sl_record *push_read(sl_batch *b, int32_t rep_partition,
			    const char *stage, const char *topic,
			    int32_t partition, int64_t offset)
{
	sl_record *r = push(b, "rep_src", "rep", rep_partition,
			    1000 + (int64_t)b->count, offset);
	uint8_t v[32];

	add_header(b, r, ORIGIN, v, origin_bytes(v, stage, topic, partition,
						 offset));
	return r;
}

static const sl_header *header_of(const sl_record *r, const char *name)
{
	uint32_t i;

	for (i = 0; i < r->header_count; i++)
		if (strcmp(r->headers[i].name, name) == 0)
			return &r->headers[i];
	return NULL;
}

static int header_is(const sl_record *r, const char *name, const char *value)
{
	const sl_header *h = header_of(r, name);

	return h != NULL && h->value.data != NULL &&
	       h->value.len == strlen(value) &&
	       memcmp(h->value.data, value, h->value.len) == 0;
}

/* Decode @p r's origin header by the documented format: 1 when there is
 * one and it is well-formed. */
static int origin_of(const sl_record *r, uint64_t *id, int64_t *partition,
		     int64_t *offset)
{
	const sl_header *h = header_of(r, ORIGIN);
	const uint8_t *v;
	uint64_t field[2];
	size_t at = 8;
	int i, k;

	if (h == NULL || h->value.data == NULL || h->value.len < 10)
		return 0;
	v = h->value.data;
	for (*id = 0, k = 7; k >= 0; k--)
		*id = *id << 8 | v[k];
	for (i = 0; i < 2; i++) {
		unsigned shift = 0;

		field[i] = 0;
		do {
			if (at >= h->value.len || shift > 63)
				return 0;
			field[i] |= (uint64_t)(v[at] & 0x7f) << shift;
			shift += 7;
		} while (v[at++] & 0x80);
	}
	if (at != h->value.len)
		return 0;
	*partition = (int64_t)field[0] - 1;
	*offset = (int64_t)field[1] - 1;
	return 1;
}

/* ---- stderr, for the warnings ------------------------------------------------ */

static FILE *captured;
static int saved_stderr = -1;

static void capture_stderr(void)
{
	fflush(stderr);
	if ((captured = tmpfile()) == NULL ||
	    (saved_stderr = dup(STDERR_FILENO)) < 0 ||
	    dup2(fileno(captured), STDERR_FILENO) < 0) {
		perror("capturing stderr");
		exit(99);
	}
}

/* What was written to stderr since capture_stderr (static). */
static const char *captured_text(void)
{
	static char text[8192];
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(captured);
	n = fread(text, 1, sizeof text - 1, captured);
	text[n] = '\0';
	fclose(captured);
	fputs(text, stderr); /* still shown in the test's log */
	return text;
}

/* ---- reading reports ----------------------------------------------------------- */

static int received(hop *h, int32_t rep_partition, const char *text)
{
	sl_error err;

	return sl_hop_received(&h->e, &h->source, "rep", rep_partition, text,
			       strlen(text), &err);
}

/* What topic partition @p rep_partition's reports said of upstream
 * (@p stage, @p topic, @p partition), or NULL. */
static const sl_wm_origin *reported(hop *h, int32_t rep_partition,
				    const char *stage, const char *topic,
				    int32_t partition)
{
	const sl_wm_input *in = sl_wm_input_of(&h->keyed_wm, "rep_src", "rep",
					       rep_partition);
	size_t i;

	for (i = 0; in != NULL && i < in->origin_count; i++) {
		const sl_wm_origin *o = &in->origins[i];

		if (o->partition == partition && strcmp(o->stage, stage) == 0 &&
		    ((o->topic == NULL && topic == NULL) ||
		     (o->topic != NULL && topic != NULL &&
		      strcmp(o->topic, topic) == 0)))
			return o;
	}
	return NULL;
}

static size_t origins_in(hop *h, int32_t rep_partition)
{
	const sl_wm_input *in = sl_wm_input_of(&h->keyed_wm, "rep_src", "rep",
					       rep_partition);

	return in != NULL ? in->origin_count : 0;
}

/* ---- the tests --------------------------------------------------------------- */

/* 1: the sink's records get the origin header, their own headers kept. */
static void test_observe_stamps_origin(void)
{
	hop h;
	sl_arena *arena = sl_arena_new();
	sl_batch b;
	sl_record *r;
	sl_error err;
	const sl_wm_input *in;
	uint64_t id;
	int64_t partition, offset;
	uint32_t i;

	hop_init(&h);
	batch_init(&b, arena);
	r = push(&b, "src", "in", 2, 41, 500);
	add_header(&b, r, "trace", "abc", 3);
	push(&b, "src", "in", 2, 42, 700);
	r = push(&b, "other", "in2", 0, 7, 600);
	add_header(&b, r, "a", "1", 1);
	add_header(&b, r, "b", NULL, 0);
	push(&b, "src", "in", 300, (int64_t)1 << 40, 800);
	/* upstreams whose offsets count afresh in each process */
	push(&b, "gen", NULL, -1, 9, 900);
	r = push(&b, "web", "posts", 0, 3, 950);
	add_header(&b, r, "a", "2", 1);

	CHECK(sl_hop_observe(&h.e, &h.sink, &b, &err) == SL_OK);
	CHECK(b.count == 6);

	/* each one header more, the origin's last, the others as they were */
	CHECK(b.records[0].header_count == 2);
	CHECK(strcmp(b.records[0].headers[0].name, "trace") == 0 &&
	      header_is(&b.records[0], "trace", "abc"));
	CHECK(b.records[1].header_count == 1);
	CHECK(b.records[2].header_count == 3);
	CHECK(header_is(&b.records[2], "a", "1"));
	CHECK(header_of(&b.records[2], "b") != NULL &&
	      header_of(&b.records[2], "b")->value.data == NULL);
	for (i = 0; i < 4; i++) {
		const sl_record *ri = &b.records[i];

		CHECK_MSG(strcmp(ri->headers[ri->header_count - 1].name,
				 ORIGIN) == 0, "record %u: origin header last",
			  (unsigned)i);
	}

	CHECK(origin_of(&b.records[0], &id, &partition, &offset) == 1);
	CHECK(id == sl_hop_origin_id("src", "in"));
	CHECK(partition == 2 && offset == 41);
	CHECK(origin_of(&b.records[1], &id, &partition, &offset) == 1);
	CHECK(id == sl_hop_origin_id("src", "in"));
	CHECK(partition == 2 && offset == 42);
	CHECK(origin_of(&b.records[2], &id, &partition, &offset) == 1);
	CHECK(id == sl_hop_origin_id("other", "in2"));
	CHECK(id != sl_hop_origin_id("src", "in"));
	CHECK(partition == 0 && offset == 7);
	CHECK(origin_of(&b.records[3], &id, &partition, &offset) == 1);
	CHECK(id == sl_hop_origin_id("src", "in"));
	CHECK(partition == 300 && offset == (int64_t)1 << 40);
	/* no origin where offsets do not last: they tell no replay */
	CHECK(b.records[4].header_count == 0);
	CHECK(b.records[5].header_count == 1 && header_is(&b.records[5], "a", "2"));
	/* ... though their event time is still reported */
	in = sl_wm_input_of(&h.sink_wm, "web", "posts", 0);
	CHECK(in != NULL && in->next_offset == 4 && in->max_ts == 950);

	/* the id is of stage and topic both */
	CHECK(sl_hop_origin_id("src", "in") != sl_hop_origin_id("src", "in2"));
	CHECK(sl_hop_origin_id("src", "in") != sl_hop_origin_id("src2", "in"));
	CHECK(sl_hop_origin_id("a", "bc") != sl_hop_origin_id("ab", "c"));

	/* and the sink knows how far each upstream partition has come */
	in = sl_wm_input_of(&h.sink_wm, "src", "in", 2);
	CHECK(in != NULL && in->next_offset == 43 && in->max_ts == 700);
	in = sl_wm_input_of(&h.sink_wm, "other", "in2", 0);
	CHECK(in != NULL && in->next_offset == 8);

	hop_free(&h);
	sl_arena_free(arena);
}

/* 2: report lines, with NEXT and without, and the ones not understood. */
static void test_reports(void)
{
	hop h;
	const sl_wm_origin *o;
	const char *log;
	uint64_t changes;

	hop_init(&h);
	CHECK(received(&h, 0, "src\tin\t2\t4\t1000\t0\t43\n"
			      "src\tin\t3\t4\t900\t0\n") == SL_OK);
	o = reported(&h, 0, "src", "in", 2);
	CHECK(o != NULL && o->next == 43 && o->max_ts == 1000 && !o->idle &&
	      o->partitions == 4);
	CHECK(o != NULL && o->id == sl_hop_origin_id("src", "in"));
	/* six fields (a sluice before NEXT): read, NEXT unknown */
	o = reported(&h, 0, "src", "in", 3);
	CHECK(o != NULL && o->next == -1 && o->max_ts == 900);
	CHECK(origins_in(&h, 0) == 2);

	/* lines not understood change nothing, and are said so */
	changes = h.keyed_wm.changes;
	capture_stderr();
	CHECK(received(&h, 0, "src\tin\tx\t4\t1\t0\t5\n"      /* partition */
			      "src\tin\t1\t4\t1\t2\t5\n"      /* idle 2 */
			      "src\tin\t1\t4\t1\t0\t5\t9\n"   /* 8 fields */
			      "src\tin\t1\t4\n"               /* 4 fields */
			      "src\tin\t1\t4\t1\t0\t-5\n"     /* NEXT */
			      "src\tin\t2\t4\t5000\t0\t9x\n"  /* NEXT */
			      "src\tin\t2\t0\t5000\t0\t99\n") /* partitions */
	      == SL_OK);
	log = captured_text();
	CHECK_HAS(log, "7 progress report line(s) not understood");
	CHECK(h.keyed_wm.changes == changes);
	CHECK(origins_in(&h, 0) == 2);
	CHECK(reported(&h, 0, "src", "in", 1) == NULL);
	o = reported(&h, 0, "src", "in", 2);
	CHECK(o != NULL && o->next == 43 && o->max_ts == 1000);

	/* NEXT only grows: a lower later one (another reader of the
	 * upstream partition, behind) does not lower it */
	CHECK(received(&h, 0, "src\tin\t2\t4\t1100\t0\t30\n") == SL_OK);
	o = reported(&h, 0, "src", "in", 2);
	CHECK(o != NULL && o->next == 43 && o->max_ts == 1100);
	CHECK(received(&h, 0, "src\tin\t2\t4\t1100\t0\t50\n") == SL_OK);
	o = reported(&h, 0, "src", "in", 2);
	CHECK(o != NULL && o->next == 50);
	/* a six-field line later does not forget it either */
	CHECK(received(&h, 0, "src\tin\t2\t4\t1200\t1\n") == SL_OK);
	o = reported(&h, 0, "src", "in", 2);
	CHECK(o != NULL && o->next == 50 && o->idle);
	/* "-1": nothing written yet */
	CHECK(received(&h, 0, "gen\t\t-1\t1\t5\t0\t-1\n") == SL_OK);
	o = reported(&h, 0, "gen", NULL, -1);
	CHECK(o != NULL && o->next == -1 && o->id == sl_hop_origin_id("gen", NULL));

	/* each topic partition has its own reports */
	CHECK(origins_in(&h, 1) == 0);
	hop_free(&h);
}

/* 3: the reading side drops what a report spoke for, and only that. */
static void test_drop_replays(void)
{
	hop h;
	sl_arena *arena = sl_arena_new();
	sl_batch b;
	sl_record *r;
	const char *log;
	uint8_t bad[5] = { 1, 2, 3, 4, 5 }, v[32];
	static const int64_t kept_ts[] = { 43, 10, 10, 1, 5, 7, 44, 1, 8 };
	uint32_t i;

	hop_init(&h);
	CHECK(received(&h, 0, "src\tin\t2\t4\t1000\t0\t43\n"
			      "src\tin\t3\t4\t900\t0\n") == SL_OK);
	batch_init(&b, arena);
	push_read(&b, 0, "src", "in", 2, 40);           /* dropped */
	push_read(&b, 0, "src", "in", 2, 42);           /* dropped */
	push_read(&b, 0, "src", "in", 2, 43);           /* the first new */
	push_read(&b, 0, "src", "in", 1, 10);           /* no report of it */
	push_read(&b, 0, "other", "in", 2, 10);         /* another source */
	r = push(&b, "rep_src", "rep", 0, 1000, 1);     /* an older sluice's */
	add_header(&b, r, "trace", "t1", 2);
	push_read(&b, 0, "src", "in", 3, 5);            /* NEXT unknown */
	r = push(&b, "rep_src", "rep", 0, 1000, 7);     /* malformed */
	add_header(&b, r, "trace", "t2", 2);
	add_header(&b, r, ORIGIN, bad, sizeof bad);
	push_read(&b, 0, "src", "in", 2, 44);
	push_read(&b, 0, "src", "in", 2, 0);            /* dropped */
	push_read(&b, 1, "src", "in", 2, 1);            /* partition 1: none */
	r = push(&b, "rep_src", "rep", 0, 1000, 8);     /* origin not last */
	add_header(&b, r, ORIGIN, v, origin_bytes(v, "src", "in", 2, 45));
	add_header(&b, r, "after", "x", 1);

	capture_stderr();
	CHECK(sl_hop_drop_replays(&h.e, &h.source, &b) == SL_OK);
	log = captured_text();
	CHECK_HAS(log, "1 record(s) with a malformed sluice.origin header");

	CHECK(b.count == 9);
	for (i = 0; i < b.count && i < 9; i++)
		CHECK_MSG(b.records[i].timestamp == kept_ts[i],
			  "record %u kept: offset %lld, want %lld", (unsigned)i,
			  (long long)b.records[i].timestamp,
			  (long long)kept_ts[i]);
	CHECK(b.count == 9 && b.records[7].origin.partition == 1);
	for (i = 0; i < b.count; i++)
		CHECK_MSG(header_of(&b.records[i], ORIGIN) == NULL,
			  "record %u still has the origin header", (unsigned)i);
	/* the other headers stay */
	CHECK(b.count == 9 && b.records[3].header_count == 1 &&
	      header_is(&b.records[3], "trace", "t1"));
	CHECK(b.count == 9 && b.records[5].header_count == 1 &&
	      header_is(&b.records[5], "trace", "t2"));
	CHECK(b.count == 9 && b.records[8].header_count == 1 &&
	      header_is(&b.records[8], "after", "x"));
	CHECK(b.count == 9 && b.records[0].header_count == 0);
	CHECK(metric(&h.source, "replays dropped") == 3);

	/* counted on: another batch adds to it; a batch with nothing to
	 * drop logs nothing */
	sl_arena_reset(arena);
	batch_init(&b, arena);
	push_read(&b, 0, "src", "in", 2, 20);
	push_read(&b, 0, "src", "in", 2, 60);
	capture_stderr();
	CHECK(sl_hop_drop_replays(&h.e, &h.source, &b) == SL_OK);
	log = captured_text();
	CHECK(strstr(log, "sluice: warn") == NULL);
	CHECK(b.count == 1 && b.records[0].timestamp == 60 &&
	      b.records[0].header_count == 0);
	CHECK(metric(&h.source, "replays dropped") == 4);

	/* a keyed stage not on event time has no reports: the headers are
	 * taken off all the same, nothing dropped */
	h.keyed.wm = NULL;
	sl_arena_reset(arena);
	batch_init(&b, arena);
	push_read(&b, 0, "src", "in", 2, 20);
	CHECK(sl_hop_drop_replays(&h.e, &h.source, &b) == SL_OK);
	CHECK(b.count == 1 && b.records[0].header_count == 0);
	CHECK(metric(&h.source, "replays dropped") == 4);
	h.keyed.wm = &h.keyed_wm;

	hop_free(&h);
	sl_arena_free(arena);
}

/* An upstream without topics and partitions (a file, a generator, a
 * window's results: partition -1) counts its offsets afresh in each
 * process, so they tell no replay: read back without a warning, never
 * dropped; nor is a record without an offset (-1). */
static void test_unpartitioned_upstream(void)
{
	hop h;
	sl_arena *arena = sl_arena_new();
	sl_batch b;
	const char *log;

	hop_init(&h);
	CHECK(received(&h, 0, "gen\t\t-1\t1\t5\t0\t3\n"
			      "src\tin\t0\t1\t5\t0\t3\n") == SL_OK);
	batch_init(&b, arena);
	push_read(&b, 0, "gen", NULL, -1, 2);
	push_read(&b, 0, "gen", NULL, -1, -1);
	push_read(&b, 0, "gen", NULL, -1, 3);
	push_read(&b, 0, "gen", NULL, -1, 0);
	push_read(&b, 0, "src", "in", 0, -1);   /* no offset */
	push_read(&b, 0, "src", "in", 0, 2);    /* the one dropped */
	capture_stderr();
	CHECK(sl_hop_drop_replays(&h.e, &h.source, &b) == SL_OK);
	log = captured_text();
	CHECK(strstr(log, "sluice: warn") == NULL);
	CHECK(b.count == 5);
	CHECK(b.count == 5 && b.records[0].timestamp == 2 &&
	      b.records[1].timestamp == -1 && b.records[2].timestamp == 3 &&
	      b.records[3].timestamp == 0 && b.records[4].timestamp == -1);
	CHECK(b.count == 5 && b.records[0].header_count == 0 &&
	      b.records[4].header_count == 0);
	CHECK(metric(&h.source, "replays dropped") == 1);

	hop_free(&h);
	sl_arena_free(arena);
}

/* The records of @p from as the hop's source reads them from topic
 * partition 0: the origin header's bytes copied, nothing else; @p stamped:
 * whether they have one. */
static void read_back(const sl_batch *from, sl_batch *to, int stamped)
{
	uint32_t i;

	for (i = 0; i < from->count; i++) {
		const sl_header *o = header_of(&from->records[i], ORIGIN);
		sl_record *r = push(to, "rep_src", "rep", 0, 1000 + (int64_t)i,
				    from->records[i].timestamp);

		CHECK((o != NULL) == (stamped != 0));
		if (o != NULL)
			add_header(to, r, ORIGIN, o->value.data, o->value.len);
	}
}

/* 4: written by the sink, read by the source: a crash upstream after
 * the sink's report of offsets 100..104 makes the upstream write
 * 100..109 again; exactly 100..104 are dropped (@p drops).  From an
 * upstream whose offsets do not last, 100..109 after the report are new
 * records (its count began again), and none is dropped. */
static void round_trip(const char *stage, const char *topic, int32_t partition,
		       int drops)
{
	hop h;
	sl_arena *arena = sl_arena_new();
	sl_batch first, again, read;
	sl_error err;
	char want[128];
	const char *log;
	int64_t off;
	uint32_t i;

	hop_init(&h);
	batch_init(&first, arena);
	batch_init(&again, arena);
	batch_init(&read, arena);
	for (off = 100; off < 105; off++)
		push(&first, stage, topic, partition, off, off);
	CHECK(sl_hop_observe(&h.e, &h.sink, &first, &err) == SL_OK);
	written_calls = 0;
	CHECK(sl_hop_written(&h.e, &h.sink, &err) == SL_OK);
	CHECK(written_calls == 1);
	snprintf(want, sizeof want, "%s\t%s\t%d\t1\t104\t0\t105\n", stage,
		 topic != NULL ? topic : "", (int)partition);
	CHECK_STR(written, want);

	/* the crash: read again from the last commit, 100 */
	for (off = 100; off < 110; off++)
		push(&again, stage, topic, partition, off, off);
	CHECK(sl_hop_observe(&h.e, &h.sink, &again, &err) == SL_OK);

	/* the topic partition holds first, the report, again */
	read_back(&first, &read, drops);
	capture_stderr();
	CHECK(sl_hop_drop_replays(&h.e, &h.source, &read) == SL_OK);
	CHECK(read.count == 5);
	CHECK(sl_hop_received(&h.e, &h.source, "rep", 0, written, written_len,
			      &err) == SL_OK);
	read.count = 0;
	read_back(&again, &read, drops);
	CHECK(sl_hop_drop_replays(&h.e, &h.source, &read) == SL_OK);
	log = captured_text();
	CHECK_MSG(strstr(log, "sluice: warn") == NULL, "%s/%s: nothing to "
		  "warn of", stage,
		  topic ? topic : "-");
	CHECK_MSG(read.count == (drops ? 5u : 10u), "%s/%s: %u kept", stage,
		  topic ? topic : "-", (unsigned)read.count);
	for (i = 0; i < read.count; i++)
		CHECK(read.records[i].timestamp ==
		      (drops ? 105 : 100) + (int64_t)i &&
		      read.records[i].header_count == 0);
	CHECK(metric(&h.source, "replays dropped") == (drops ? 5 : 0));

	hop_free(&h);
	sl_arena_free(arena);
}

static void test_round_trip(void)
{
	round_trip("src", "in", 3, 1);
	/* a file or generator upstream: no topic, partition -1 */
	round_trip("gen", NULL, -1, 0);
	/* an HTTP source: partition 0, but its count is the process's */
	round_trip("web", "posts", 0, 0);
}

/* Exactly-once: a report is seen only with the records and positions it
 * speaks for, nothing is written again after one: no origin headers. */
static void test_exactly_once_no_origin(void)
{
	hop h;
	sl_arena *arena = sl_arena_new();
	sl_batch b;
	sl_record *r;
	sl_error err;

	hop_init(&h);
	h.job.delivery = SL_DELIVERY_EXACTLY_ONCE;
	batch_init(&b, arena);
	r = push(&b, "src", "in", 2, 41, 500);
	add_header(&b, r, "trace", "abc", 3);
	push(&b, "src", "in", 2, 42, 700);
	CHECK(sl_hop_observe(&h.e, &h.sink, &b, &err) == SL_OK);
	CHECK(b.records[0].header_count == 1);
	CHECK(header_is(&b.records[0], "trace", "abc"));
	CHECK(b.records[1].header_count == 0);
	hop_free(&h);
	sl_arena_free(arena);
}

int main(void)
{
	test_exactly_once_no_origin();
	test_observe_stamps_origin();
	test_reports();
	test_drop_replays();
	test_unpartitioned_upstream();
	test_round_trip();
	return check_done("test_hop");
}
