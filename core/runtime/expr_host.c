/*
 * expr_host.c - expressions in the host table: compile an operator's
 * option, with errors that point at the job file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "runtime/expr_host.h"

sl_expr *sl_expr_host_compile(const sl_stage *stage, const char *key,
			      sl_error *err)
{
	const char *text = sl_option(stage, key);
	char msg[256];
	int column = 0;
	sl_expr *x;

	if (text == NULL) {
		sl_config_error(stage, key, err, "an expression is required");
		return NULL;
	}
	x = sl_expr_parse(text, msg, sizeof msg, &column);
	if (x != NULL)
		return x;
	if (column == 0)
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory compiling '%s'",
			     key);
	else
		sl_config_error(stage, key, err, "column %d: %s", column, msg);
	return NULL;
}

sl_expr *sl_expr_host_compile_text(const sl_stage *stage, const char *key,
				   const char *text, size_t len, sl_error *err)
{
	char msg[256];
	char *copy = malloc(len + 1);
	int column = 0;
	sl_expr *x;

	if (copy == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory compiling '%s'",
			     key);
		return NULL;
	}
	/* the parser reads a C string: the part alone */
	memcpy(copy, text, len);
	copy[len] = '\0';
	x = sl_expr_parse(copy, msg, sizeof msg, &column);
	if (x == NULL && column == 0)
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory compiling '%s'",
			     key);
	else if (x == NULL)
		sl_config_error(stage, key, err, "'%s': column %d: %s", copy,
				column, msg);
	free(copy);
	return x;
}
