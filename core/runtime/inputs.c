/*
 * inputs.c - which sources feed which stages, and what a partitioned
 * source reports about the partitions it reads.
 *
 * A stage's upstream sources are those whose records can reach it (a
 * repartition source counts as a source: the planner's hop cuts the
 * graph).  Keyed state and watermarks follow them: a source that is
 * assigned partitions makes the stateful stages it feeds restore theirs
 * and the stages on event time count them as inputs.
 *
 * What a source reports inside poll about positions (a partition's end)
 * and control data (a repartition topic's progress reports) waits until
 * the batch it was filling has gone through the job: a position must not
 * be committed before the records in front of it are, and a report says
 * what the records before it have delivered.  A rewind meanwhile (an
 * abort inside poll: a revocation's commit failed) drops it: the source
 * reads it again after the records it speaks for, and applied now, a
 * report would move the watermark past records still to be read again,
 * and a position past records not yet processed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/error.h"
#include "runtime/align.h"
#include "runtime/changelog.h"
#include "runtime/commit.h"
#include "runtime/hop.h"
#include "runtime/inputs.h"
#include "runtime/log.h"
#include "runtime/positions.h"
#include "runtime/watermark.h"

/* Something a source reported inside poll, applied once the batch it was
 * filling has gone through the job (sl_engine_partition_end). */
typedef struct sl_pending {
	sl_stage *source;
	char *topic;
	int32_t partition;
	int64_t next_offset;     /* the position it moves to */
	void *control;           /* control data, or NULL */
	size_t control_len;
	uint64_t rewinds;        /* the engine's rewinds when it was reported */
	int finished;            /* an end it will not read past in this run */
} sl_pending;

/* What sources reported inside the current poll. */
struct sl_inputs {
	sl_pending *pending;
	size_t count, cap;
};

static int add_upstream(sl_stage *s, sl_stage *source)
{
	sl_stage **grown;
	size_t i;

	for (i = 0; i < s->upstream_count; i++)
		if (s->upstream[i] == source)
			return 0;
	grown = realloc(s->upstream, (s->upstream_count + 1) * sizeof *grown);
	if (grown == NULL)
		return -1;
	s->upstream = grown;
	s->upstream[s->upstream_count++] = source;
	return 0;
}

int sl_inputs_open(sl_engine *e, sl_error *err)
{
	size_t i, j, k;

	if ((e->inputs = calloc(1, sizeof *e->inputs)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	/* stages run in order, inputs first, so theirs are complete */
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if (s->kind == SL_KIND_SOURCE) {
			if (add_upstream(s, s) != 0)
				return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			continue;
		}
		for (j = 0; j < s->def->input_count; j++) {
			sl_stage *in = &e->stages[s->def->inputs[j]->order_index];

			for (k = 0; k < in->upstream_count; k++)
				if (add_upstream(s, in->upstream[k]) != 0)
					return sl_error_set(err, SL_ERR_RUNTIME,
							    "out of memory");
		}
	}
	return SL_OK;
}

static void drop_pending(sl_pending *p)
{
	free(p->topic);
	free(p->control);
}

void sl_inputs_close(sl_engine *e)
{
	sl_inputs *in = e->inputs;
	size_t i;

	for (i = 0; in != NULL && i < in->count; i++)
		drop_pending(&in->pending[i]);
	if (in != NULL)
		free(in->pending);
	free(in);
	e->inputs = NULL;
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		free(s->upstream);
		s->upstream = NULL;
		s->upstream_count = 0;
		for (; s->held_count > 0; s->held_count--)
			free(s->held[s->held_count - 1].topic);
		free(s->held);
		s->held = NULL;
	}
}

/* The distinct partition numbers of @p inputs, for keyed state. */
static size_t numbers(const sl_input *inputs, size_t count, int32_t *out)
{
	size_t i, k, n = 0;

	for (i = 0; i < count; i++) {
		for (k = 0; k < n && out[k] != inputs[i].partition; k++)
			;
		if (k == n)
			out[n++] = inputs[i].partition;
	}
	return n;
}

