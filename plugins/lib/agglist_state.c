/*
 * agglist_state.c - a function list's accumulators as one value of the
 * keyed state (agglist.h tells the encoding), folded and written out.
 */
#include <string.h>

#include "agglist.h"

int slop_aggs_input(slop_aggs *aggs, const sl_record *rec, sl_arena *arena,
		    sl_error *why)
{
	size_t i;

	for (i = 0; i < aggs->count; i++)
		if (slop_agg_input(&aggs->fn[i], rec, arena, &aggs->in[i],
				   why) != SL_OK)
			return SL_ERR;
	return SL_OK;
}

/* Where accumulator @p i lies: the first at 0, the others after the
 * extra and the trailer (agglist.h). */
static size_t acc_at(const slop_aggs *aggs, size_t i)
{
	return i == 0 ? 0 : aggs->extra + SLOP_TRAILER + i * SLOP_ACC_SIZE;
}

void slop_aggs_fold(const slop_aggs *aggs, uint8_t *value)
{
	size_t i;

	for (i = 0; i < aggs->count; i++)
		slop_agg_fold(&aggs->fn[i], value + acc_at(aggs, i),
			      &aggs->in[i]);
}

void slop_aggs_merge(const slop_aggs *aggs, uint8_t *into,
		     const uint8_t *from)
{
	size_t i;

	for (i = 0; i < aggs->count; i++)
		slop_agg_merge(&aggs->fn[i], into + acc_at(aggs, i),
			       from + acc_at(aggs, i));
}

size_t slop_aggs_value_size(const slop_aggs *aggs)
{
	return aggs->count * SLOP_ACC_SIZE + aggs->extra + SLOP_TRAILER;
}

static void put_trailer(uint8_t *p, uint32_t fingerprint)
{
	p[0] = (uint8_t)(fingerprint >> 24);
	p[1] = (uint8_t)(fingerprint >> 16);
	p[2] = (uint8_t)(fingerprint >> 8);
	p[3] = (uint8_t)fingerprint;
	p[4] = SLOP_STATE_VERSION;
}

static uint32_t get_fingerprint(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int other_list(const slop_aggs *aggs, sl_error *why)
{
	return sl_error_set(why, SL_ERR_RUNTIME,
			    "the stored state was written for another `function` "
			    "list than this job's (%zu function%s): go back to "
			    "that list, or start this job with empty state (a "
			    "new job name, or its changelog topics or state "
			    "table emptied)",
			    aggs->count, aggs->count == 1 ? "" : "s");
}

int slop_aggs_claim(const slop_aggs *aggs, uint8_t *value, int created,
		    sl_error *why)
{
	uint8_t *t = value + SLOP_ACC_SIZE + aggs->extra;

	if (created) {
		put_trailer(t, aggs->fingerprint);
		return SL_OK;
	}
	if (t[4] == SLOP_STATE_VERSION && get_fingerprint(t) == aggs->fingerprint)
		return SL_OK;
	/* Every value of this encoding has its version where the trailer
	 * lies, whatever its list's length, so a zero there is the earlier
	 * encoding, one accumulator and the extra, which the slot
	 * zero-extended: a one-function list's. */
	if (t[4] == 0 && aggs->count == 1) {
		put_trailer(t, aggs->fingerprint);
		return SL_OK;
	}
	return other_list(aggs, why);
}

int slop_aggs_readable(const slop_aggs *aggs, const uint8_t *value,
		       size_t vlen, sl_error *why)
{
	const uint8_t *t = value + SLOP_ACC_SIZE + aggs->extra;

	if (vlen == slop_aggs_value_size(aggs) &&
	    t[4] == SLOP_STATE_VERSION && get_fingerprint(t) == aggs->fingerprint)
		return SL_OK;
	/* the earlier encoding: with the extra, or from before it */
	if (aggs->count == 1 &&
	    (vlen == SLOP_ACC_SIZE + aggs->extra || vlen == SLOP_ACC_SIZE))
		return SL_OK;
	return other_list(aggs, why);
}

static void set_member(sl_member *m, const char *name, sl_value v)
{
	m->key = name;
	m->key_len = (uint32_t)strlen(name);
	m->value = v;
}

int slop_aggs_output(const slop_aggs *aggs, const uint8_t *value,
		     const char *key, size_t klen, int copy_key,
		     const int64_t *window, sl_arena *arena, sl_value *out,
		     sl_value **key_value)
{
	uint32_t n = (uint32_t)aggs->count + (window != NULL ? 3 : 1), k = 0;
	sl_member *m = sl_arena_alloc(arena, n * sizeof *m);
	sl_value *kv = sl_arena_alloc(arena, sizeof *kv);
	size_t i;

	if (m == NULL || kv == NULL)
		return -1;
	if (copy_key && (key = sl_arena_strndup(arena, key, klen)) == NULL)
		return -1;
	*kv = sl_value_string(key, klen);
	set_member(&m[k++], "key", *kv);
	if (window != NULL) {
		set_member(&m[k++], "window_start", sl_value_int(window[0]));
		set_member(&m[k++], "window_end", sl_value_int(window[1]));
	}
	for (i = 0; i < aggs->count; i++)
		set_member(&m[k++], aggs->fn[i].out,
			   slop_agg_result(&aggs->fn[i],
					   value + acc_at(aggs, i)));
	*out = sl_value_null();
	out->type = SL_TOBJECT;
	out->len = n;
	out->as.members = m;
	*key_value = kv;
	return 0;
}
