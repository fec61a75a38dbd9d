/*
 * engine.c - open the stages of a job and move batches through them.
 *
 * One thread runs the job: poll a source for a batch, decode it, run it
 * through the operators that read from it and into the sinks, release the
 * batch's memory; every commit.interval.ms flush the sinks and then commit
 * the sources' positions, so a position is committed only once every
 * record before it is acknowledged by every sink (at-least-once).
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/error.h"
#include "job/format_opts.h"
#include "runtime/changelog.h"
#include "runtime/align.h"
#include "runtime/commit.h"
#include "runtime/engine.h"
#include "runtime/event_time.h"
#include "runtime/hop.h"
#include "runtime/inputs.h"
#include "runtime/log.h"
#include "runtime/progress.h"
#include "runtime/state_host.h"
#include "runtime/telemetry.h"
#include "runtime/wake.h"

#define BATCH_MAX 1024
#define TICK_MS 100

/* ---- batches ---------------------------------------------------------- */

static int batch_init(sl_engine *e, sl_batch *b, uint32_t capacity)
{
	memset(b, 0, sizeof *b);
	b->arena = e->arena;
	b->grow = sl_arena_batch_grow;
	b->engine = e;
	if (capacity == 0)
		return 0;
	b->records = sl_arena_alloc(e->arena, capacity * sizeof *b->records);
	b->capacity = b->records ? capacity : 0;
	return b->records ? 0 : -1;
}

/* The batch has reached every sink: give its memory back. */
static void batch_release(sl_engine *e)
{
	size_t i;

	for (i = 0; i < e->release_count; i++)
		e->releases[i].fn(e->releases[i].arg);
	e->release_count = 0;
	sl_arena_reset(e->arena);
}

/* ---- formats at the edges --------------------------------------------- */

