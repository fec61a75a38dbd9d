/*
 * aggfn.c - count, sum, min, max and avg over a keyed accumulator.
 *
 * Accumulator layout (little-endian, so a changelog written on one
 * machine restores on another): n (int64: records for count, numeric
 * inputs otherwise, true conditions for count_if), v (int64 or the bits of a double), real (int64: 1
 * when v holds a double).
 */
#include <math.h>
#include <string.h>

#include "aggfn.h"

static const char *const names[] = { "count", "sum", "min", "max", "avg",
				      "count_if" };

typedef struct acc {
	int64_t n;
	int64_t i;
	double d;
	int real;
} acc;

/* On a little-endian host (all we build on), one load or store: the
 * byte loops were a tenth of what a hopping window costs, whose firings
 * merge every pane of every key. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static void put_le(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof v);
}

static uint64_t get_le(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}
#else
static void put_le(uint8_t *p, uint64_t v)
{
	int k;

	for (k = 0; k < 8; k++, v >>= 8)
		p[k] = (uint8_t)v;
}

static uint64_t get_le(const uint8_t *p)
{
	uint64_t v = 0;
	int k;

	for (k = 7; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}
#endif

static void load(const uint8_t *p, acc *a)
{
	uint64_t bits = get_le(p + 8);

	a->n = (int64_t)get_le(p);
	a->real = get_le(p + 16) != 0;
	a->i = (int64_t)bits;
	memcpy(&a->d, &bits, sizeof a->d);
}

static void store(uint8_t *p, const acc *a)
{
	uint64_t bits;

	if (a->real)
		memcpy(&bits, &a->d, sizeof bits);
	else
		bits = (uint64_t)a->i;
	put_le(p, (uint64_t)a->n);
	put_le(p + 8, bits);
	put_le(p + 16, (uint64_t)a->real);
}

int slop_agg_kind_of(const char *name, size_t len)
{
	size_t k;

	for (k = 0; k < sizeof names / sizeof names[0]; k++)
		if (strlen(names[k]) == len && memcmp(names[k], name, len) == 0)
			return (int)k;
	return -1;
}

const char *slop_agg_kind_name(int kind)
{
	return names[kind];
}

/* count_if: whether the condition holds for @p rec. */
static int condition_input(const slop_agg *agg, const sl_record *rec,
			   sl_arena *arena, slop_input *in, sl_error *why)
{
	sl_value v;
	sl_error cause;

	if (sl_expr_eval(agg->cond, rec, arena, &v, &cause) != SL_OK) {
		if (cause.kind == SL_ERR_RECORD)
			return sl_error_set(why, SL_ERR_RECORD, "count_if(%.*s): %s",
					    (int)agg->arg_len, agg->arg,
					    cause.message);
		*why = cause;
		return SL_ERR;
	}
	if (v.type == SL_TBOOL) {
		in->present = v.as.b;
		return SL_OK;
	}
	if (v.type == SL_TNULL)
		return SL_OK;
	return sl_error_set(why, SL_ERR_RECORD,
			    "count_if(%.*s): the condition is %s, not true or "
			    "false", (int)agg->arg_len, agg->arg,
			    sl_type_name(v.type));
}

int slop_agg_input(const slop_agg *agg, const sl_record *rec,
		   sl_arena *arena, slop_input *in, sl_error *why)
{
	const sl_value *v;

	in->present = 0;
	if (agg->kind == SLOP_COUNT)
		return SL_OK;
	if (agg->kind == SLOP_COUNT_IF)
		return condition_input(agg, rec, arena, in, why);
	v = slop_path_get(&agg->field, rec->value);
	if (v == NULL || v->type == SL_TNULL)
		return SL_OK;
	if (!sl_value_is_number(v))
		return sl_error_set(why, SL_ERR_RECORD,
				    "%s(%s): the field is %s, not a number",
				    agg->name, agg->field.text,
				    sl_type_name(v->type));
	if (v->type == SL_TDOUBLE && !isfinite(v->as.d))
		return sl_error_set(why, SL_ERR_RECORD,
				    "%s(%s): the field is not a finite number",
				    agg->name, agg->field.text);
	in->present = 1;
	in->num = *v;
	return SL_OK;
}

/* Make the accumulator a double (it was an integer). */
static void to_real(acc *a)
{
	if (!a->real) {
		a->d = (double)a->i;
		a->real = 1;
	}
}

static void fold_sum(acc *a, const sl_value *v)
{
	int64_t r;

	if (!a->real && v->type == SL_TINT &&
	    !__builtin_add_overflow(a->i, v->as.i, &r)) {
		a->i = r;
		return;
	}
	to_real(a);
	a->d += sl_value_as_double(v);
}

static void fold_extreme(acc *a, const sl_value *v, int want_min)
{
	int better;

	if (a->n == 0) {
		a->real = v->type == SL_TDOUBLE;
		a->i = v->type == SL_TINT ? v->as.i : 0;
		a->d = v->type == SL_TDOUBLE ? v->as.d : 0;
		return;
	}
	if (!a->real && v->type == SL_TINT) {
		better = want_min ? v->as.i < a->i : v->as.i > a->i;
		if (better)
			a->i = v->as.i;
		return;
	}
	/* mixed: the extreme is kept as a double from now on */
	to_real(a);
	better = want_min ? sl_value_as_double(v) < a->d
			  : sl_value_as_double(v) > a->d;
	if (better)
		a->d = sl_value_as_double(v);
}

void slop_agg_fold(const slop_agg *agg, uint8_t *p, const slop_input *in)
{
	acc a;

	load(p, &a);
	if (agg->kind == SLOP_COUNT) {
		a.n++;
	} else if (in->present) {
		switch (agg->kind) {
		case SLOP_SUM:
			fold_sum(&a, &in->num);
			break;
		case SLOP_AVG:
			to_real(&a);
			a.d += sl_value_as_double(&in->num);
			break;
		case SLOP_COUNT_IF:
			break;
		default:
			fold_extreme(&a, &in->num, agg->kind == SLOP_MIN);
			break;
		}
		a.n++;
	}
	store(p, &a);
}

void slop_agg_merge(const slop_agg *agg, uint8_t *into, const uint8_t *from)
{
	acc a, b;
	sl_value v;

	load(from, &b);
	if (b.n == 0)
		return;
	load(into, &a);
	v = b.real ? sl_value_double(b.d) : sl_value_int(b.i);
	switch (agg->kind) {
	case SLOP_COUNT:
	case SLOP_COUNT_IF:
		break;
	case SLOP_SUM:
		fold_sum(&a, &v);
		break;
	case SLOP_AVG:
		to_real(&a);
		a.d += sl_value_as_double(&v);
		break;
	default:
		fold_extreme(&a, &v, agg->kind == SLOP_MIN);
		break;
	}
	a.n += b.n;
	store(into, &a);
}

sl_value slop_agg_result(const slop_agg *agg, const uint8_t *p)
{
	acc a;

	load(p, &a);
	switch (agg->kind) {
	case SLOP_COUNT:
	case SLOP_COUNT_IF:
		return sl_value_int(a.n);
	case SLOP_SUM:
		return a.real ? sl_value_double(a.d) : sl_value_int(a.i);
	case SLOP_AVG:
		if (a.n == 0)
			return sl_value_null();
		return sl_value_double((a.real ? a.d : (double)a.i) / (double)a.n);
	default:
		if (a.n == 0)
			return sl_value_null();
		return a.real ? sl_value_double(a.d) : sl_value_int(a.i);
	}
}
