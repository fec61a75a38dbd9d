/*
 * expr_eval.c - evaluate a compiled expression against a record.
 *
 * Intermediate values live on the C stack (sl_value is 16 bytes) and
 * point into the record or the expression; only results that need new
 * bytes (string concatenation, lower(), string()) take them from the
 * batch arena.  Null propagates through arithmetic, ordering and
 * functions; `and`, `or` and `not` use three-valued logic, as in SQL, so
 * a filter on a missing field drops the record instead of failing.  `==`
 * and `!=` are plain equality (null == null is true) so `x == null` tests
 * for a missing field.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "expr/expr_internal.h"

typedef struct ctx {
	const sl_expr *x;
	const sl_record *rec;
	sl_arena *arena;
	sl_error *why;
} ctx;

static int type_error(const ctx *c, int column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int type_error(const ctx *c, int column, const char *fmt, ...)
{
	va_list ap;
	int n;

	c->why->kind = SL_ERR_RECORD;
	n = snprintf(c->why->message, sizeof c->why->message, "column %d: ",
		     column);
	va_start(ap, fmt);
	vsnprintf(c->why->message + n, sizeof c->why->message - (size_t)n, fmt, ap);
	va_end(ap);
	return SL_ERR;
}

static int out_of_memory(const ctx *c)
{
	c->why->kind = SL_ERR_RUNTIME;
	snprintf(c->why->message, sizeof c->why->message,
		 "out of memory evaluating an expression");
	return SL_ERR;
}

static int value_equal(const sl_value *a, const sl_value *b);

static int member_in(const sl_member *m, const sl_value *obj)
{
	const sl_value *v = sl_value_member_n(obj, m->key, m->key_len);
	return v != NULL && value_equal(&m->value, v);
}

/* Numbers compare by value (1 == 1.0); objects ignore member order. */
static int value_equal(const sl_value *a, const sl_value *b)
{
	uint32_t i;

	if (sl_value_is_number(a) && sl_value_is_number(b)) {
		if (a->type == SL_TINT && b->type == SL_TINT)
			return a->as.i == b->as.i;
		return sl_value_as_double(a) == sl_value_as_double(b);
	}
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case SL_TNULL:
		return 1;
	case SL_TBOOL:
		return a->as.b == b->as.b;
	case SL_TSTRING:
	case SL_TBYTES:
		return a->len == b->len &&
		       (a->len == 0 || memcmp(a->as.s, b->as.s, a->len) == 0);
	case SL_TARRAY:
		if (a->len != b->len)
			return 0;
		for (i = 0; i < a->len; i++)
			if (!value_equal(&a->as.items[i], &b->as.items[i]))
				return 0;
		return 1;
	case SL_TOBJECT:
		if (a->len != b->len)
			return 0;
		for (i = 0; i < a->len; i++)
			if (!member_in(&a->as.members[i], b))
				return 0;
		return 1;
	default:
		return 0;
	}
}

static int eval_path(const ctx *c, const sl_xnode *n, sl_value *out)
{
	const sl_value *v = n->root == XROOT_KEY ? c->rec->key : c->rec->value;
	uint32_t i;

	for (i = 0; v != NULL && i < n->count; i++) {
		const sl_xseg *s = &c->x->segs[n->first + i];
		v = sl_value_member_n(v, s->name, s->len);
	}
	*out = v != NULL ? *v : sl_value_null();
	return SL_OK;
}

/* The header @p name of the record: the last of that name, or NULL. */
static const sl_header *find_header(const sl_record *rec, const sl_xseg *name)
{
	uint32_t i = rec->header_count;

	while (i-- > 0) {
		const sl_header *h = &rec->headers[i];
		if (h->name != NULL && strlen(h->name) == name->len &&
		    memcmp(h->name, name->name, name->len) == 0)
			return h;
	}
	return NULL;
}

/*
 * timestamp, topic, partition, offset, headers["name"]: null when the
 * record has none (sl_record: timestamp -1, partition -1, topic NULL).
 * A file source's origin has no partition, its path as the topic and
 * the line number as the offset.
 */