static int decode_batch(sl_stage *s, sl_batch *b, sl_error *err)
{
	uint32_t i, kept = 0;
	int rc = SL_OK;

	for (i = 0; i < b->count; i++) {
		sl_record *r = &b->records[i];
		sl_value *v = sl_arena_alloc(b->arena, 2 * sizeof *v);
		sl_error why;

		if (v == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		r->origin.stage = s->def->name;
		why.kind = SL_ERR_NONE;
		if (s->format->decode(s->format_self, r->value_raw.data,
				      r->value_raw.len, b->arena, &v[0],
				      &why) != SL_OK)
			rc = sl_record_error(s, r, err, "cannot decode value (%s): %s",
					     s->def->format->name, why.message);
		else if (r->key_raw.data != NULL &&
			 s->key_format->decode(s->key_format_self, r->key_raw.data,
					       r->key_raw.len, b->arena, &v[1],
					       &why) != SL_OK)
			rc = sl_record_error(s, r, err, "cannot decode key (%s): %s",
					     s->def->key_format->name, why.message);
		else
			rc = SL_OK;
		if (rc == SL_ERR)
			break;
		if (rc == SL_SKIP)
			continue;
		r->value = &v[0];
		r->value_codec = s->format_codec;
		if (r->key_raw.data != NULL) {
			r->key = &v[1];
			r->key_codec = s->key_format_codec;
		}
		b->records[kept++] = *r;
	}
	b->count = kept;
	return rc == SL_ERR ? SL_ERR : SL_OK;
}

/*
 * Encode one side of a record unless its bytes already are what @p fmt,
 * as @p mine (the stage's codec), would write.
 */
static int encode_side(const sl_format_class *fmt, void *self,
		       const void *mine, const sl_value *value,
		       const void *codec, int stale, sl_bytes *raw,
		       sl_arena *arena, sl_error *why)
{
	sl_buf buf = { NULL, 0, 0, arena };

	if (value == NULL)
		return raw->data == NULL || codec == mine ? SL_OK :
			sl_error_set(why, SL_ERR_RECORD, "no decoded value to encode");
	if (!stale && codec == mine && raw->data != NULL)
		return SL_OK;
	if (fmt->encode(self, value, &buf, why) != SL_OK)
		return SL_ERR;
	/* an empty encoding is still a value, not "no key" */
	raw->data = buf.data ? buf.data : (const uint8_t *)"";
	raw->len = buf.len;
	return SL_OK;
}

static int encode_batch(sl_stage *s, sl_batch *b, sl_error *err)
{
	uint32_t i, kept = 0;
	int rc = SL_OK;

	for (i = 0; i < b->count; i++) {
		sl_record *r = &b->records[i];
		sl_error why;

		why.kind = SL_ERR_NONE;
		if (encode_side(s->format, s->format_self, s->format_codec,
				r->value, r->value_codec,
				r->flags & SL_RECORD_VALUE_SET, &r->value_raw,
				b->arena, &why) != SL_OK)
			rc = sl_record_error(s, r, err, "cannot encode value (%s): %s",
					     s->def->format->name, why.message);
		else if (encode_side(s->key_format, s->key_format_self,
				     s->key_format_codec, r->key, r->key_codec,
				     r->flags & SL_RECORD_KEY_SET, &r->key_raw,
				     b->arena, &why) != SL_OK)
			rc = sl_record_error(s, r, err, "cannot encode key (%s): %s",
					     s->def->key_format->name, why.message);
		else
			rc = SL_OK;
		if (rc == SL_ERR)
			break;
		if (rc == SL_SKIP)
			continue;
		r->value_codec = s->format_codec;
		r->key_codec = s->key_format_codec;
		r->flags &= ~(uint32_t)(SL_RECORD_VALUE_SET | SL_RECORD_KEY_SET);
		b->records[kept++] = *r;
	}
	b->count = kept;
	return rc == SL_ERR ? SL_ERR : SL_OK;
}

/* ---- moving a batch down the graph ------------------------------------ */

/* A batch waiting for its turn at a stage. */
typedef struct pending {
	sl_stage *stage;
	sl_batch batch;
} pending;

/* The work list of one delivery, in the batch's arena. */
typedef struct todo {
	pending *items;
	size_t count, cap;
} todo;

/*
 * Queue @p b, made by @p from, for every stage reading from it, the first
 * reader on top.  Each reader but the last gets a copy of the record array
 * (records share the arena), because readers rewrite batches in place.
 */
static int queue_readers(sl_engine *e, todo *t, sl_stage *from, const sl_batch *b)
{
	size_t i;

	if (t->cap - t->count < from->output_count) {
		size_t cap = 2 * t->cap + from->output_count;
		pending *grown = sl_arena_alloc(e->arena, cap * sizeof *grown);

		if (grown == NULL)
			return -1;
		if (t->count)
			memcpy(grown, t->items, t->count * sizeof *grown);
		t->items = grown;
		t->cap = cap;
	}
	for (i = from->output_count; i-- > 0;) {
		pending *p = &t->items[t->count++];

		p->stage = from->outputs[i];
		p->batch = *b;
		if (i + 1 == from->output_count)
			continue;
		if (batch_init(e, &p->batch, b->count) != 0)
			return -1;
		if (b->count)
			memcpy(p->batch.records, b->records,
			       b->count * sizeof *b->records);
		p->batch.count = b->count;
	}
	return 0;
}

static int run_stage(sl_engine *e, todo *t, sl_stage *s, sl_batch *b,
		     sl_error *err);

/*
 * Hand @p b, made by @p from, to every stage below it, depth first, with
 * a work list instead of recursion, so a long chain of stages costs no
 * C stack.  The first record failure is the one reported, and does not
 * stop the other stages from getting the records before it; a runtime
 * failure stops at once and is the one reported.
 */
static int deliver(sl_engine *e, sl_stage *from, sl_batch *b, sl_error *err)
{
	todo t = { NULL, 0, 0 };
	int rc = SL_OK;

	if (queue_readers(e, &t, from, b) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	while (t.count > 0) {
		pending p = t.items[--t.count];
		sl_error sub, *use = rc == SL_OK ? err : &sub;

		if (run_stage(e, &t, p.stage, &p.batch, use) == SL_OK)
			continue;
		if (use->kind != SL_ERR_RECORD) {
			if (use != err)
				*err = *use;
			return SL_ERR; /* runtime failure: stop at once */
		}
		rc = SL_ERR;
	}
	return rc;
}

static void set_state_partition(sl_stage *s, int32_t partition)
{
	size_t i;

	for (i = 0; i < s->state_count; i++)
		sl_store_set_partition(s->states[i],
				       sl_changelog_partition(s, partition));
}

/* The operator's process; SL_MORE (more is due than it appended) asks
 * for a tick once the batch is through. */
static int process(sl_stage *s, sl_batch *b, sl_error *err)
{
	int rc = s->plugin->op->process(s->self, b, err);

	if (rc != SL_MORE)
		return rc;
	s->tick_soon = 1;
	s->engine->tick_soon = 1;
	return SL_OK;
}

/*
 * A stateful operator sees one input partition at a time, so each state
 * entry it writes is tagged with the partition whose changelog keeps it.
 */
static int process_by_partition(sl_engine *e, sl_stage *s, sl_batch *b,
				sl_error *err)
{
	sl_batch out, run;
	uint32_t start, end;
	int rc = SL_OK;

	for (end = 1; end < b->count; end++)
		if (b->records[end].origin.partition != b->records[0].origin.partition)
			break;
	if (s->state_count == 0 || end >= b->count) {
		if (b->count > 0)
			set_state_partition(s, b->records[0].origin.partition);
		return process(s, b, err);
	}
	if (batch_init(e, &out, b->count) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (start = 0; start < b->count && rc == SL_OK; start = end) {
		int32_t p = b->records[start].origin.partition;
		uint32_t i;

		for (end = start + 1; end < b->count; end++)
			if (b->records[end].origin.partition != p)
				break;
		if (batch_init(e, &run, end - start) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		memcpy(run.records, b->records + start,
		       (end - start) * sizeof *run.records);
		run.count = end - start;
		set_state_partition(s, p);
		rc = process(s, &run, err);
		for (i = 0; i < run.count; i++) {
			sl_record *r = sl_batch_push(&out);

			if (r == NULL)
				return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			*r = run.records[i];
		}
	}
	*b = out;
	return rc;
}

/*
 * Run @p s on @p b: an operator's output is queued for its readers, a
 * sink writes.  SL_OK, or SL_ERR with @p err: a record failure (errors =
 * fail; the records before it still go on) or a runtime failure.
 */
static int run_stage(sl_engine *e, todo *t, sl_stage *s, sl_batch *b,
		     sl_error *err)
{
	sl_error sub;
	int rc;

	s->records_in += b->count;
	if (s->kind == SL_KIND_OPERATOR) {
		rc = process_by_partition(e, s, b, err);
		if (rc != SL_OK && err->kind != SL_ERR_RECORD) {
			sl_error_prefix(err, "stage '%s': ", s->def->name);
			return SL_ERR;
		}
		s->records_out += b->count;
		if (b->count > 0 && queue_readers(e, t, s, b) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return rc;
	}
	/* a sink; in front of a repartition topic it notes event times */
	if (s->wm != NULL && sl_hop_observe(e, s, b, err) != SL_OK)
		return SL_ERR;
	rc = encode_batch(s, b, err);
	if (b->count > 0) {
		if (s->plugin->sink->write(s->self, b, rc == SL_OK ? err : &sub) != SL_OK) {
			if (rc != SL_OK)
				*err = sub;
			if (err->kind != SL_ERR_RECORD)
				sl_error_prefix(err, "stage '%s': ", s->def->name);
			return SL_ERR;
		}
		s->records_written += b->count; /* counted out once delivered */
		sl_telemetry_count_bytes(&s->bytes_out, b);
		if (s->wm != NULL && sl_hop_written(e, s, err) != SL_OK)
			return SL_ERR;
	}
	return rc;
}

/* ---- opening and closing ---------------------------------------------- */

static int open_format(sl_engine *e, sl_stage *s, const sl_descriptor *d,
		       int key_side, sl_error *err)
{
	const sl_format_class **fmt = key_side ? &s->key_format : &s->format;
	void **self = key_side ? &s->key_format_self : &s->format_self;
	const void **codec = key_side ? &s->key_format_codec : &s->format_codec;
	const sl_plugin *p;
	int rc = SL_OK;

	if (sl_loader_get(e->loader, e->registry, d, &p, err) != SL_OK)
		return SL_ERR;
	*fmt = p->format;
	*self = NULL;
	*codec = sl_format_options_set(s->def, d, key_side) ? (const void *)codec
							    : (const void *)*fmt;
	if (p->format->open != NULL) {
		s->opening_format = d;
		s->opening_key_format = key_side;
		rc = p->format->open(s, self, err);
		s->opening_format = NULL;
	}
	return rc;
}

static int open_stage(sl_engine *e, sl_stage *s, sl_error *err)
{
	const sl_job_stage *d = s->def;
	int rc;

	if (sl_loader_get(e->loader, e->registry, d->plugin, &s->plugin, err) != SL_OK)
		return SL_ERR;
	if (s->kind & (SL_KIND_SOURCE | SL_KIND_SINK)) {
		if (open_format(e, s, d->format, 0, err) != SL_OK ||
		    open_format(e, s, d->key_format, 1, err) != SL_OK)
			return SL_ERR;
	}
	switch (s->kind) {
	case SL_KIND_SOURCE:
		rc = s->plugin->source->open(s, &s->self, err);
		break;
	case SL_KIND_SINK:
		rc = s->plugin->sink->open(s, &s->self, err);
		break;
	case SL_KIND_STORE:
		rc = s->plugin->store->open(s, &s->self, err);
		break;
	default:
		rc = s->plugin->op->open(s, &s->self, err);
		break;
	}
	if (rc != SL_OK)
		return SL_ERR;
	s->opened = 1;
	return SL_OK;
}

/* Open the stages of the job, or (@p hops) the sources of its hops. */
static int open_stages(sl_engine *e, int hops, sl_error *err)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if ((s->def->role == SL_ROLE_REPARTITION_SOURCE) != hops)
			continue;
		if (open_stage(e, s, err) != SL_OK) {
			if (err->kind != SL_ERR_CONFIG)
				sl_error_prefix(err, "stage '%s': ", s->def->name);
			return SL_ERR;
		}
	}
	return SL_OK;
}

static void close_format(const sl_format_class *fmt, void *self)
{
	if (fmt != NULL && fmt->close != NULL)
		fmt->close(self);
}

static void close_stage(sl_stage *s)
{
	size_t i;

	if (s->opened) {
		if (s->kind == SL_KIND_SOURCE && s->plugin->source->close)
			s->plugin->source->close(s->self);
		else if (s->kind == SL_KIND_SINK && s->plugin->sink->close)
			s->plugin->sink->close(s->self);
		else if (s->kind == SL_KIND_OPERATOR && s->plugin->op->close)
			s->plugin->op->close(s->self);
		else if (s->kind == SL_KIND_STORE && s->plugin->store->close)
			s->plugin->store->close(s->self);
	}
	close_format(s->format, s->format_self);
	/* key and value may share one format instance only when both NULL */
	if (s->key_format_self != s->format_self || s->key_format_self == NULL)
		close_format(s->key_format, s->key_format_self);
	for (i = 0; i < s->metric_count; i++)
		free(s->metrics[i].name);
	free(s->metrics);
	sl_telemetry_stage_free(s);
	sl_commit_free(s);
	free(s->outputs);
	sl_state_host_close_all(s);
	sl_engine_watermark_close(s);
	free(s->owned);
	free(s->report);
	sl_hop_free(s);
}

static sl_stage *stage_of(sl_engine *e, const sl_job_stage *d)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++)
		if (e->stages[i].def == d)
			return &e->stages[i];
	return NULL;
}

static int wire(sl_engine *e, sl_error *err)
{
	size_t i, j;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		for (j = 0; j < s->def->input_count; j++) {
			sl_stage *in = stage_of(e, s->def->inputs[j]);
			sl_stage **o = realloc(in->outputs,
					       (in->output_count + 1) * sizeof *o);
			if (o == NULL)
				return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			in->outputs = o;
			o[in->output_count++] = s;
		}
	}
	return SL_OK;
}

