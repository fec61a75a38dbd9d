/*
 * aggregate.c - a running aggregate per key: every input record updates
 * its key's accumulators (one per function of the list, agglist.h) in
 * the keyed state store and is replaced by the key's current results,
 * {"key": "42", "count": 5, "sum_amount": 120}, keyed by the group key.
 *
 * The accumulators, one value per key, are updated in place in the store (one hash lookup, no
 * allocation); the output lives in the batch arena.
 */
#include <stdlib.h>

#include <sluice/plugin.h>

#include "../lib/agglist.h"
#include "../lib/groupkey.h"

typedef struct aggregate {
	sl_stage *stage;
	sl_state *state;
	slop_aggs agg;
} aggregate;

static void aggregate_close(void *self)
{
	aggregate *a = self;

	if (a == NULL)
		return;
	slop_aggs_close(&a->agg);
	free(a);
}

static int aggregate_check(const sl_stage *stage, sl_error *err)
{
	slop_aggs agg;
	int rc = slop_aggs_open(&agg, stage, "function", 0, err);

	slop_aggs_close(&agg);
	return rc;
}

static int aggregate_open(sl_stage *stage, void **self, sl_error *err)
{
	aggregate *a = calloc(1, sizeof *a);

	if (a == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	a->stage = stage;
	if (slop_aggs_open(&a->agg, stage, "function", 0, err) != SL_OK ||
	    (a->state = sl_state_open(stage, NULL, err)) == NULL) {
		aggregate_close(a);
		return SL_ERR;
	}
	*self = a;
	return SL_OK;
}

static int aggregate_process(void *self, sl_batch *batch, sl_error *err)
{
	aggregate *a = self;
	uint32_t i, kept = 0;
	int rc = SL_OK;

	for (i = 0; i < batch->count; i++) {
		sl_record *r = &batch->records[i];
		const char *gk;
		size_t gklen;
		sl_error why;
		uint8_t *acc;
		sl_value *out, *key;
		int created;

		if (slop_aggs_input(&a->agg, r, batch->arena, &why) != SL_OK) {
			if (why.kind != SL_ERR_RECORD) {
				*err = why;
				rc = SL_ERR;
				break;
			}
			rc = sl_record_error(a->stage, r, err, "%s", why.message);
			if (rc == SL_ERR)
				break;
			rc = SL_OK;
			continue;
		}
		if (slop_group_key(r->key, batch->arena, &gk, &gklen) != 0) {
			rc = sl_record_error(a->stage, r, err,
					     "the key cannot be written as text");
			if (rc == SL_ERR)
				break;
			rc = SL_OK;
			continue;
		}
		out = sl_arena_alloc(batch->arena, sizeof *out);
		acc = sl_state_slot(a->state, gk, gklen,
				    slop_aggs_value_size(&a->agg), &created);
		if (out == NULL || acc == NULL) {
			rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			break;
		}
		if (slop_aggs_claim(&a->agg, acc, created, &why) != SL_OK) {
			rc = sl_error_set(err, SL_ERR_RUNTIME, "key '%.*s': %s",
					  (int)gklen, gk, why.message);
			break;
		}
		slop_aggs_fold(&a->agg, acc);
		/* the group key text already lives as long as the batch */
		if (slop_aggs_output(&a->agg, acc, gk, gklen, 0, NULL, batch->arena,
				    out, &key) != 0) {
			rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			break;
		}
		sl_record_set_value(r, out);
		sl_record_set_key(r, key);
		if (kept != i)
			batch->records[kept] = *r;
		kept++;
	}
	batch->count = kept;
	return rc;
}

/* Designated: the class grows at the end. */
static const sl_operator_class aggregate_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = aggregate_open,
	.process = aggregate_process,
	.close = aggregate_close,
	.check = aggregate_check,
};

SL_PLUGIN("aggregate", .op = &aggregate_op)
