/*
 * commit_pending.c - see commit_pending.h.
 */
#include "config.h"

#include <stdlib.h>

#include "base/error.h"
#include "runtime/commit_pending.h"
#include "runtime/positions.h"

/* Cycles waiting at most; past that the commit flushes, which bounds
 * what a crash repeats to this many commit intervals. */
#define MAX_PENDING 32

struct sl_commit_queue {
	sl_pending_cycle *ring[MAX_PENDING];
	size_t head, count;
};

#define STORE_MARKS(s) \
	(SL_STRUCT_HAS((s)->plugin->store, sl_store_class, mark) && \
	 SL_STRUCT_HAS((s)->plugin->store, sl_store_class, durable))

int sl_pending_possible(const sl_engine *e)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		const sl_stage *s = &e->stages[i];

		if ((s->kind == SL_KIND_SINK && !SL_SINK_MARKS(s)) ||
		    (s->kind == SL_KIND_STORE && s->opened && !STORE_MARKS(s)))
			return 0;
	}
	return 1;
}

void sl_pending_cycle_free(const sl_engine *e, sl_pending_cycle *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; c->positions != NULL && i < e->stage_count; i++)
		sl_positions_clear(&c->positions[i], &c->position_counts[i]);
	free(c->marks);
	free(c->written);
	free(c->positions);
	free(c->position_counts);
	free(c);
}

uint64_t sl_pending_records_read(const sl_engine *e)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < e->stage_count; i++)
		if (e->stages[i].kind == SL_KIND_SOURCE)
			n += e->stages[i].records_out;
	return n;
}

sl_pending_cycle *sl_pending_snapshot(sl_engine *e, int marks)
{
	sl_pending_cycle *c = calloc(1, sizeof *c);
	size_t i, n = e->stage_count;

	if (c == NULL)
		return NULL;
	c->marks = calloc(n, sizeof *c->marks);
	c->written = calloc(n, sizeof *c->written);
	c->positions = calloc(n, sizeof *c->positions);
	c->position_counts = calloc(n, sizeof *c->position_counts);
	if (c->marks == NULL || c->written == NULL || c->positions == NULL ||
	    c->position_counts == NULL) {
		sl_pending_cycle_free(e, c);
		return NULL;
	}
	c->read = sl_pending_records_read(e);
	for (i = 0; i < n; i++) {
		sl_stage *s = &e->stages[i];

		if (s->kind == SL_KIND_SINK) {
			if (marks)
				c->marks[i] = s->plugin->sink->mark(s->self);
			c->written[i] = s->records_written;
		} else if (s->kind == SL_KIND_STORE && s->opened && marks) {
			c->marks[i] = s->plugin->store->mark(s->self);
		} else if (s->kind == SL_KIND_SOURCE) {
			if (sl_positions_copy(s->positions, s->position_count,
					      &c->positions[i]) != 0) {
				sl_pending_cycle_free(e, c);
				return NULL;
			}
			c->position_counts[i] = s->position_count;
		}
	}
	return c;
}

int sl_pending_full(const sl_commit_queue *q)
{
	return q != NULL && q->count == MAX_PENDING;
}

int sl_pending_add(sl_commit_queue **q, sl_engine *e, uint64_t number,
		   sl_error *err)
{
	sl_pending_cycle *c;

	if (*q == NULL && (*q = calloc(1, sizeof **q)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if ((*q)->count == MAX_PENDING)
		return sl_error_set(err, SL_ERR_RUNTIME, "%d commit cycles wait "
				    "for their writes", MAX_PENDING);
	if ((c = sl_pending_snapshot(e, 1)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	c->number = number;
	(*q)->ring[((*q)->head + (*q)->count++) % MAX_PENDING] = c;
	return SL_OK;
}

/* 1 when every mark of @p c is durable, 0 not yet, SL_ERR. */
static int durable(sl_engine *e, const sl_pending_cycle *c, sl_error *err)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];
		int rc;

		if (s->kind == SL_KIND_SINK)
			rc = s->plugin->sink->durable(s->self, c->marks[i], err);
		else if (s->kind == SL_KIND_STORE && s->opened)
			rc = s->plugin->store->durable(s->self, c->marks[i], err);
		else
			continue;
		if (rc == SL_ERR) {
			sl_error_prefix(err, "stage '%s': ", s->def->name);
			return SL_ERR;
		}
		if (rc == 0)
			return 0;
	}
	return 1;
}

int sl_pending_take(sl_commit_queue *q, sl_engine *e, sl_pending_cycle **out,
		    sl_error *err)
{
	size_t k;

	*out = NULL;
	if (q == NULL || q->count == 0)
		return SL_OK;
	/* marks only grow: the newest durable cycle covers the older ones */
	for (k = q->count; k > 0; k--) {
		sl_pending_cycle *c = q->ring[(q->head + k - 1) % MAX_PENDING];
		int rc = durable(e, c, err);

		if (rc == SL_ERR)
			return SL_ERR;
		if (rc == 0)
			continue;
		*out = c;
		for (;;) {
			sl_pending_cycle *older = q->ring[q->head];

			q->head = (q->head + 1) % MAX_PENDING;
			q->count--;
			if (older == c)
				break;
			sl_pending_cycle_free(e, older);
		}
		return SL_OK;
	}
	return SL_OK;
}

void sl_pending_forget(sl_commit_queue *q, size_t stage, const char *topic,
		       int32_t partition)
{
	size_t k;

	for (k = 0; q != NULL && k < q->count; k++) {
		sl_pending_cycle *c = q->ring[(q->head + k) % MAX_PENDING];

		sl_positions_forget(c->positions[stage], &c->position_counts[stage],
				    topic, partition);
	}
}

void sl_pending_clear(sl_commit_queue *q, const sl_engine *e)
{
	while (q != NULL && q->count > 0) {
		sl_pending_cycle_free(e, q->ring[q->head]);
		q->head = (q->head + 1) % MAX_PENDING;
		q->count--;
	}
}

void sl_pending_free(sl_commit_queue *q, const sl_engine *e)
{
	sl_pending_clear(q, e);
	free(q);
}