/* Keep what @p s holds (in its held list, positions unused), so that a
 * partition number another of its topics still holds keeps its state. */
static int hold(sl_stage *s, const sl_input *in)
{
	return sl_positions_set(&s->held, &s->held_count, in->topic,
				in->partition, 0, 1);
}

static int holds_number(const sl_stage *s, int32_t partition)
{
	size_t i;

	for (i = 0; i < s->held_count; i++)
		if (s->held[i].partition == partition)
			return 1;
	return 0;
}

/* Whether @p t is an open operator that source @p src feeds. */
static int open_operator_fed_by(const sl_stage *t, const sl_stage *src)
{
	return t->kind == SL_KIND_OPERATOR && t->self != NULL &&
	       sl_stage_fed_by(t, src);
}

/* The operators fed by source @p src that hold data per input partition
 * (sluice/operator.h inputs_assigned) load theirs: after keyed state is
 * back, before a record of them is processed. */
static int tell_operators_assigned(sl_stage *src, const sl_input *inputs,
				   size_t count, sl_error *err)
{
	sl_engine *e = src->engine;
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *t = &e->stages[i];
		const sl_operator_class *op;

		if (!open_operator_fed_by(t, src))
			continue;
		op = t->plugin->op;
		if (!SL_STRUCT_HAS(op, sl_operator_class, inputs_assigned))
			continue;
		if (op->inputs_assigned(t->self, inputs, count, err) != SL_OK) {
			sl_error_prefix(err, "stage '%s': ", t->def->name);
			return SL_ERR;
		}
	}
	return SL_OK;
}

static void tell_operators_revoked(sl_stage *src, const sl_input *inputs,
				   size_t count)
{
	sl_engine *e = src->engine;
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *t = &e->stages[i];
		const sl_operator_class *op;

		if (!open_operator_fed_by(t, src))
			continue;
		op = t->plugin->op;
		if (SL_STRUCT_HAS(op, sl_operator_class, inputs_revoked))
			op->inputs_revoked(t->self, inputs, count);
	}
}

int sl_engine_inputs_assigned(sl_stage *s, const sl_input *inputs,
			      size_t count, sl_error *err)
{
	sl_engine *e = s->engine;
	int32_t *p = malloc((count ? count : 1) * sizeof *p);
	int64_t now = sl_now_wall_ms();
	const sl_source_class *k = s->plugin->source;
	int ends = SL_STRUCT_HOLDS(k, sl_source_class, reports_ends) &&
		   k->reports_ends;
	size_t i, j, n;
	int rc;

	if (p == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; i < count; i++)
		if (hold(s, &inputs[i]) != 0) {
			free(p);
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		}
	n = numbers(inputs, count, p);
	rc = sl_engine_partitions_assigned(s, p, n, err);
	free(p);
	if (rc != SL_OK || tell_operators_assigned(s, inputs, count, err) != SL_OK)
		return SL_ERR;
	/* counted from now, after their state is back */
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *t = &e->stages[i];

		if (t->wm == NULL || !sl_stage_fed_by(t, s))
			continue;
		for (j = 0; j < count; j++)
			if (sl_wm_assigned(t->wm, s->def->name, inputs[j].topic,
					   inputs[j].partition,
					   inputs[j].partitions, ends, now) != 0)
				return sl_error_set(err, SL_ERR_RUNTIME,
						    "out of memory");
	}
	return SL_OK;
}

void sl_engine_inputs_revoked(sl_stage *s, const sl_input *inputs, size_t count)
{
	sl_engine *e = s->engine;
	int32_t *p = malloc((count ? count : 1) * sizeof *p);
	size_t i, j, n, kept = 0;

	tell_operators_revoked(s, inputs, count);
	for (i = 0; i < count; i++) {
		sl_positions_forget(s->held, &s->held_count, inputs[i].topic,
				    inputs[i].partition);
		sl_align_forget(e, s, inputs[i].topic, inputs[i].partition);
	}
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *t = &e->stages[i];

		if (t->wm == NULL || !sl_stage_fed_by(t, s))
			continue;
		for (j = 0; j < count; j++)
			sl_wm_revoked(t->wm, s->def->name, inputs[j].topic,
				      inputs[j].partition);
	}
	/* without memory the state stays; the next assignment redoes it */
	if (p == NULL)
		return;
	n = numbers(inputs, count, p);
	for (i = 0; i < n; i++)
		if (!holds_number(s, p[i]))
			p[kept++] = p[i];
	if (kept > 0)
		sl_engine_partitions_revoked(s, p, kept);
	free(p);
}

