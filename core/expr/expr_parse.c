/*
 * expr_parse.c - text to the compiled tree of an expression.
 *
 * Recursive descent, lowest precedence first:
 *
 *     or  := and ('or' and)*
 *     and := not ('and' not)*
 *     not := 'not' not | cmp
 *     cmp := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum)?
 *     sum := prod (('+'|'-') prod)*
 *     prod:= unary (('*'|'/') unary)*
 *     unary := '-' unary | primary
 *     primary := number | string | true | false | null | '(' or ')'
 *              | function '(' or (',' or)* ')' | meta | path
 *     meta := 'timestamp' | 'topic' | 'partition' | 'offset'
 *           | 'headers' '[' string ']'
 *     path := name ('.' name)*      (`value` and `key` start at the
 *                                    value or the key; other names are
 *                                    fields of the value)
 *
 * The metadata names, like `value` and `key`, are not fields: a field of
 * the value with such a name is value.topic or `topic`.  if() and
 * coalesce() compile to jumps (expr_internal.h) so that only the
 * arguments needed are evaluated.
 *
 * Comparisons do not chain (`a < b < c` is refused, not guessed at).
 *
 * Nodes are added as their parse completes, so operands come before
 * their operator (postfix order), which is the order expr_eval.c runs
 * them in.  Nesting is bounded (MAX_DEPTH), which bounds both this
 * parser's recursion and the evaluator's stack of values; a long flat
 * chain is parsed by the loops below and costs no depth at all.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_internal.h"
#include "expr/expr_lex.h"
#include "base/job_limits.h"

/*
 * Parentheses, calls, `not` and unary minus nest at most this deep
 * (sluice-job(5), LIMITS); deeper is refused, which bounds the parser's
 * recursion and the evaluator's stack of values.
 */
#define MAX_DEPTH 64

typedef struct parser {
	sl_xlexer lx;
	sl_xtoken tok;   /* the current token */
	sl_xpool pool;
	sl_xnode *nodes;
	uint32_t node_count, node_cap;
	sl_xseg *segs;
	uint32_t seg_count, seg_cap;
	uint32_t *seg_offs; /* pool offsets of segs, fixed up at the end */
	int depth;
} parser;


#define FUNCTION_NAMES "length, lower, upper, string, number, if, " \
	"coalesce, contains, starts_with, substr, matches, format_time"

/* The record's metadata, by name (XOP_META). */
static const struct { const char *name; int meta; } metadata[] = {
	{ "timestamp", XMETA_TIMESTAMP },
	{ "topic", XMETA_TOPIC },
	{ "partition", XMETA_PARTITION },
	{ "offset", XMETA_OFFSET },
	{ "headers", XMETA_HEADER },
};

static int next(parser *ps)
{
	return sl_xlex_next(&ps->lx, &ps->tok);
}

static int error_at(parser *ps, int column, const char *what)
{
	return sl_xlex_error(&ps->lx, column, "%s", what);
}

static int is_word(const sl_xtoken *t, const char *word)
{
	return t->kind == TK_IDENT && strlen(word) == t->len &&
	       memcmp(t->start, word, t->len) == 0;
}

static int is_keyword(const sl_xtoken *t)
{
	return is_word(t, "and") || is_word(t, "or") || is_word(t, "not") ||
	       is_word(t, "true") || is_word(t, "false") || is_word(t, "null");
}

/* Describe the current token for "expected X, found Y". */
static void describe(const sl_xtoken *t, char *buf, size_t size)
{
	if (t->kind == TK_END)
		snprintf(buf, size, "the end of the expression");
	else
		snprintf(buf, size, "'%.*s'", (int)(t->len > 40 ? 40 : t->len),
			 t->start);
}

static int expected(parser *ps, const char *what)
{
	char found[64];

	describe(&ps->tok, found, sizeof found);
	return sl_xlex_error(&ps->lx, ps->tok.column, "expected %s, found %s",
			     what, found);
}