/*
 * Dead letters of every stage go through the first sink whose plugin
 * writes them (dead_letter), so they share its transaction.
 */
static int find_dead_letter_sink(sl_engine *e, sl_error *err)
{
	size_t i;

	for (i = 0; i < e->stage_count && e->dlq_sink == NULL; i++) {
		const sl_sink_class *k = e->stages[i].plugin->sink;

		if (e->stages[i].kind == SL_KIND_SINK &&
		    SL_STRUCT_HAS(k, sl_sink_class, dead_letter))
			e->dlq_sink = &e->stages[i];
	}
	for (i = 0; i < e->stage_count; i++) {
		const sl_job_stage *d = e->stages[i].def;
		const sl_job_option *o = sl_job_stage_option(d, "errors");

		if (d->settings.errors == SL_ERRORS_DEAD_LETTER && e->dlq_sink == NULL)
			return sl_error_set(err, SL_ERR_CONFIG,
				"%s:%d: %s: errors = dead-letter needs a sink in the "
				"job whose plugin writes dead letters (kafka's does)",
				e->job->path, o ? o->line : d->line, d->name);
	}
	return SL_OK;
}

/* ---- the loop ---------------------------------------------------------- */

static void summary(const sl_engine *e)
{
	size_t i, j;

	for (i = 0; i < e->stage_count; i++) {
		const sl_stage *s = &e->stages[i];
		char extra[512] = "";
		size_t n = 0;

		for (j = 0; j < s->metric_count && n < sizeof extra; j++)
			n += (size_t)snprintf(extra + n, sizeof extra - n, ", %s %lld",
					      s->metrics[j].name,
					      (long long)s->metrics[j].value);
		if (s->kind == SL_KIND_STORE) /* handles no records */
			continue;
		if (s->state_peak_bytes > 0)
			n += (size_t)snprintf(extra + n, n < sizeof extra ?
					      sizeof extra - n : 0,
					      ", state at most %zu bytes (%zu keys)",
					      s->state_peak_bytes, s->state_peak_keys);
		if (s->kind == SL_KIND_SOURCE)
			sl_stage_log(s, SL_LOG_INFO, "records out %llu, skipped %llu%s",
				     (unsigned long long)s->records_out,
				     (unsigned long long)s->skipped, extra);
		else
			sl_stage_log(s, SL_LOG_INFO,
				     "records in %llu, out %llu, skipped %llu%s",
				     (unsigned long long)s->records_in,
				     (unsigned long long)s->records_out,
				     (unsigned long long)s->skipped, extra);
	}
}