static void push(sl_stage *s, const char *topic, int32_t partition,
		 int64_t next_offset, int finished, const void *data, size_t len)
{
	sl_inputs *in = s->engine->inputs;
	sl_pending *p;

	if (in->count == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 16;

		if ((p = realloc(in->pending, cap * sizeof *p)) == NULL)
			goto oom;
		in->pending = p;
		in->cap = cap;
	}
	p = &in->pending[in->count];
	memset(p, 0, sizeof *p);
	p->source = s;
	p->partition = partition;
	p->next_offset = next_offset;
	p->finished = finished;
	p->rewinds = s->engine->rewinds;
	if ((topic != NULL && (p->topic = strdup(topic)) == NULL) ||
	    (data != NULL && (p->control = malloc(len ? len : 1)) == NULL)) {
		drop_pending(p);
		goto oom;
	}
	if (data != NULL) {
		memcpy(p->control, data, len);
		p->control_len = len;
	}
	in->count++;
	return;
oom:
	/* a position not moved is read again; a report not applied is
	 * repeated by its writer */
	sl_stage_log(s, SL_LOG_WARN, "out of memory keeping what partition %d "
		     "reported", (int)partition);
}

void sl_engine_partition_end(sl_stage *s, const char *topic, int32_t partition,
			     int64_t offset)
{
	push(s, topic, partition, offset, 0, NULL, 0);
}

void sl_engine_partition_finished(sl_stage *s, const char *topic,
				  int32_t partition, int64_t offset)
{
	push(s, topic, partition, offset, 1, NULL, 0);
}

void sl_engine_control_received(sl_stage *s, const sl_origin *origin,
				const void *data, size_t len)
{
	push(s, origin->topic, origin->partition, origin->offset + 1, 0,
	     data != NULL ? data : "", len);
}

/* The stages on event time that @p s feeds learn that an input is at
 * its end: what it delivered before has gone through the job. */
static void at_end(sl_engine *e, const sl_stage *s, const sl_pending *p,
		   int64_t now)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *t = &e->stages[i];

		if (t->wm != NULL && sl_stage_fed_by(t, s))
			sl_wm_at_end(t->wm, s->def->name, p->topic,
				     p->partition, p->next_offset,
				     p->finished, now);
	}
}

int sl_inputs_settle(sl_engine *e, sl_stage *s, int ok, sl_error *err)
{
	sl_inputs *in = e->inputs;
	int64_t now = in->count > 0 ? sl_now_wall_ms() : 0;
	size_t i;
	int rc = SL_OK;

	for (i = 0; i < in->count; i++) {
		sl_pending *p = &in->pending[i];

		if (ok && rc == SL_OK && p->source == s &&
		    p->rewinds == e->rewinds) {
			if (sl_commit_position(e, s, p->topic, p->partition,
					       p->next_offset) != 0)
				rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			else if (p->control != NULL)
				rc = sl_hop_received(e, s, p->topic, p->partition,
						     p->control, p->control_len, err);
			else
				at_end(e, s, p, now);
		}
		drop_pending(p);
	}
	in->count = 0;
	return rc;
}

void sl_inputs_forget(sl_engine *e, sl_stage *s, const char *topic,
		      int32_t partition)
{
	sl_inputs *in = e->inputs;
	size_t i, kept = 0;

	for (i = 0; i < in->count; i++) {
		sl_pending *p = &in->pending[i];

		if (p->source == s && p->partition == partition &&
		    (p->topic == NULL ? topic == NULL :
		     topic != NULL && strcmp(p->topic, topic) == 0))
			drop_pending(p);
		else
			in->pending[kept++] = *p;
	}
	in->count = kept;
}