/* A new node; its index, or -1 when out of memory. */
static long add_node(parser *ps, int op, int column)
{
	sl_xnode *n;

	if (ps->node_count == ps->node_cap) {
		uint32_t cap = ps->node_cap ? ps->node_cap * 2 : 16;
		n = realloc(ps->nodes, cap * sizeof *n);
		if (n == NULL)
			return sl_xlex_error(&ps->lx, 0, "out of memory");
		ps->nodes = n;
		ps->node_cap = cap;
	}
	n = &ps->nodes[ps->node_count];
	memset(n, 0, sizeof *n);
	n->op = (uint8_t)op;
	n->column = column;
	return (long)ps->node_count++;
}

static long add_seg(parser *ps, uint32_t off, uint32_t len)
{
	if (ps->seg_count == ps->seg_cap) {
		uint32_t cap = ps->seg_cap ? ps->seg_cap * 2 : 8;
		sl_xseg *s = realloc(ps->segs, cap * sizeof *s);
		uint32_t *o;

		if (s == NULL)
			return sl_xlex_error(&ps->lx, 0, "out of memory");
		ps->segs = s;
		o = realloc(ps->seg_offs, cap * sizeof *o);
		if (o == NULL)
			return sl_xlex_error(&ps->lx, 0, "out of memory");
		ps->seg_offs = o;
		ps->seg_cap = cap;
	}
	ps->segs[ps->seg_count].name = NULL;
	ps->segs[ps->seg_count].len = len;
	ps->seg_offs[ps->seg_count] = off;
	return (long)ps->seg_count++;
}

/* The operator of operands @p a and @p b, both parsed (>= 0) or not. */
static long binary(parser *ps, int op, int column, long a, long b)
{
	if (a < 0 || b < 0)
		return -1;
	return add_node(ps, op, column);
}

/*
 * The left side of an and/or is parsed: add its test, then the right
 * side through @p right, then the operator itself, where the test jumps.
 */
static long logical(parser *ps, int op, long a, long (*right)(parser *))
{
	int column = ps->tok.column;
	long test = add_node(ps, op == XOP_AND ? XOP_AND_TEST : XOP_OR_TEST,
			     column), n;

	if (test < 0 || next(ps) != 0)
		return -1;
	n = binary(ps, op, column, a, right(ps));
	if (n >= 0)
		ps->nodes[test].skip = (uint32_t)n + 1;
	return n;
}

static long parse_or(parser *ps);

/* A field name (bare or `quoted`) into the pool as a new segment. */
static long path_segment(parser *ps)
{
	long off;

	if (ps->tok.kind == TK_QNAME)
		return add_seg(ps, ps->tok.off, ps->tok.slen);
	if (ps->tok.kind != TK_IDENT)
		return expected(ps, "a field name");
	off = sl_xpool_add(&ps->pool, ps->tok.start, ps->tok.len);
	if (off < 0)
		return sl_xlex_error(&ps->lx, 0, "out of memory");
	return add_seg(ps, (uint32_t)off, (uint32_t)ps->tok.len);
}

/* name ('.' name)*, the current token being the first name. */
static long parse_path(parser *ps)
{
	long n = add_node(ps, XOP_PATH, ps->tok.column), seg;
	int named_root = 0;

	if (n < 0)
		return -1;
	if (is_word(&ps->tok, "value") || is_word(&ps->tok, "key")) {
		ps->nodes[n].root = is_word(&ps->tok, "key") ? XROOT_KEY : XROOT_VALUE;
		named_root = 1;
	} else if (ps->tok.kind == TK_IDENT && is_keyword(&ps->tok)) {
		char found[64];
		describe(&ps->tok, found, sizeof found);
		return sl_xlex_error(&ps->lx, ps->tok.column,
				     "%s is a keyword; write a field of that "
				     "name as `%.*s`", found, (int)ps->tok.len,
				     ps->tok.start);
	}
	ps->nodes[n].first = ps->seg_count;
	if (!named_root && path_segment(ps) < 0)
		return -1;
	if (next(ps) != 0)
		return -1;
	while (ps->tok.kind == TK_DOT) {
		if (next(ps) != 0)
			return -1;
		/* after a dot every name is a field, keywords included */
		if ((seg = path_segment(ps)) < 0)
			return -1;
		if (next(ps) != 0)
			return -1;
	}
	ps->nodes[n].count = ps->seg_count - ps->nodes[n].first;
	return n;
}

