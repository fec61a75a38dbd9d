/*
 * agglist.h - the `function` option of `aggregate` and `window`: one or
 * several aggregate functions (aggfn.h), comma-separated, each with an
 * optional alias:
 *
 *     function = count, sum(amount), count_if(event_type == "click") as clicks
 *
 * Output fields: the alias when given; else, for a single function, its
 * name ("count", "sum": what a one-function job always wrote); else the
 * name and its field, "sum_amount", "max_a_b" (characters other than
 * letters, digits and _ become _), and count_if_N for the Nth count_if.
 * Two results of one name are refused.
 *
 * The accumulators of one group are one value of the keyed state
 * (agglist_state.c):
 *
 *     [accumulator 1] [extra] [fingerprint, 4] [2] [accumulator 2] ...
 *
 * each accumulator SLOP_ACC_SIZE bytes; extra is the caller's (window:
 * the order of the key's first record); the fingerprint hashes the
 * function list without aliases; 2 is the encoding's version.  The
 * earlier encoding was the first accumulator and the extra alone: read
 * as such by a one-function list, and rewritten in place by
 * sl_state_slot(), which zero-extends it, so that a version byte of 0
 * tells it.  The trailer lies at the same place for every list, so a
 * value written for another list, however long, shows its own trailer
 * there and is refused; a value is updated with one lookup.
 */
#ifndef SLOP_AGGLIST_H
#define SLOP_AGGLIST_H

#include "aggfn.h"

/* The encoding's version: the value's last byte. */
#define SLOP_STATE_VERSION 2
/* Bytes after the accumulators and the extra: fingerprint, version. */
#define SLOP_TRAILER 5

typedef struct slop_aggs {
	slop_agg *fn;
	size_t count;
	slop_input *in;          /* one record's inputs, one per function */
	uint32_t fingerprint;
	size_t extra;            /* the caller's bytes in a value */
} slop_aggs;

/*
 * Parse option @p key of @p stage, for values that hold @p extra bytes
 * of the caller's.  SL_OK, or SL_ERR with @p err a job-file error naming
 * the option (FILE:LINE).
 */
int slop_aggs_open(slop_aggs *aggs, const sl_stage *stage, const char *key,
		   size_t extra, sl_error *err);
void slop_aggs_close(slop_aggs *aggs);

/*
 * Read every function's input of @p rec into aggs->in, before any state
 * is touched.  SL_OK, or SL_ERR with @p why as slop_agg_input().
 */
int slop_aggs_input(slop_aggs *aggs, const sl_record *rec, sl_arena *arena,
		    sl_error *why);

/* Fold aggs->in into the accumulators at @p value. */
void slop_aggs_fold(const slop_aggs *aggs, uint8_t *value);

/* Merge every accumulator of the value @p from into those of @p into
 * (slop_agg_merge); the extra and the trailer are left as they are. */
void slop_aggs_merge(const slop_aggs *aggs, uint8_t *into,
		     const uint8_t *from);

/* Bytes of a group's value. */
size_t slop_aggs_value_size(const slop_aggs *aggs);

/* Where the caller's extra bytes lie in a value. */
#define SLOP_EXTRA_AT SLOP_ACC_SIZE

/*
 * Claim @p value, a group's slot of slop_aggs_value_size() bytes that
 * sl_state_slot() returned (@p created: new, all zeros): a new value gets
 * its trailer, one of the earlier encoding is upgraded.  SL_OK, or
 * SL_ERR with @p why (SL_ERR_RUNTIME) when it was written for another
 * function list (the job must stop: the slot has been resized).
 */
int slop_aggs_claim(const slop_aggs *aggs, uint8_t *value, int created,
		    sl_error *why);

/*
 * Whether @p vlen bytes at @p value, read from the store as they are,
 * hold this list's accumulators (in the encoding of either version).
 * SL_OK, or SL_ERR with @p why (SL_ERR_RUNTIME).
 */
int slop_aggs_readable(const slop_aggs *aggs, const uint8_t *value,
		       size_t vlen, sl_error *why);

/*
 * The output object {"key": KEY, ["window_start": S, "window_end": E,]
 * FIELD: RESULT, ...} in @p arena, KEY being @p klen bytes at @p key
 * (copied into the arena when @p copy_key) and the window given when
 * @p window is not NULL ({start, end}).  Also sets *@p key_value to KEY
 * as a string, for the record's key.  0, or -1 when out of memory.
 */
int slop_aggs_output(const slop_aggs *aggs, const uint8_t *value,
		     const char *key, size_t klen, int copy_key,
		     const int64_t *window, sl_arena *arena, sl_value *out,
		     sl_value **key_value);

#endif
