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
	XOP_CALL,    /* fn, one operand */
	/*
	 * Between the two sides of an and/or: when the left side decides
	 * the result, evaluation goes on at node `skip`, after the and/or.
	 */
	XOP_AND_TEST,
	XOP_OR_TEST
};

/* Functions. */
enum sl_xfn { XFN_LENGTH = 0, XFN_LOWER, XFN_UPPER, XFN_STRING, XFN_NUMBER };

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
	uint8_t root;   /* enum sl_xroot, XOP_PATH */
	int column;     /* where the operator or operand starts, for messages */
	uint32_t skip;  /* XOP_AND_TEST, XOP_OR_TEST */
	uint32_t first, count; /* XOP_PATH: its segments */
	sl_value lit;   /* XOP_LIT; strings point into the expression's pool */
} sl_xnode;

struct sl_expr {
	sl_xnode *nodes;
	uint32_t node_count; /* in postfix order: the last is the root */
	sl_xseg *segs;
	uint32_t seg_count;
	char *pool;        /* string literals and field names */
};

/* How an operator or a function is written, for messages. */
const char *sl_xop_name(int op);
const char *sl_xfn_name(int fn);

/* Apply function @p fn to @p arg (expr_func.c). */
int sl_xfn_apply(int fn, int column, const sl_value *arg, sl_arena *arena,
		 sl_value *out, sl_error *why);

#endif
