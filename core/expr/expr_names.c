/*
 * expr_names.c - what the expression language's functions are called and
 * take, and how its messages name them: the table the parser reads and
 * the error helpers the functions use, below both (expr_internal.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "expr/expr_internal.h"

const sl_xfn_info sl_xfn_table[] = {
	{ "length", XFN_LENGTH, 1, 1 },
	{ "lower", XFN_LOWER, 1, 1 },
	{ "upper", XFN_UPPER, 1, 1 },
	{ "string", XFN_STRING, 1, 1 },
	{ "number", XFN_NUMBER, 1, 1 },
	{ "if", XFN_IF, 3, 3 },
	{ "coalesce", XFN_COALESCE, 1, 0 },
	{ "contains", XFN_CONTAINS, 2, 2 },
	{ "starts_with", XFN_STARTS_WITH, 2, 2 },
	{ "substr", XFN_SUBSTR, 2, 3 },
	{ "matches", XFN_MATCHES, 2, 2 },
	{ "format_time", XFN_FORMAT_TIME, 2, 2 },
};

const size_t sl_xfn_count = sizeof sl_xfn_table / sizeof sl_xfn_table[0];

const char *sl_xfn_name(int fn)
{
	size_t i;

	for (i = 0; i < sl_xfn_count; i++)
		if (sl_xfn_table[i].fn == fn)
			return sl_xfn_table[i].name;
	return "?";
}

const char *sl_xop_name(int op)
{
	static const char *const names[] = { "literal", "field", "not", "-",
		"and", "or", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*",
		"/", "call", "metadata", "and", "or", "if", "if", "coalesce" };
	return op >= 0 && (size_t)op < sizeof names / sizeof names[0] ?
		names[op] : "?";
}

int sl_xfn_error(sl_error *why, int column, int fn, const char *fmt, ...)
{
	va_list ap;
	int n;

	why->kind = SL_ERR_RECORD;
	n = snprintf(why->message, sizeof why->message, "column %d: %s(): ",
		     column, sl_xfn_name(fn));
	va_start(ap, fmt);
	vsnprintf(why->message + n, sizeof why->message - (size_t)n, fmt, ap);
	va_end(ap);
	return SL_ERR;
}

int sl_xfn_no_memory(sl_error *why)
{
	why->kind = SL_ERR_RUNTIME;
	snprintf(why->message, sizeof why->message,
		 "out of memory evaluating an expression");
	return SL_ERR;
}
