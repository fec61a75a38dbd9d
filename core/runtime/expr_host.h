/*
 * expr_host.h - expressions in the host table (expr_host.c).
 */
#ifndef SL_EXPR_HOST_H
#define SL_EXPR_HOST_H

#include <sluice/plugin.h>

/* The host table's expr_compile: option @p key of @p stage. */
sl_expr *sl_expr_host_compile(const sl_stage *stage, const char *key,
			      sl_error *err);

/* The host table's expr_compile_text: @p len bytes at @p text, a part
 * of option @p key. */
sl_expr *sl_expr_host_compile_text(const sl_stage *stage, const char *key,
				   const char *text, size_t len, sl_error *err);

#endif