/* Poll one source, run its batch through the job.  SL_EOF when done. */
/* Each stateful stage's largest state so far, for the summary. */
static void note_state_size(sl_engine *e)
{
	size_t i, j;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];
		size_t bytes = 0, keys = 0;

		for (j = 0; j < s->state_count; j++) {
			bytes += sl_store_bytes(s->states[j]);
			keys += sl_store_count(s->states[j]);
		}
		if (bytes > s->state_peak_bytes) {
			s->state_peak_bytes = bytes;
			s->state_peak_keys = keys;
		}
	}
}

static int pump_source(sl_engine *e, sl_stage *s, int timeout_ms,
		       sl_origin *polled, int *got, sl_error *err)
{
	sl_batch b;
	uint32_t i, npolled;
	int rc, prc;

	*got = 0;
	if (batch_init(e, &b, e->batch_max) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	prc = s->plugin->source->poll(s->self, &b, e->batch_max, timeout_ms, err);
	if (prc == SL_ERR) {
		sl_inputs_settle(e, s, 0, NULL);
		batch_release(e);
		if (err->kind != SL_ERR_CONFIG)
			sl_error_prefix(err, "stage '%s': ", s->def->name);
		return SL_ERR;
	}
	*got = b.count > 0;
	sl_telemetry_count_bytes(&s->bytes_in, &b);
	for (i = 0; i < b.count; i++) {
		b.records[i].origin.stage = s->def->name;
		polled[i] = b.records[i].origin;
	}
	npolled = b.count;
	rc = decode_batch(s, &b, err);
	s->records_out += b.count;
	if (b.count > 0) {
		sl_error sub;
		int d = deliver(e, s, &b, rc == SL_OK ? err : &sub);

		if (d != SL_OK && rc == SL_OK)
			rc = d;
		else if (d != SL_OK && sub.kind != SL_ERR_RECORD)
			*err = sub, rc = SL_ERR;
	}
	if (rc == SL_OK || err->kind == SL_ERR_RECORD) {
		if (sl_commit_advance(e, s, polled, npolled) != 0)
			rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	/* what the source reported while filling the batch comes after it */
	if (sl_inputs_settle(e, s, rc == SL_OK, err) != SL_OK)
		rc = SL_ERR;
	batch_release(e);
	if (npolled > 0)
		note_state_size(e);
	if (rc == SL_OK && npolled > 0 &&
	    sl_align_source(e, s, sl_now_wall_ms(), err) != SL_OK)
		rc = SL_ERR;
	if (rc != SL_OK)
		return SL_ERR;
	if (prc == SL_EOF) {
		s->finished = 1;
		return SL_EOF;
	}
	return SL_OK;
}

/*
 * A finished source may still have a client to serve (a consumer group
 * member answers rebalances, or the whole group waits for it): it is
 * polled without room for records while other sources run.
 */
static int serve_finished(sl_engine *e, sl_stage *s, sl_error *err)
{
	sl_batch b;
	int rc;

	if (batch_init(e, &b, 0) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	rc = s->plugin->source->poll(s->self, &b, 0, 0, err);
	sl_inputs_settle(e, s, 0, NULL);
	batch_release(e);
	if (rc == SL_ERR) {
		sl_error_prefix(err, "stage '%s': ", s->def->name);
		return SL_ERR;
	}
	return SL_OK;
}

/* Operator @p s's tick or finish, if it has one; what it emits goes on. */
static int emit(sl_engine *e, sl_stage *s, int finishing, int64_t now,
		sl_error *err)
{
	const sl_operator_class *op = s->plugin->op;
	sl_batch out;
	int rc;

	s->tick_soon = 0;
	if (finishing ? op->finish == NULL : op->tick == NULL)
		return SL_OK;
	/* SL_MORE: a part, passed on before the next is made, so one
	 * batch's memory holds one part only */
	do {
		if (batch_init(e, &out, 0) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		rc = finishing ? op->finish(s->self, &out, err)
			       : op->tick(s->self, now, &out, err);
		if ((rc == SL_OK || rc == SL_MORE) && out.count > 0) {
			s->records_out += out.count;
			if (deliver(e, s, &out, err) != SL_OK)
				rc = SL_ERR;
		} else if (rc == SL_MORE) {
			rc = SL_OK; /* no part: the next tick goes on */
		}
		batch_release(e);
	} while (rc == SL_MORE && !*e->stop);
	return rc == SL_OK || rc == SL_MORE ? SL_OK : SL_ERR;
}

/* Every operator's tick (@p soon: those that asked for one only) or
 * finish. */
static int emit_all(sl_engine *e, int finishing, int soon, int64_t now,
		    sl_error *err)
{
	size_t i;

	e->tick_soon = 0;
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if (s->kind == SL_KIND_OPERATOR && (!soon || s->tick_soon) &&
		    emit(e, s, finishing, now, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

static int run_loop(sl_engine *e, sl_origin *polled, sl_error *err)
{
	const sl_job *job = e->job;
	int64_t last_commit = sl_now_mono_ms(), last_tick = last_commit;
	size_t i, active, ended = 0;

	for (;;) {
		int busy = 0, wakes;
		int64_t now;

		active = 0;
		for (i = 0; i < e->stage_count; i++)
			active += e->stages[i].kind == SL_KIND_SOURCE &&
				  !e->stages[i].finished;
		if (active == 0 || *e->stop)
			break;
		/* a source finished: repartition topics behind it may end */
		if (e->stage_count - active != ended) {
			ended = e->stage_count - active;
			if (sl_hop_end_inputs(e, err) != SL_OK)
				return SL_ERR;
		}
		/* sources that wake the loop never wait in their poll: the
		 * loop waits for all of them at once, below (wake.c) */
		wakes = sl_wake_every_source(e);
		for (i = 0; i < e->stage_count && !*e->stop; i++) {
			sl_stage *s = &e->stages[i];
			int got;

			if (s->kind != SL_KIND_SOURCE)
				continue;
			if (s->finished) {
				if (serve_finished(e, s, err) != SL_OK)
					return SL_ERR;
				continue;
			}
			/* several sources share the tick budget */
			if (pump_source(e, s, busy || wakes ? 0 :
					(int)(TICK_MS / active),
					polled, &got, err) == SL_ERR)
				return SL_ERR;
			busy |= got;
			if (e->tick_soon &&
			    emit_all(e, 0, 1, sl_now_wall_ms(), err) != SL_OK)
				return SL_ERR;
		}
		now = sl_now_mono_ms();
		if (wakes && !busy && !e->tick_soon && !*e->stop) {
			int64_t until = last_tick + TICK_MS;

			if (last_commit + job->commit_interval_ms < until)
				until = last_commit + job->commit_interval_ms;
			if (until > now)
				sl_wake_wait(e, (int)(until - now));
			now = sl_now_mono_ms();
		}
		if (now - last_tick >= TICK_MS) {
			last_tick = now;
			if (emit_all(e, 0, 0, sl_now_wall_ms(), err) != SL_OK)
				return SL_ERR;
			note_state_size(e);
			if (sl_align_tick(e, sl_now_wall_ms(), err) != SL_OK)
				return SL_ERR;
			if (e->progress)
				sl_progress_update(e, 0);
			sl_telemetry_publish(e, 0);
		}
		if (now - last_commit >= job->commit_interval_ms) {
			last_commit = now;
			if (sl_commit_cycle(e, 0, err) != SL_OK)
				return SL_ERR;
		}
	}
	note_state_size(e);
	if (!*e->stop && emit_all(e, 1, 0, sl_now_wall_ms(), err) != SL_OK)
		return SL_ERR;
	return SL_OK;
}

int sl_engine_run(const sl_job *job, const sl_registry *reg, sl_loader *loader,
		  volatile sig_atomic_t *stop, int progress, sl_error *err)
{
	sl_engine e;
	sl_origin *polled = NULL;
	size_t i;
	int rc = SL_ERR;

	memset(&e, 0, sizeof e);
	e.wake[0] = e.wake[1] = -1;
	e.job = job;
	e.registry = reg;
	e.stop = stop;
	e.progress = progress;
	e.batch_max = BATCH_MAX;
	sl_log_set_level(job->log_level);
	e.loader = loader;
	e.arena = sl_arena_new();
	e.stages = calloc(job->order_count, sizeof *e.stages);
	polled = malloc(e.batch_max * sizeof *polled);
	if (e.loader == NULL || e.arena == NULL || e.stages == NULL || polled == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto out;
	}
	e.stage_count = job->order_count;
	for (i = 0; i < job->order_count; i++) {
		e.stages[i].def = job->order[i];
		e.stages[i].engine = &e;
		e.stages[i].kind = job->order[i]->kind;
	}
	if (wire(&e, err) != SL_OK || sl_wake_open(&e, err) != SL_OK)
		goto out;
	/*
	 * In order, sources first: nothing is read before the loop polls,
	 * and a sink may take settings from the source it works with (a
	 * transactional id from the group's static membership).  The
	 * sources of repartition hops come last, once their topics exist.
	 */
	if (sl_inputs_open(&e, err) != SL_OK ||
	    open_stages(&e, 0, err) != SL_OK || sl_hop_prepare(&e, err) != SL_OK ||
	    open_stages(&e, 1, err) != SL_OK ||
	    sl_commit_open(&e, err) != SL_OK || find_dead_letter_sink(&e, err) != SL_OK ||
	    sl_changelog_open(&e, sl_commit_txn_owner(&e), err) != SL_OK ||
	    sl_align_open(&e, err) != SL_OK || *stop) {
		/* asked to stop while it opened (a plugin waiting for its
		 * cluster gives up then): nothing was read, a clean stop */
		if (*stop) {
			sl_stage_log(NULL, SL_LOG_INFO, "job '%s' stopped before "
				     "it ran", job->name);
			rc = SL_OK;
		}
		goto out;
	}
	sl_stage_log(NULL, SL_LOG_INFO, "job '%s' running (%zu stages, delivery %s)",
		     job->name, e.stage_count, sl_job_delivery_name(job->delivery));
	rc = run_loop(&e, polled, err);
	if (rc == SL_OK || err->kind == SL_ERR_RECORD) {
		/* commit what came before a failed record, nothing after it */
		sl_error cerr;
		uint64_t aborts = sl_commit_aborts(&e);

		if (sl_commit_cycle(&e, 1, rc == SL_OK ? err : &cerr) != SL_OK) {
			rc = SL_ERR;
			sl_commit_abort(&e);
		} else if (sl_commit_aborts(&e) != aborts && rc == SL_OK &&
			   !*stop) {
			/* Rewound with nothing left to run it again (the
			 * sources have ended, the outputs of finish are gone):
			 * ending well would lose them.  The next run starts
			 * from the last commit and does it again.  (Stopped,
			 * a job reads it again when it is started anyway.) */
			rc = sl_error_set(err, SL_ERR_RUNTIME, "the job's last "
					  "transaction was aborted (see above): what it "
					  "carried is not committed; run the job again to "
					  "finish it from the last commit");
		}
	} else {
		sl_commit_abort(&e);
	}
	if (e.progress)
		sl_progress_update(&e, 1);
	summary(&e);
	sl_telemetry_publish(&e, 1);
out:
	sl_align_close(&e);
	for (i = 0; i < e.stage_count; i++)
		close_stage(&e.stages[i]);
	if (e.arena != NULL)
		batch_release(&e);
	free(e.releases);
	sl_changelog_close(&e);
	sl_commit_close(&e);
	sl_inputs_close(&e);
	sl_wake_close(&e);
	free(e.stages);
	free(polled);
	sl_arena_free(e.arena);
	return rc;
}