/* The string of literal node @p n, while parsing (the pool may move). */
static const char *literal_text(const parser *ps, long n)
{
	return ps->pool.data + ps->nodes[n].first;
}

/* Check what can be checked of a call's literal arguments now. */
static int check_literals(parser *ps, int fn, long call, const long *args)
{
	const sl_xnode *pattern = args[1] >= 0 ? &ps->nodes[args[1]] : NULL;
	char msg[200];
	long offset = 0;

	if (pattern == NULL || pattern->op != XOP_LIT ||
	    pattern->lit.type != SL_TSTRING)
		return 0;
	if (fn == XFN_FORMAT_TIME &&
	    sl_xtime_check(literal_text(ps, args[1]), pattern->lit.len, msg,
			   sizeof msg) != 0)
		return sl_xlex_error(&ps->lx, pattern->column,
				     "format_time(): %s", msg);
	if (fn != XFN_MATCHES)
		return 0;
	ps->nodes[call].regex = sl_xregex_compile(literal_text(ps, args[1]),
						  pattern->lit.len, msg,
						  sizeof msg, &offset);
	if (ps->nodes[call].regex != NULL)
		return 0;
	if (offset < 0)
		return sl_xlex_error(&ps->lx, 0, "out of memory");
	return sl_xlex_error(&ps->lx, pattern->column,
			     "matches(): bad regular expression: %s at "
			     "offset %ld of the pattern", msg, offset);
}

/*
 * What argument @p i of function @p fn must be, as letters: s a string,
 * i an integer, n a number, b true or false (null is always allowed);
 * NULL when the function takes anything there or checks it itself.
 */
static const char *argument_kinds(int fn, uint32_t i)
{
	static const struct { int fn; const char *kinds[3]; } table[] = {
		{ XFN_IF, { "b", NULL, NULL } },
		{ XFN_CONTAINS, { "s", "s", NULL } },
		{ XFN_STARTS_WITH, { "s", "s", NULL } },
		{ XFN_SUBSTR, { "s", "i", "i" } },
		{ XFN_MATCHES, { "s", "s", NULL } },
		{ XFN_FORMAT_TIME, { "n", "s", NULL } },
	};
	size_t k;

	for (k = 0; k < sizeof table / sizeof table[0]; k++)
		if (table[k].fn == fn && i < 3)
			return table[k].kinds[i];
	return NULL;
}

/* A literal argument of the wrong type is refused now, not per record. */
static int check_literal_types(parser *ps, size_t which, const long *args,
			       uint32_t argc)
{
	static const char *const words[] = { "first", "second", "third" };
	uint32_t i;

	for (i = 0; i < argc && i < 3; i++) {
		const char *kind = argument_kinds(sl_xfn_table[which].fn, i);
		const sl_xnode *a = args[i] >= 0 ? &ps->nodes[args[i]] : NULL;
		int t;

		if (kind == NULL || a == NULL || a->op != XOP_LIT ||
		    a->lit.type == SL_TNULL)
			continue;
		t = a->lit.type;
		if ((*kind == 's' && t == SL_TSTRING) ||
		    (*kind == 'i' && t == SL_TINT) ||
		    (*kind == 'n' && (t == SL_TINT || t == SL_TDOUBLE)) ||
		    (*kind == 'b' && t == SL_TBOOL))
			continue;
		return sl_xlex_error(&ps->lx, a->column,
				     "%s(): the %s argument must be %s, not %s",
				     sl_xfn_table[which].name, words[i],
				     *kind == 's' ? "a string" :
				     *kind == 'i' ? "an integer" :
				     *kind == 'n' ? "a number" : "true or false",
				     sl_type_name(a->lit.type));
	}
	return 0;
}