static int eval_meta(const ctx *c, const sl_xnode *n, sl_value *out)
{
	const sl_record *r = c->rec;
	const sl_header *h;

	*out = sl_value_null();
	switch (n->root) {
	case XMETA_TIMESTAMP:
		if (r->timestamp >= 0)
			*out = sl_value_int(r->timestamp);
		break;
	case XMETA_TOPIC:
		if (r->origin.topic != NULL)
			*out = sl_value_string(r->origin.topic,
					       strlen(r->origin.topic));
		break;
	case XMETA_PARTITION:
		if (r->origin.partition >= 0)
			*out = sl_value_int(r->origin.partition);
		break;
	case XMETA_OFFSET:
		/* an offset is in a topic: a generated record's sequence
		 * number (no topic) is not one */
		if (r->origin.topic != NULL && r->origin.offset >= 0)
			*out = sl_value_int(r->origin.offset);
		break;
	default:
		h = find_header(r, &c->x->segs[n->first]);
		if (h == NULL || h->value.data == NULL)
			break;
		/* text when it is UTF-8 (as strings must be), else bytes */
		if (sl_utf8_valid_prefix(h->value.data, h->value.len) ==
		    h->value.len)
			*out = sl_value_string((const char *)h->value.data,
					       h->value.len);
		else
			*out = sl_value_bytes(h->value.data, h->value.len);
		break;
	}
	return SL_OK;
}

/* A boolean operand of and/or/not: 1, 0, or -1 for null. */
static int truth(const ctx *c, const sl_xnode *n, const sl_value *v, int *out)
{
	if (v->type == SL_TBOOL) {
		*out = v->as.b;
		return SL_OK;
	}
	if (v->type == SL_TNULL) {
		*out = -1;
		return SL_OK;
	}
	return type_error(c, n->column, "'%s' needs true or false, got %s",
			  sl_xop_name(n->op), sl_type_name(v->type));
}

static void set_truth(sl_value *out, int t)
{
	*out = t < 0 ? sl_value_null() : sl_value_bool(t);
}

/* XOP_AND_TEST, XOP_OR_TEST: does the left side @p left decide? */
static int decided(const ctx *c, const sl_xnode *n, sl_value *left, int *yes)
{
	int a;

	if (truth(c, n, left, &a) != SL_OK)
		return SL_ERR;
	/* the right side is then not evaluated, so cannot fail */
	*yes = (n->op == XOP_AND_TEST && a == 0) || (n->op == XOP_OR_TEST && a == 1);
	if (*yes)
		*left = sl_value_bool(a);
	return SL_OK;
}

/* not, and, or: three-valued, @p b unused by not. */
static int eval_logic(const ctx *c, const sl_xnode *n, const sl_value *va,
		      const sl_value *vb, sl_value *out)
{
	int a, b;

	if (truth(c, n, va, &a) != SL_OK)
		return SL_ERR;
	if (n->op == XOP_NOT) {
		set_truth(out, a < 0 ? -1 : !a);
		return SL_OK;
	}
	if (truth(c, n, vb, &b) != SL_OK)
		return SL_ERR;
	if (n->op == XOP_AND)
		set_truth(out, b == 0 ? 0 : (a < 0 || b < 0) ? -1 : 1);
	else
		set_truth(out, b == 1 ? 1 : (a < 0 || b < 0) ? -1 : 0);
	return SL_OK;
}

