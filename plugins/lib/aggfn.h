/*
 * aggfn.h - the aggregate functions of `aggregate` and `window`:
 * count | sum(f) | min(f) | max(f) | avg(f).
 *
 * One accumulator per group lives in the keyed state store as
 * SLOP_ACC_SIZE bytes, updated in place.  Reading the input is separate
 * from folding it in, so a record with a bad field is refused before any
 * state is touched.  Nulls and missing fields are skipped (as in SQL);
 * count counts records.  sum stays an integer until a double or an
 * overflow makes it a double; min and max keep the input's type; avg is
 * a double.  With no numeric input, sum is 0 and min, max and avg null.
 */
#ifndef SLOP_AGGFN_H
#define SLOP_AGGFN_H

#include <sluice/plugin.h>

#include "fieldpath.h"

enum slop_agg_kind { SLOP_COUNT = 0, SLOP_SUM, SLOP_MIN, SLOP_MAX, SLOP_AVG };

typedef struct slop_agg {
	int kind;          /* enum slop_agg_kind */
	const char *name;  /* "count", "sum", ...: the output field */
	slop_path field;   /* not for count */
} slop_agg;

/* Bytes of an accumulator in the state store. */
#define SLOP_ACC_SIZE 24

/* One record's input: absent (null or missing) or a number. */
typedef struct slop_input {
	int present;
	sl_value num;
} slop_input;

/*
 * Parse option @p key of @p stage ("count", "sum(amount)", "avg(a.b)").
 * SL_OK, or SL_ERR with @p err a job-file error naming the option.
 */
int slop_agg_open(slop_agg *agg, const sl_stage *stage, const char *key,
		  sl_error *err);
void slop_agg_close(slop_agg *agg);

/*
 * Read the input of @p rec.  SL_OK, or SL_ERR with @p why (kind
 * SL_ERR_RECORD) when the field is neither a number nor null.
 */
int slop_agg_input(const slop_agg *agg, const sl_record *rec,
		   slop_input *in, sl_error *why);

/* Fold @p in into the accumulator @p acc (zeroed for a new group). */
void slop_agg_fold(const slop_agg *agg, uint8_t *acc, const slop_input *in);

/* The function's result for @p acc. */
sl_value slop_agg_result(const slop_agg *agg, const uint8_t *acc);

/*
 * The output object {"key": KEY, ["window_start": S, "window_end": E,]
 * NAME: RESULT} in @p arena, KEY being @p klen bytes at @p key (copied
 * into the arena when @p copy_key) and the window given when @p window is
 * not NULL ({start, end}).  Also sets *@p key_value to KEY as a string,
 * for the record's key.  0, or -1 when out of memory.
 */
int slop_agg_output(const slop_agg *agg, const uint8_t *acc, const char *key,
		    size_t klen, int copy_key, const int64_t *window,
		    sl_arena *arena, sl_value *out, sl_value **key_value);

#endif