static const char *arity(int min, int max, char *buf, size_t size)
{
	static const char *const words[] = { "no", "one", "two", "three" };

	if (max == 0)
		snprintf(buf, size, "at least %s argument%s", words[min],
			 min == 1 ? "" : "s");
	else if (min == max)
		snprintf(buf, size, "%s argument%s", words[min],
			 min == 1 ? "" : "s");
	else
		snprintf(buf, size, "%s or %s arguments", words[min], words[max]);
	return buf;
}

/*
 * name '(' args ')', the current token being the name.  Each argument
 * of if() and coalesce() is followed by the node that decides whether
 * the next one runs; the jumps are patched once the arguments are known.
 */
static long parse_call(parser *ps, size_t which)
{
	int fn = sl_xfn_table[which].fn, column = ps->tok.column;
	unsigned min = sl_xfn_table[which].min, max = sl_xfn_table[which].max;
	long args[3], jumps[2], n = -1;
	uint32_t argc = 0, k, before, start = ps->node_count;
	char count[64];

	if (next(ps) != 0 || next(ps) != 0) /* the name and '(' */
		return -1;
	if (ps->tok.kind == TK_RPAREN)
		return sl_xlex_error(&ps->lx, ps->tok.column, "%s() takes %s",
				     sl_xfn_table[which].name,
				     arity(min, max, count, sizeof count));
	for (;;) {
		before = ps->node_count;
		if ((n = parse_or(ps)) < 0)
			return -1;
		/* an argument of one node (a literal, say), or -1 */
		if (argc < 3)
			args[argc] = ps->node_count == before + 1 ? n : -1;
		argc++;
		if (ps->tok.kind != TK_COMMA)
			break;
		if (max != 0 && argc == max)
			return sl_xlex_error(&ps->lx, ps->tok.column,
					     "%s() takes %s",
					     sl_xfn_table[which].name,
					     arity(min, max, count, sizeof count));
		if (fn == XFN_IF &&
		    (jumps[argc - 1] = add_node(ps, argc == 1 ? XOP_IF_TEST :
						XOP_JUMP, column)) < 0)
			return -1;
		if (fn == XFN_COALESCE &&
		    add_node(ps, XOP_COALESCE_TEST, column) < 0)
			return -1;
		if (next(ps) != 0)
			return -1;
		if (fn == XFN_IF && argc == 2) /* b starts here */
			ps->nodes[jumps[0]].skip = ps->node_count;
	}
	if (argc < min)
		return sl_xlex_error(&ps->lx, ps->tok.column, "%s() takes %s",
				     sl_xfn_table[which].name,
				     arity(min, max, count, sizeof count));
	if (ps->tok.kind != TK_RPAREN)
		return expected(ps, "')' or ','");
	if (next(ps) != 0 || check_literal_types(ps, which, args, argc) != 0)
		return -1;
	if (fn == XFN_IF) {
		ps->nodes[jumps[1]].skip = ps->node_count;
		return n;
	}
	if (fn == XFN_COALESCE) {
		/* its tests jump past the last argument (nested ones are set) */
		for (k = start; k < ps->node_count; k++)
			if (ps->nodes[k].op == XOP_COALESCE_TEST &&
			    ps->nodes[k].skip == 0)
				ps->nodes[k].skip = ps->node_count;
		return n;
	}
	n = add_node(ps, XOP_CALL, column);
	if (n < 0)
		return -1;
	ps->nodes[n].fn = (uint8_t)fn;
	ps->nodes[n].count = argc;
	if (argc == 2 && check_literals(ps, fn, n, args) != 0)
		return -1;
	return n;
}

/* 'headers' '[' string ']', the current token being 'headers'. */
static long parse_header(parser *ps, long n)
{
	if (next(ps) != 0)
		return -1;
	if (ps->tok.kind != TK_LBRACKET)
		return expected(ps, "'[' after headers (headers[\"name\"]; a "
				"field of the value named headers is "
				"value.headers)");
	if (next(ps) != 0)
		return -1;
	if (ps->tok.kind != TK_STRING)
		return expected(ps, "a header name in quotes");
	ps->nodes[n].first = ps->seg_count;
	if (add_seg(ps, ps->tok.off, ps->tok.slen) < 0 || next(ps) != 0)
		return -1;
	if (ps->tok.kind != TK_RBRACKET)
		return expected(ps, "']'");
	return next(ps) != 0 ? -1 : n;
}