static int compare_strings(const sl_value *a, const sl_value *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = n ? memcmp(a->as.s, b->as.s, n) : 0;

	if (r != 0)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int compare_numbers(const sl_value *a, const sl_value *b)
{
	double x, y;

	if (a->type == SL_TINT && b->type == SL_TINT)
		return a->as.i < b->as.i ? -1 : a->as.i > b->as.i;
	x = sl_value_as_double(a);
	y = sl_value_as_double(b);
	return x < y ? -1 : x > y;
}

static int eval_compare(const ctx *c, const sl_xnode *n, sl_value a,
			sl_value b, sl_value *out)
{
	int r;

	if (n->op == XOP_EQ || n->op == XOP_NE) {
		r = value_equal(&a, &b);
		*out = sl_value_bool(n->op == XOP_EQ ? r : !r);
		return SL_OK;
	}
	if (a.type == SL_TNULL || b.type == SL_TNULL) {
		*out = sl_value_null();
		return SL_OK;
	}
	if (sl_value_is_number(&a) && sl_value_is_number(&b))
		r = compare_numbers(&a, &b);
	else if (a.type == SL_TSTRING && b.type == SL_TSTRING)
		r = compare_strings(&a, &b);
	else
		return type_error(c, n->column, "cannot compare %s with %s ('%s')",
				  sl_type_name(a.type), sl_type_name(b.type),
				  sl_xop_name(n->op));
	switch (n->op) {
	case XOP_LT: *out = sl_value_bool(r < 0); break;
	case XOP_LE: *out = sl_value_bool(r <= 0); break;
	case XOP_GT: *out = sl_value_bool(r > 0); break;
	default: *out = sl_value_bool(r >= 0); break;
	}
	return SL_OK;
}

/*
 * a + b.  In a chain s + t + u + ... each join's left side is the result
 * of the one before, the arena's last allocation (allocations are rounded
 * up to 8 bytes): it is extended in place, and when its chunk is full it
 * moves to twice the room, so a chain costs memory and time linear in its
 * result.  Copying at each join took 656 MB for a 64 KiB expression
 * joining 11-byte strings.
 */
static int concat(const ctx *c, const sl_xnode *n, const sl_value *a,
		  const sl_value *b, sl_value *out)
{
	size_t len = (size_t)a->len + b->len;
	sl_arena *arena = c->arena;
	uint8_t *a_end = (uint8_t *)a->as.s + a->len;
	int last = a->len > 0 && a_end <= arena->cur && arena->cur - a_end < 8;
	char *s;

	if (len > UINT32_MAX)
		return type_error(c, n->column, "string too long");
	if (last && (size_t)(arena->end - (uint8_t *)a->as.s) >= len) {
		if (b->len)
			memmove(a_end, b->as.s, b->len);
		arena->cur = (uint8_t *)a->as.s + ((len + 7u) & ~(size_t)7u);
		*out = sl_value_string(a->as.s, len);
		return SL_OK;
	}
	s = sl_arena_alloc(arena, last ? 2 * len : len ? len : 1);
	if (s == NULL)
		return out_of_memory(c);
	if (a->len)
		memcpy(s, a->as.s, a->len);
	if (b->len)
		memcpy(s + a->len, b->as.s, b->len);
	if (last) /* keep the second half free for the next join */
		arena->cur = (uint8_t *)s + ((len + 7u) & ~(size_t)7u);
	*out = sl_value_string(s, len);
	return SL_OK;
}

static int int_arith(const ctx *c, const sl_xnode *n, int64_t a, int64_t b,
		     sl_value *out)
{
	int64_t r;
	int overflow;

	switch (n->op) {
	case XOP_ADD: overflow = __builtin_add_overflow(a, b, &r); break;
	case XOP_SUB: overflow = __builtin_sub_overflow(a, b, &r); break;
	default: overflow = __builtin_mul_overflow(a, b, &r); break;
	}
	if (overflow)
		return type_error(c, n->column,
				  "integer overflow in '%s' (64-bit)",
				  sl_xop_name(n->op));
	*out = sl_value_int(r);
	return SL_OK;
}

static int eval_arith(const ctx *c, const sl_xnode *n, sl_value a, sl_value b,
		      sl_value *out)
{
	double x, y, r;

	if (a.type == SL_TNULL || b.type == SL_TNULL) {
		*out = sl_value_null();
		return SL_OK;
	}
	if (n->op == XOP_ADD && a.type == SL_TSTRING && b.type == SL_TSTRING)
		return concat(c, n, &a, &b, out);
	if (!sl_value_is_number(&a) || !sl_value_is_number(&b))
		return type_error(c, n->column, "cannot apply '%s' to %s and %s%s",
				  sl_xop_name(n->op), sl_type_name(a.type),
				  sl_type_name(b.type),
				  n->op == XOP_ADD && (a.type == SL_TSTRING ||
						       b.type == SL_TSTRING) ?
				  " (use string() to join text)" : "");
	if (n->op != XOP_DIV && a.type == SL_TINT && b.type == SL_TINT)
		return int_arith(c, n, a.as.i, b.as.i, out);
	x = sl_value_as_double(&a);
	y = sl_value_as_double(&b);
	switch (n->op) {
	case XOP_ADD: r = x + y; break;
	case XOP_SUB: r = x - y; break;
	case XOP_MUL: r = x * y; break;
	default:
		if (y == 0)
			return type_error(c, n->column, "division by zero");
		r = x / y;
		break;
	}
	if (!isfinite(r))
		return type_error(c, n->column,
				  "'%s' gives a number too large to represent",
				  sl_xop_name(n->op));
	*out = sl_value_double(r);
	return SL_OK;
}

static int eval_neg(const ctx *c, const sl_xnode *n, sl_value a,
		    sl_value *out)
{
	switch (a.type) {
	case SL_TNULL:
		*out = a;
		return SL_OK;
	case SL_TINT:
		if (a.as.i == INT64_MIN)
			return type_error(c, n->column, "integer overflow in '-'");
		*out = sl_value_int(-a.as.i);
		return SL_OK;
	case SL_TDOUBLE:
		*out = sl_value_double(-a.as.d);
		return SL_OK;
	default:
		return type_error(c, n->column, "cannot negate %s",
				  sl_type_name(a.type));
	}
}

/* Node @p n on the stack of values whose top is stack[*sp - 1]. */
static int step(const ctx *c, const sl_xnode *n, sl_value *stack, uint32_t *sp)
{
	sl_value *top;

	if (n->op == XOP_LIT) {
		stack[(*sp)++] = n->lit;
		return SL_OK;
	}
	if (n->op == XOP_PATH)
		return eval_path(c, n, &stack[(*sp)++]);
	if (n->op == XOP_META)
		return eval_meta(c, n, &stack[(*sp)++]);
	if (n->op == XOP_CALL) {
		/* the result replaces the first argument */
		sl_value args[3], *first = &stack[*sp - n->count];

		memcpy(args, first, n->count * sizeof *args);
		*sp -= n->count - 1;
		return sl_xfn_apply(n, args, n->count, c->arena, first, c->why);
	}
	top = &stack[*sp - 1];
	switch (n->op) {
	case XOP_NOT:
		return eval_logic(c, n, top, NULL, top);
	case XOP_NEG:
		return eval_neg(c, n, *top, top);
	default:
		break;
	}
	/* an operator of two: the result replaces the left operand */
	(*sp)--;
	switch (n->op) {
	case XOP_AND: case XOP_OR:
		return eval_logic(c, n, top - 1, top, top - 1);
	case XOP_EQ: case XOP_NE: case XOP_LT: case XOP_LE: case XOP_GT:
	case XOP_GE:
		return eval_compare(c, n, top[-1], top[0], top - 1);
	case XOP_ADD: case XOP_SUB: case XOP_MUL: case XOP_DIV:
		return eval_arith(c, n, top[-1], top[0], top - 1);
	default:
		return type_error(c, n->column, "bad expression node");
	}
}

/*
 * The nodes are in postfix order (expr_internal.h): one loop over them,
 * whatever the depth of the tree, with the values on a stack whose size
 * the parser has bounded.
 */
int sl_expr_evaluate(const sl_expr *x, const sl_record *rec, sl_arena *arena,
		     sl_value *out, sl_error *why)
{
	sl_value stack[SL_EXPR_STACK_MAX];
	uint32_t i, sp = 0;
	ctx c;
	int yes;

	c.x = x;
	c.rec = rec;
	c.arena = arena;
	c.why = why;
	for (i = 0; i < x->node_count; i++) {
		const sl_xnode *n = &x->nodes[i];

		if (n->op == XOP_AND_TEST || n->op == XOP_OR_TEST) {
			if (decided(&c, n, &stack[sp - 1], &yes) != SL_OK)
				return SL_ERR;
			if (yes)
				i = n->skip - 1;
		} else if (n->op == XOP_IF_TEST) {
			const sl_value *cond = &stack[--sp];

			if (cond->type != SL_TBOOL && cond->type != SL_TNULL)
				return sl_xfn_error(why, n->column, XFN_IF,
						    "the condition must be true, "
						    "false or null, got %s",
						    sl_type_name(cond->type));
			/* null is not true: the else branch, as in SQL */
			if (cond->type != SL_TBOOL || !cond->as.b)
				i = n->skip - 1;
		} else if (n->op == XOP_JUMP) {
			i = n->skip - 1;
		} else if (n->op == XOP_COALESCE_TEST) {
			if (stack[sp - 1].type != SL_TNULL)
				i = n->skip - 1;
			else
				sp--;
		} else if (step(&c, n, stack, &sp) != SL_OK) {
			return SL_ERR;
		}
	}
	*out = stack[0];
	return SL_OK;
}
