/*
 * expr.h - the expression language of job files (see JOBFILE.md,
 * "Expressions"): parsing, checking and evaluation.
 *
 * Text is compiled once into a small tree, stored operands first;
 * evaluation is one loop over it with every intermediate value on a
 * bounded stack on the C stack, so the per-record cost is a few
 * comparisons and no malloc, and no expression can overflow the stack.
 * `sluice validate` calls sl_expr_check() for every option of type `expr`
 * without loading any plugin.
 */
#ifndef SL_EXPR_H
#define SL_EXPR_H

#include <stddef.h>
#include <sluice/plugin.h>

/*
 * Parse @p text (at most SL_EXPR_MAX_LEN bytes, job_limits.h).  On a syntax
 * error or an expression past that limit returns NULL, puts the reason in
 * @p msg and the 1-based column where it was found in *column; when memory
 * is exhausted returns NULL with *column 0.
 */
sl_expr *sl_expr_parse(const char *text, char *msg, size_t msgsize,
		       int *column);

/* 0 when @p text parses, else -1 with @p msg and *column as above. */
int sl_expr_check(const char *text, char *msg, size_t msgsize, int *column);

/* The evaluator behind sl_expr_eval() (see sluice/expr.h). */
int sl_expr_evaluate(const sl_expr *expr, const sl_record *rec,
		     sl_arena *arena, sl_value *out, sl_error *why);

void sl_expr_destroy(sl_expr *expr);

#endif