/* timestamp, topic, partition, offset or headers["name"]. */
static long parse_meta(parser *ps, int meta)
{
	int column = ps->tok.column;
	const sl_xtoken name = ps->tok;
	long n = add_node(ps, XOP_META, column);

	if (n < 0)
		return -1;
	ps->nodes[n].root = (uint8_t)meta;
	if (meta == XMETA_HEADER) {
		if (parse_header(ps, n) < 0)
			return -1;
	} else if (next(ps) != 0) {
		return -1;
	}
	if (ps->tok.kind == TK_DOT)
		return sl_xlex_error(&ps->lx, ps->tok.column,
				     "'%.*s' is the record's metadata and has "
				     "no fields; a field of the value of that "
				     "name is value.%.*s", (int)name.len,
				     name.start, (int)name.len, name.start);
	return n;
}

/* Is the identifier followed by '('?  Peek without consuming. */
static int before_paren(const parser *ps)
{
	const char *p = ps->lx.p;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return *p == '(';
}

static long literal(parser *ps, sl_value v)
{
	long n = add_node(ps, XOP_LIT, ps->tok.column);

	if (n < 0)
		return -1;
	ps->nodes[n].lit = v;
	return next(ps) != 0 ? -1 : n;
}

static long parse_primary(parser *ps)
{
	sl_xtoken *t = &ps->tok;
	long n;
	size_t i;

	switch (t->kind) {
	case TK_INT:
		if (t->only_negated)
			return sl_xlex_error(&ps->lx, t->column,
					     "integer out of range (64-bit)");
		return literal(ps, sl_value_int(t->i));
	case TK_DOUBLE:
		return literal(ps, sl_value_double(t->d));
	case TK_STRING:
		n = add_node(ps, XOP_LIT, t->column);
		if (n < 0)
			return -1;
		/* the pool may move: keep the offset, fixed up at the end */
		ps->nodes[n].lit = sl_value_string(NULL, t->slen);
		ps->nodes[n].first = t->off;
		return next(ps) != 0 ? -1 : n;
	case TK_LPAREN: {
		int column = t->column;

		if (next(ps) != 0 || (n = parse_or(ps)) < 0)
			return -1;
		if (ps->tok.kind != TK_RPAREN) {
			char what[64];
			snprintf(what, sizeof what,
				 "')' to close the '(' at column %d", column);
			return expected(ps, what);
		}
		return next(ps) != 0 ? -1 : n;
	}
	case TK_QNAME:
		return parse_path(ps);
	case TK_IDENT:
		if (is_word(t, "true"))
			return literal(ps, sl_value_bool(1));
		if (is_word(t, "false"))
			return literal(ps, sl_value_bool(0));
		if (is_word(t, "null"))
			return literal(ps, sl_value_null());
		if (before_paren(ps)) {
			for (i = 0; i < sl_xfn_count; i++)
				if (is_word(t, sl_xfn_table[i].name))
					return parse_call(ps, i);
			return sl_xlex_error(&ps->lx, t->column,
					     "unknown function '%.*s' (functions: "
					     FUNCTION_NAMES ")",
					     (int)t->len, t->start);
		}
		for (i = 0; i < sizeof metadata / sizeof metadata[0]; i++)
			if (is_word(t, metadata[i].name))
				return parse_meta(ps, metadata[i].meta);
		return parse_path(ps);
	default:
		return expected(ps, "a value, a field or '('");
	}
}

