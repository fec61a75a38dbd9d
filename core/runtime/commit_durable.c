/*
 * commit_durable.c - see commit_durable.h.
 *
 * A cycle sent waits in a small ring with a copy of the positions of the
 * sources that can tell; each question asks them about the oldest first.
 * Durable positions of a later cycle cover an earlier one's (positions
 * only grow), so when the ring is full the newest entry is overwritten:
 * what it spoke for then waits for the later positions, never less.
 */
#include "config.h"

#include <stdlib.h>

#include "base/error.h"
#include "runtime/commit_durable.h"
#include "runtime/positions.h"

#define MAX_SENT 64

typedef struct sent_cycle {
	uint64_t number;
	sl_tracked **positions; /* per stage, as e->stages; NULL: not asked */
	size_t *counts;
	int whole;              /* every position copied */
} sent_cycle;

struct sl_durable_queue {
	sent_cycle ring[MAX_SENT];
	size_t head, count;
	uint64_t durable;
};

static int tells(const sl_stage *s)
{
	return s->kind == SL_KIND_SOURCE &&
	       SL_STRUCT_HAS(s->plugin->source, sl_source_class, committed);
}

static void clear_cycle(const sl_engine *e, sent_cycle *c)
{
	size_t i;

	for (i = 0; c->positions != NULL && i < e->stage_count; i++)
		sl_positions_clear(&c->positions[i], &c->counts[i]);
	free(c->positions);
	free(c->counts);
	c->positions = NULL;
	c->counts = NULL;
	c->whole = 0;
}

static int fill_cycle(const sl_engine *e, sent_cycle *slot, uint64_t number,
		      const sl_pending_cycle *c)
{
	size_t i;

	slot->number = number;
	slot->positions = calloc(e->stage_count, sizeof *slot->positions);
	slot->counts = calloc(e->stage_count, sizeof *slot->counts);
	if (slot->positions == NULL || slot->counts == NULL)
		return -1;
	for (i = 0; i < e->stage_count; i++) {
		const sl_stage *s = &e->stages[i];

		if (!tells(s))
			continue;
		if (sl_positions_copy(c ? c->positions[i] : s->positions,
				      c ? c->position_counts[i] : s->position_count,
				      &slot->positions[i]) != 0)
			return -1;
		slot->counts[i] = c ? c->position_counts[i] : s->position_count;
	}
	slot->whole = 1;
	return 0;
}

int sl_durable_sent(sl_durable_queue **q, const sl_engine *e, uint64_t number,
		    const sl_pending_cycle *c, sl_error *err)
{
	sent_cycle *slot;
	size_t i;

	for (i = 0; i < e->stage_count && !tells(&e->stages[i]); i++)
		;
	if (i == e->stage_count) {
		if (*q != NULL)
			(*q)->durable = number;
		else if ((*q = calloc(1, sizeof **q)) != NULL)
			(*q)->durable = number;
		return *q != NULL ? SL_OK :
		       sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	if (*q == NULL && (*q = calloc(1, sizeof **q)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if ((*q)->count == MAX_SENT) {
		slot = &(*q)->ring[((*q)->head + MAX_SENT - 1) % MAX_SENT];
		clear_cycle(e, slot);
	} else {
		slot = &(*q)->ring[((*q)->head + (*q)->count) % MAX_SENT];
		(*q)->count++;
	}
	/* a slot half filled is never durable; the job stops on the error */
	if (fill_cycle(e, slot, number, c) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	return SL_OK;
}

static int cycle_durable(const sl_engine *e, const sent_cycle *c)
{
	size_t i;

	if (!c->whole)
		return 0;
	for (i = 0; i < e->stage_count; i++) {
		const sl_stage *s = &e->stages[i];
		const sl_tracked *t = c->positions[i];
		sl_position pos[64], *p;
		size_t j, n = c->counts[i];
		int yes;

		if (!tells(s) || n == 0)
			continue;
		if (t == NULL)
			return 0;
		p = n > 64 ? malloc(n * sizeof *p) : pos;
		if (p == NULL)
			return 0;
		for (j = 0; j < n; j++) {
			p[j].topic = t[j].topic;
			p[j].partition = t[j].partition;
			p[j].next_offset = t[j].next_offset;
		}
		yes = s->plugin->source->committed(s->self, p, n);
		if (p != pos)
			free(p);
		if (!yes)
			return 0;
	}
	return 1;
}

uint64_t sl_durable_cycle(sl_durable_queue *q, const sl_engine *e)
{
	if (q == NULL)
		return 0;
	while (q->count > 0 && cycle_durable(e, &q->ring[q->head])) {
		q->durable = q->ring[q->head].number;
		clear_cycle(e, &q->ring[q->head]);
		q->head = (q->head + 1) % MAX_SENT;
		q->count--;
	}
	return q->durable;
}

void sl_durable_free(sl_durable_queue *q, const sl_engine *e)
{
	if (q == NULL)
		return;
	while (q->count > 0) {
		clear_cycle(e, &q->ring[q->head]);
		q->head = (q->head + 1) % MAX_SENT;
		q->count--;
	}
	free(q);
}
