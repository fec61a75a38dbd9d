/*
 * aggfn.h - the aggregate functions of `aggregate` and `window`:
 * count | sum(f) | min(f) | max(f) | avg(f) | count_if(condition), one
 * or several (agglist.h).
 *
 * One accumulator per group lives in the keyed state store as
 * SLOP_ACC_SIZE bytes, updated in place.  Reading the input is separate
 * from folding it in, so a record with a bad field is refused before any
 * state is touched.  Nulls and missing fields are skipped (as in SQL);
 * count counts records.  sum stays an integer until a double or an
 * overflow makes it a double; min and max keep the input's type; avg is
 * a double.  With no numeric input, sum is 0 and min, max and avg null.
 * count_if counts the records whose condition is true (false and null
 * are not counted).
 */
#ifndef SLOP_AGGFN_H
#define SLOP_AGGFN_H

#include <sluice/plugin.h>

#include "fieldpath.h"

enum slop_agg_kind {
	SLOP_COUNT = 0, SLOP_SUM, SLOP_MIN, SLOP_MAX, SLOP_AVG, SLOP_COUNT_IF
};

typedef struct slop_agg {
	int kind;          /* enum slop_agg_kind */
	const char *name;  /* "count", "sum", ...: the function */
	char *out;         /* the output field: an alias or made from name */
	slop_path field;   /* sum, min, max, avg */
	sl_expr *cond;     /* count_if */
	const char *arg;   /* the text between the parentheses, for errors */
	size_t arg_len;
} slop_agg;

/* Bytes of an accumulator in the state store. */
#define SLOP_ACC_SIZE 24

/* One record's input: absent (null or missing) or a number. */
typedef struct slop_input {
	int present;
	sl_value num;
} slop_input;

/* The index of function @p name ("count", "count_if", ...) in enum
 * slop_agg_kind, or -1. */
int slop_agg_kind_of(const char *name, size_t len);
const char *slop_agg_kind_name(int kind);

/*
 * Read the input of @p rec (a condition's result may live in @p arena).
 * SL_OK, or SL_ERR with @p why: kind SL_ERR_RECORD when the field is
 * neither a number nor null or the condition neither true, false nor
 * null; SL_ERR_RUNTIME when memory is exhausted.
 */
int slop_agg_input(const slop_agg *agg, const sl_record *rec,
		   sl_arena *arena, slop_input *in, sl_error *why);

/* Fold @p in into the accumulator @p acc (zeroed for a new group). */
void slop_agg_fold(const slop_agg *agg, uint8_t *acc, const slop_input *in);

/* Merge the accumulator @p from into @p into, as if @p into had folded
 * @p from's inputs too (a window made of several panes, window.c). */
void slop_agg_merge(const slop_agg *agg, uint8_t *into, const uint8_t *from);

/* The function's result for @p acc. */
sl_value slop_agg_result(const slop_agg *agg, const uint8_t *acc);

#endif