static long parse_unary(parser *ps)
{
	int column = ps->tok.column;
	uint32_t before;
	long a;

	if (ps->tok.kind != TK_MINUS)
		return parse_primary(ps);
	if (++ps->depth > MAX_DEPTH)
		return error_at(ps, column, "expression nested too deeply");
	if (next(ps) != 0)
		return -1;
	if (ps->tok.kind == TK_INT && ps->tok.only_negated) {
		ps->depth--;
		ps->tok.column = column;
		return literal(ps, sl_value_int(INT64_MIN));
	}
	before = ps->node_count;
	if ((a = parse_unary(ps)) < 0)
		return -1;
	ps->depth--;
	/*
	 * fold -<number> so literals such as -5 cost nothing (if() and
	 * coalesce() end in a node of their last argument, not their own)
	 */
	if (ps->node_count != before + 1)
		return add_node(ps, XOP_NEG, column);
	if (ps->nodes[a].op == XOP_LIT && ps->nodes[a].lit.type == SL_TINT &&
	    ps->nodes[a].lit.as.i != INT64_MIN) {
		ps->nodes[a].lit.as.i = -ps->nodes[a].lit.as.i;
		ps->nodes[a].column = column;
		return a;
	}
	if (ps->nodes[a].op == XOP_LIT && ps->nodes[a].lit.type == SL_TDOUBLE) {
		ps->nodes[a].lit.as.d = -ps->nodes[a].lit.as.d;
		ps->nodes[a].column = column;
		return a;
	}
	return add_node(ps, XOP_NEG, column);
}

static long parse_prod(parser *ps)
{
	long a = parse_unary(ps);

	while (a >= 0 && (ps->tok.kind == TK_STAR || ps->tok.kind == TK_SLASH)) {
		int op = ps->tok.kind == TK_STAR ? XOP_MUL : XOP_DIV;
		int column = ps->tok.column;

		if (next(ps) != 0)
			return -1;
		a = binary(ps, op, column, a, parse_unary(ps));
	}
	return a;
}

static long parse_sum(parser *ps)
{
	long a = parse_prod(ps);

	while (a >= 0 && (ps->tok.kind == TK_PLUS || ps->tok.kind == TK_MINUS)) {
		int op = ps->tok.kind == TK_PLUS ? XOP_ADD : XOP_SUB;
		int column = ps->tok.column;

		if (next(ps) != 0)
			return -1;
		a = binary(ps, op, column, a, parse_prod(ps));
	}
	return a;
}

static int comparison_op(int tok)
{
	switch (tok) {
	case TK_EQ: return XOP_EQ;
	case TK_NE: return XOP_NE;
	case TK_LT: return XOP_LT;
	case TK_LE: return XOP_LE;
	case TK_GT: return XOP_GT;
	case TK_GE: return XOP_GE;
	default: return -1;
	}
}

static long parse_cmp(parser *ps)
{
	long a = parse_sum(ps);
	int op, column;

	if (a < 0 || (op = comparison_op(ps->tok.kind)) < 0)
		return a;
	column = ps->tok.column;
	if (next(ps) != 0)
		return -1;
	a = binary(ps, op, column, a, parse_sum(ps));
	if (a >= 0 && comparison_op(ps->tok.kind) >= 0)
		return error_at(ps, ps->tok.column,
				"comparisons do not chain; join them with 'and'");
	return a;
}

static long parse_not(parser *ps)
{
	int column = ps->tok.column;

	if (!is_word(&ps->tok, "not"))
		return parse_cmp(ps);
	if (++ps->depth > MAX_DEPTH)
		return error_at(ps, column, "expression nested too deeply");
	if (next(ps) != 0 || parse_not(ps) < 0)
		return -1;
	ps->depth--;
	return add_node(ps, XOP_NOT, column);
}

static long parse_and(parser *ps)
{
	long a = parse_not(ps);

	while (a >= 0 && is_word(&ps->tok, "and"))
		a = logical(ps, XOP_AND, a, parse_not);
	return a;
}

static long parse_or(parser *ps)
{
	int column = ps->tok.column;
	long a;

	if (++ps->depth > MAX_DEPTH)
		return error_at(ps, column, "expression nested too deeply");
	a = parse_and(ps);
	while (a >= 0 && is_word(&ps->tok, "or"))
		a = logical(ps, XOP_OR, a, parse_and);
	ps->depth--;
	return a;
}

static void free_regexes(sl_xnode *nodes, uint32_t count)
{
	uint32_t i;

	for (i = 0; i < count; i++)
		if (nodes[i].regex != NULL)
			sl_xregex_free(nodes[i].regex);
}

