/*
 * aggfn.c - count, sum, min, max and avg over a keyed accumulator.
 *
 * Accumulator layout (little-endian, so a changelog written on one
 * machine restores on another): n (int64: records for count, numeric
 * inputs otherwise), v (int64 or the bits of a double), real (int64: 1
 * when v holds a double).
 */
#include <math.h>
#include <string.h>

#include "aggfn.h"

static const char *const names[] = { "count", "sum", "min", "max", "avg" };

typedef struct acc {
	int64_t n;
	int64_t i;
	double d;
	int real;
} acc;

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

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

int slop_agg_open(slop_agg *agg, const sl_stage *stage, const char *key,
		  sl_error *err)
{
	const char *text = sl_option(stage, key), *open, *close, *why = NULL;
	size_t len, k;
	int rc;

	memset(agg, 0, sizeof *agg);
	if (text == NULL)
		return sl_config_error(stage, key, err,
				       "required: count, sum(field), min(field), "
				       "max(field) or avg(field)");
	while (is_space(*text))
		text++;
	len = strlen(text);
	while (len > 0 && is_space(text[len - 1]))
		len--;
	open = memchr(text, '(', len);
	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t n = strlen(names[k]);
		size_t head = open != NULL ? (size_t)(open - text) : len;

		while (head > 0 && is_space(text[head - 1]))
			head--;
		if (head == n && strncmp(text, names[k], n) == 0)
			break;
	}
	if (k == sizeof names / sizeof names[0])
		return sl_config_error(stage, key, err,
				       "unknown function '%.*s' (count, sum(field), "
				       "min(field), max(field), avg(field))",
				       (int)len, text);
	agg->kind = (int)k;
	agg->name = names[k];
	if (k == SLOP_COUNT) {
		if (open != NULL)
			return sl_config_error(stage, key, err,
					       "count takes no field: write `count`");
		return SL_OK;
	}
	close = text + len - 1;
	if (open == NULL || *close != ')')
		return sl_config_error(stage, key, err,
				       "%s needs a field: write `%s(field)`",
				       names[k], names[k]);
	for (open++; open < close && is_space(*open); open++)
		;
	while (close > open && is_space(close[-1]))
		close--;
	rc = slop_path_parse(&agg->field, open, (size_t)(close - open), &why);
	if (rc == -2)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (rc != 0)
		return sl_config_error(stage, key, err, "%s(): %s", names[k], why);
	return SL_OK;
}

void slop_agg_close(slop_agg *agg)
{
	slop_path_free(&agg->field);
}

int slop_agg_input(const slop_agg *agg, const sl_record *rec,
		   slop_input *in, sl_error *why)
{
	const sl_value *v;

	in->present = 0;
	if (agg->kind == SLOP_COUNT)
		return SL_OK;
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
		default:
			fold_extreme(&a, &in->num, agg->kind == SLOP_MIN);
			break;
		}
		a.n++;
	}
	store(p, &a);
}

sl_value slop_agg_result(const slop_agg *agg, const uint8_t *p)
{
	acc a;

	load(p, &a);
	switch (agg->kind) {
	case SLOP_COUNT:
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

static void set_member(sl_member *m, const char *name, sl_value v)
{
	m->key = name;
	m->key_len = (uint32_t)strlen(name);
	m->value = v;
}

int slop_agg_output(const slop_agg *agg, const uint8_t *acc_bytes,
		    const char *key, size_t klen, int copy_key,
		    const int64_t *window, sl_arena *arena, sl_value *out,
		    sl_value **key_value)
{
	uint32_t n = window != NULL ? 4 : 2, k = 0;
	sl_member *m = sl_arena_alloc(arena, n * sizeof *m);
	sl_value *kv = sl_arena_alloc(arena, sizeof *kv);

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
	set_member(&m[k++], agg->name, slop_agg_result(agg, acc_bytes));
	*out = sl_value_null();
	out->type = SL_TOBJECT;
	out->len = n;
	out->as.members = m;
	*key_value = kv;
	return 0;
}
