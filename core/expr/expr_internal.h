/*
 * expr_internal.h - the compiled form of an expression, shared by the
 * parser and the evaluator.
 */
#ifndef SL_EXPR_INTERNAL_H
#define SL_EXPR_INTERNAL_H

#include <stdint.h>

#include "expr/expr.h"

/* Node operations. */
enum sl_xop {
	XOP_LIT = 0, /* lit */
	XOP_PATH,    /* root (value or key), then segs[first .. first+count) */
	XOP_NOT,     /* one operand */
	XOP_NEG,
	XOP_AND,     /* two operands */
	XOP_OR,
	XOP_EQ,
	XOP_NE,
	XOP_LT,
	XOP_LE,
	XOP_GT,
	XOP_GE,
	XOP_ADD,
	XOP_SUB,
	XOP_MUL,
	XOP_DIV,
	XOP_CALL,    /* fn, `count` operands */
	XOP_META,    /* the record's metadata `meta` (a header: segs[first]) */
	/*
	 * Between the two sides of an and/or: when the left side decides
	 * the result, evaluation goes on at node `skip`, after the and/or.
	 */
	XOP_AND_TEST,
	XOP_OR_TEST,
	/*
	 * if(c, a, b) is c IF_TEST a JUMP b: IF_TEST takes c off the stack
	 * and, unless it is true, goes on at `skip` (the start of b); JUMP
	 * goes on at `skip`, after b.  Only the branch taken is evaluated.
	 */
	XOP_IF_TEST,
	XOP_JUMP,
	/*
	 * coalesce(a, b, c) is a TEST b TEST c: a TEST keeps a value that is
	 * not null and goes on at `skip`, after c; it takes a null off.
	 */
	XOP_COALESCE_TEST
};

/* Functions. */
enum sl_xfn {
	XFN_LENGTH = 0, XFN_LOWER, XFN_UPPER, XFN_STRING, XFN_NUMBER,
	XFN_CONTAINS, XFN_STARTS_WITH, XFN_SUBSTR, XFN_MATCHES, XFN_FORMAT_TIME,
	/* compiled into jumps, not calls; named for messages */
	XFN_IF, XFN_COALESCE
};

/* The record's metadata (XOP_META). */
enum sl_xmeta {
	XMETA_TIMESTAMP = 0, XMETA_TOPIC, XMETA_PARTITION, XMETA_OFFSET,
	XMETA_HEADER
};

enum sl_xroot { XROOT_VALUE = 0, XROOT_KEY };

/* One field name of a path ("a" and "b" of a.b). */
typedef struct sl_xseg {
	const char *name;
	uint32_t len;
} sl_xseg;

/*
 * The nodes of an expression are stored in postfix order (operands before
 * their operator), so evaluation is one loop over them with a stack of
 * values, whatever the shape of the tree.  The parser bounds how many
 * values that stack holds: nesting is limited, and a chain such as
 * 1 + 1 + ... + 1 never holds more than two.
 */
#define SL_EXPR_STACK_MAX 512

typedef struct sl_xnode {
	uint8_t op;     /* enum sl_xop */
	uint8_t fn;     /* enum sl_xfn, XOP_CALL */
	uint8_t root;   /* enum sl_xroot, XOP_PATH; enum sl_xmeta, XOP_META */
	int column;     /* where the operator or operand starts, for messages */
	uint32_t skip;  /* the tests and XOP_JUMP: the node to go on at */
	uint32_t first, count; /* XOP_PATH: its segments; XOP_CALL: count args */
	sl_value lit;   /* XOP_LIT; strings point into the expression's pool */
	void *regex;    /* XOP_CALL matches() of a literal pattern: compiled */
} sl_xnode;

struct sl_expr {
	sl_xnode *nodes;
	uint32_t node_count; /* in postfix order: the last is the root */
	sl_xseg *segs;
	uint32_t seg_count;
	char *pool;        /* string literals and field names */
};

/* A function of the language: its name, XFN_ id and how many arguments
 * it takes (max 0: any number), in sl_xfn_table (expr_names.c). */
typedef struct sl_xfn_info {
	const char *name;
	int fn;
	uint8_t min, max;
} sl_xfn_info;

extern const sl_xfn_info sl_xfn_table[];
extern const size_t sl_xfn_count;

/* How an operator or a function is written, for messages (expr_names.c). */
const char *sl_xop_name(int op);
const char *sl_xfn_name(int fn);

/*
 * Apply the function of call node @p n to its @p argc arguments @p args
 * (expr_func.c); any null argument gives null.
 */
int sl_xfn_apply(const sl_xnode *n, const sl_value *args, uint32_t argc,
		 sl_arena *arena, sl_value *out, sl_error *why);

/* A per-record error of function @p fn: "column N: fn(): ..." (expr_names.c). */
int sl_xfn_error(sl_error *why, int column, int fn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Out of memory while evaluating (expr_names.c). */
int sl_xfn_no_memory(sl_error *why);

/*
 * matches() (expr_regex.c), with PCRE2 in UTF mode.  sl_xregex_compile
 * gives the compiled pattern, or NULL with PCRE2's message and the byte
 * offset in the pattern where it found the error (*offset -1 when memory
 * ran out).  sl_xregex_match finds @p pattern anywhere in string @p s:
 * with @p compiled, the literal's compiled form, else compiling the
 * pattern for this call.
 */
void *sl_xregex_compile(const char *pattern, size_t len, char *msg,
			size_t msgsize, long *offset);
void sl_xregex_free(void *compiled);
int sl_xregex_match(const sl_xnode *n, const void *compiled,
		    const sl_value *s, const sl_value *pattern, sl_value *out,
		    sl_error *why);

/*
 * format_time() (expr_time.c).  sl_xtime_check: 0 when every conversion
 * of @p fmt is supported, else -1 with the reason in @p msg.
 */
int sl_xtime_check(const char *fmt, size_t len, char *msg, size_t msgsize);
int sl_xtime_format(const sl_xnode *n, const sl_value *ms,
		    const sl_value *fmt, sl_arena *arena, sl_value *out,
		    sl_error *why);

#endif