static void parser_free(parser *ps)
{
	free_regexes(ps->nodes, ps->node_count);
	free(ps->pool.data);
	free(ps->nodes);
	free(ps->segs);
	free(ps->seg_offs);
}

/* How many values node @p n leaves on the evaluator's stack (+1, 0, -1). */
static int stack_effect(const sl_xnode *n)
{
	switch (n->op) {
	case XOP_LIT:
	case XOP_PATH:
	case XOP_META:
		return 1;
	case XOP_CALL:
		return 1 - (int)n->count;
	case XOP_NOT:
	case XOP_NEG:
	case XOP_AND_TEST:
	case XOP_OR_TEST:
		return 0;
	default:
		/*
		 * the binary operators; IF_TEST takes its condition off;
		 * JUMP and COALESCE_TEST each stand for a value left behind
		 * by an argument that another one replaces when it is taken
		 */
		return -1;
	}
}

/* Refuse what would overflow the evaluator's stack of values. */
static int check_stack(parser *ps)
{
	uint32_t i;
	long depth = 0;

	for (i = 0; i < ps->node_count; i++) {
		depth += stack_effect(&ps->nodes[i]);
		if (depth > SL_EXPR_STACK_MAX)
			return error_at(ps, ps->nodes[i].column,
					"expression nested too deeply");
	}
	return 0;
}

sl_expr *sl_expr_parse(const char *text, char *msg, size_t msgsize,
		       int *column)
{
	parser ps;
	sl_expr *x;
	uint32_t i;

	memset(&ps, 0, sizeof ps);
	ps.depth = -1; /* the expression itself is not nested */
	ps.lx.text = ps.lx.p = text;
	ps.lx.pool = &ps.pool;
	ps.lx.msg = msg;
	ps.lx.msgsize = msgsize;
	if (strlen(text) > SL_EXPR_MAX_LEN) {
		sl_xlex_error(&ps.lx, SL_EXPR_MAX_LEN + 1,
			      "expression longer than %d bytes", SL_EXPR_MAX_LEN);
		goto fail;
	}
	if (next(&ps) != 0)
		goto fail;
	if (ps.tok.kind == TK_END) {
		sl_xlex_error(&ps.lx, 1, "empty expression");
		goto fail;
	}
	if (parse_or(&ps) < 0)
		goto fail;
	if (ps.tok.kind != TK_END) {
		expected(&ps, "an operator or the end of the expression");
		goto fail;
	}
	if (check_stack(&ps) != 0)
		goto fail;
	/* an empty pool still gets a buffer, so fix-ups need no NULL checks */
	if (sl_xpool_add(&ps.pool, "", 0) < 0 ||
	    (x = calloc(1, sizeof *x)) == NULL) {
		sl_xlex_error(&ps.lx, 0, "out of memory");
		goto fail;
	}
	for (i = 0; i < ps.node_count; i++)
		if (ps.nodes[i].op == XOP_LIT && ps.nodes[i].lit.type == SL_TSTRING)
			ps.nodes[i].lit.as.s = ps.pool.data + ps.nodes[i].first;
	for (i = 0; i < ps.seg_count; i++)
		ps.segs[i].name = ps.pool.data + ps.seg_offs[i];
	free(ps.seg_offs);
	x->nodes = ps.nodes;
	x->node_count = ps.node_count;
	x->segs = ps.segs;
	x->seg_count = ps.seg_count;
	x->pool = ps.pool.data;
	return x;
fail:
	*column = ps.lx.column;
	parser_free(&ps);
	return NULL;
}

int sl_expr_check(const char *text, char *msg, size_t msgsize, int *column)
{
	sl_expr *x = sl_expr_parse(text, msg, msgsize, column);

	if (x == NULL)
		return -1;
	sl_expr_destroy(x);
	return 0;
}

void sl_expr_destroy(sl_expr *x)
{
	if (x == NULL)
		return;
	free_regexes(x->nodes, x->node_count);
	free(x->nodes);
	free(x->segs);
	free(x->pool);
	free(x);
}
