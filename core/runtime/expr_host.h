/*
 * expr_host.h - expressions in the host table (expr_host.c).
 */
#ifndef SL_EXPR_HOST_H
#define SL_EXPR_HOST_H

#include <sluice/plugin.h>

/* The host table's expr_compile: option @p key of @p stage. */
sl_expr *sl_expr_host_compile(const sl_stage *stage, const char *key,
			      sl_error *err);

#endif
