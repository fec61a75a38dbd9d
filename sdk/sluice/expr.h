/*
 * sluice/expr.h - expressions of job files, compiled by the host.
 *
 * Options of type `expr` (`where`, `value`, `set.*`, `expr`) hold text in
 * the expression language of the job file.  The host compiles it once when
 * the operator opens and evaluates it per record without malloc: a result
 * points into the record, into the expression, or into the arena passed to
 * sl_expr_eval() (lower(), string(), ...).
 *
 *     sl_expr *where = sl_expr_compile(stage, "where", err);
 *     if (where == NULL)
 *             return SL_ERR;          // err names FILE:LINE and column
 *     ...
 *     sl_value v;
 *     sl_error why;
 *     if (sl_expr_eval(where, rec, batch->arena, &v, &why) != SL_OK)
 *             rc = sl_record_error(stage, rec, err, "where: %s",
 *                                  why.message);
 */
#ifndef SLUICE_EXPR_H
#define SLUICE_EXPR_H

#include <sluice/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A compiled expression (opaque). */
typedef struct sl_expr sl_expr;

/**
 * Compile option @p key of @p stage.  Returns NULL with @p err filled when
 * the option is missing or does not parse (kind SL_ERR_CONFIG, message
 * "FILE:LINE: stage: key: column N: why") or memory is exhausted.  Free
 * the result with sl_expr_free().
 */
#define sl_expr_compile(stage, key, err) \
	(sl_host_api->expr_compile(stage, key, err))

/**
 * Evaluate @p expr against record @p rec into @p out.  Memory a result
 * needs comes from @p arena, so @p out is valid as long as the arena and
 * the record are.  Returns SL_OK, or SL_ERR with @p why filled: kind
 * SL_ERR_RECORD for a type error in this record ("column 9: cannot compare
 * string with int"; report it with sl_record_error()), SL_ERR_RUNTIME when
 * memory is exhausted.
 */
#define sl_expr_eval(expr, rec, arena, out, why) \
	(sl_host_api->expr_eval(expr, rec, arena, out, why))

/**
 * Compile @p len bytes at @p text, a part of option @p key of @p stage
 * (an operator's own syntax around an expression, e.g. count_if(COND)).
 * Errors as sl_expr_compile(), the column counted within @p text.  Host
 * table 15: check SL_HOST_HAS(expr_compile_text).
 */
#define sl_expr_compile_text(stage, key, text, len, err) \
	(sl_host_api->expr_compile_text(stage, key, text, len, err))

/** Free @p expr (NULL is ignored). */
#define sl_expr_free(expr) (sl_host_api->expr_free(expr))

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_EXPR_H */
