/*
 * flow.c - a batch moving down the graph (flow.h).
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/error.h"
#include "runtime/changelog.h"
#include "runtime/edge.h"
#include "runtime/flow.h"
#include "runtime/hop.h"
#include "runtime/retry.h"
#include "runtime/state_host.h"
#include "runtime/telemetry.h"

int sl_flow_batch_init(sl_engine *e, sl_batch *b, uint32_t capacity)
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

void sl_flow_release(sl_engine *e)
{
	size_t i;

	for (i = 0; i < e->release_count; i++)
		e->releases[i].fn(e->releases[i].arg);
	e->release_count = 0;
	sl_arena_reset(e->arena);
}

/* A batch waiting for its turn at a stage. */
typedef struct pending {
	sl_stage *stage;
	sl_batch batch;
} pending;

/* The work list of one delivery, in the batch's arena. */
typedef struct work_list {
	pending *items;
	size_t count, cap;
} work_list;

/*
 * Queue @p b, made by @p from, for every stage reading from it, the first
 * reader on top.  Each reader but the last gets a copy of the record array
 * (records share the arena), because readers rewrite batches in place.
 */
static int queue_readers(sl_engine *e, work_list *t, sl_stage *from, const sl_batch *b)
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
		if (sl_flow_batch_init(e, &p->batch, b->count) != 0)
			return -1;
		if (b->count)
			memcpy(p->batch.records, b->records,
			       b->count * sizeof *b->records);
		p->batch.count = b->count;
	}
	return 0;
}

static int run_stage(sl_engine *e, work_list *t, sl_stage *s, sl_batch *b,
		     sl_error *err);

/*
 * Hand @p b, made by @p from, to every stage below it, depth first, with
 * a work list instead of recursion, so a long chain of stages costs no
 * C stack.  The first record failure is the one reported, and does not
 * stop the other stages from getting the records before it; a runtime
 * failure stops at once and is the one reported.
 */
int sl_flow_deliver(sl_engine *e, sl_stage *from, sl_batch *b, sl_error *err)
{
	work_list t = { NULL, 0, 0 };
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

	for (i = 0; i < s->state.count; i++)
		sl_store_set_partition(s->state.stores[i],
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
	if (s->state.count == 0 || end >= b->count) {
		if (b->count > 0)
			set_state_partition(s, b->records[0].origin.partition);
		return process(s, b, err);
	}
	if (sl_flow_batch_init(e, &out, b->count) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (start = 0; start < b->count && rc == SL_OK; start = end) {
		int32_t p = b->records[start].origin.partition;
		uint32_t i;

		for (end = start + 1; end < b->count; end++)
			if (b->records[end].origin.partition != p)
				break;
		if (sl_flow_batch_init(e, &run, end - start) != 0)
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
static int run_stage(sl_engine *e, work_list *t, sl_stage *s, sl_batch *b,
		     sl_error *err)
{
	sl_error sub;
	int rc, decoded;

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
	/* a sink that reads values only (null) is spared the encoding */
	decoded = s->def->plugin != NULL &&
		  (s->def->plugin->capabilities & SL_CAP_DECODED);
	rc = decoded ? SL_OK : sl_edge_encode(s, b, err);
	if (b->count > 0) {
		/* a record the sink refuses itself (errors = skip or
		 * dead-letter) is not written: it must not count as out once
		 * the rest is */
		uint64_t skipped = s->skipped + s->dead_lettered;

		if (sl_retry_write(s, b, rc == SL_OK ? err : &sub) != SL_OK) {
			if (rc != SL_OK)
				*err = sub;
			if (err->kind != SL_ERR_RECORD)
				sl_error_prefix(err, "stage '%s': ", s->def->name);
			return SL_ERR;
		}
		s->records_written += b->count -
				      (s->skipped + s->dead_lettered - skipped);
		if (!decoded) /* else the bytes are not what it took */
			sl_telemetry_count_bytes(&s->bytes_out, b);
		if (s->wm != NULL && sl_hop_written(e, s, err) != SL_OK)
			return SL_ERR;
	}
	return rc;
}
