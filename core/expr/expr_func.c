/*
 * expr_func.c - the functions of the expression language: length, lower,
 * upper, string, number.  Each takes one value; null gives null.
 *
 * lower() and upper() map ASCII letters only (other bytes are kept), and
 * give back the argument itself when nothing changes, so the common case
 * allocates nothing.  length() counts characters (code points) of a
 * string, items of an array, members of an object and bytes of bytes.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_internal.h"
#include "base/json_write.h"

static int fn_error(sl_error *why, int column, int fn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fn_error(sl_error *why, int column, int fn, const char *fmt, ...)
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

static int no_memory(sl_error *why)
{
	why->kind = SL_ERR_RUNTIME;
	snprintf(why->message, sizeof why->message,
		 "out of memory evaluating an expression");
	return SL_ERR;
}

static int fn_length(int column, const sl_value *a, sl_value *out,
		     sl_error *why)
{
	uint32_t i;
	int64_t n = 0;

	switch (a->type) {
	case SL_TSTRING:
		/* count the bytes that start a UTF-8 sequence */
		for (i = 0; i < a->len; i++)
			n += ((unsigned char)a->as.s[i] & 0xC0) != 0x80;
		break;
	case SL_TBYTES:
	case SL_TARRAY:
	case SL_TOBJECT:
		n = a->len;
		break;
	default:
		return fn_error(why, column, XFN_LENGTH,
				"needs a string, array or object, got %s",
				sl_type_name(a->type));
	}
	*out = sl_value_int(n);
	return SL_OK;
}

static int fn_case(int fn, int column, const sl_value *a, sl_arena *arena,
		   sl_value *out, sl_error *why)
{
	char from = fn == XFN_LOWER ? 'A' : 'a';
	uint32_t i, first;
	char *s;

	if (a->type != SL_TSTRING)
		return fn_error(why, column, fn, "needs a string, got %s",
				sl_type_name(a->type));
	for (first = 0; first < a->len; first++)
		if (a->as.s[first] >= from && a->as.s[first] <= from + 25)
			break;
	if (first == a->len) {
		*out = *a;
		return SL_OK;
	}
	s = sl_arena_alloc(arena, a->len);
	if (s == NULL)
		return no_memory(why);
	memcpy(s, a->as.s, a->len);
	for (i = first; i < a->len; i++)
		if (s[i] >= from && s[i] <= from + 25)
			s[i] = (char)(s[i] ^ 0x20);
	*out = sl_value_string(s, a->len);
	return SL_OK;
}

static int fn_string(int column, const sl_value *a, sl_arena *arena,
		     sl_value *out, sl_error *why)
{
	sl_buf buf = { NULL, 0, 0, arena };
	int rc;

	switch (a->type) {
	case SL_TSTRING:
		*out = *a;
		return SL_OK;
	case SL_TBOOL:
		*out = a->as.b ? sl_value_string("true", 4)
			       : sl_value_string("false", 5);
		return SL_OK;
	default:
		/* numbers as their decimal text, structures as compact JSON */
		rc = sl_json_write(a, &buf);
		if (rc == -2)
			return fn_error(why, column, XFN_STRING,
					"the number is not finite");
		if (rc != 0)
			return no_memory(why);
		*out = sl_value_string((const char *)buf.data, buf.len);
		return SL_OK;
	}
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Text to a number: decimal integers stay integers; surrounding blanks
 * are allowed, anything else (hex, inf, nan, "12abc") is an error. */
static int parse_number(const char *s, size_t len, sl_value *out)
{
	char buf[128], *end;
	size_t i, n;
	int integral = 1;

	while (len > 0 && is_space(*s))
		s++, len--;
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0 || len >= sizeof buf)
		return -1;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.' || c == 'e' || c == 'E')
			integral = 0;
		else if (!(c >= '0' && c <= '9') &&
			 !((c == '-' || c == '+') &&
			   (i == 0 || s[i - 1] == 'e' || s[i - 1] == 'E')))
			return -1;
	}
	n = len;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	if (integral) {
		long long v = strtoll(buf, &end, 10);
		if (*end == '\0' && errno == 0 && end != buf) {
			*out = sl_value_int((int64_t)v);
			return 0;
		}
	}
	errno = 0;
	*out = sl_value_double(strtod(buf, &end));
	if (*end != '\0' || end == buf || !isfinite(out->as.d))
		return -1;
	return 0;
}

static int fn_number(int column, const sl_value *a, sl_value *out,
		     sl_error *why)
{
	switch (a->type) {
	case SL_TINT:
	case SL_TDOUBLE:
		*out = *a;
		return SL_OK;
	case SL_TBOOL:
		*out = sl_value_int(a->as.b);
		return SL_OK;
	case SL_TSTRING:
		if (parse_number(a->as.s, a->len, out) == 0)
			return SL_OK;
		return fn_error(why, column, XFN_NUMBER, "\"%.*s\" is not a number",
				(int)(a->len > 40 ? 40 : a->len), a->as.s);
	default:
		return fn_error(why, column, XFN_NUMBER,
				"cannot convert %s to a number",
				sl_type_name(a->type));
	}
}

int sl_xfn_apply(int fn, int column, const sl_value *arg, sl_arena *arena,
		 sl_value *out, sl_error *why)
{
	if (arg->type == SL_TNULL) {
		*out = *arg;
		return SL_OK;
	}
	switch (fn) {
	case XFN_LENGTH:
		return fn_length(column, arg, out, why);
	case XFN_LOWER:
	case XFN_UPPER:
		return fn_case(fn, column, arg, arena, out, why);
	case XFN_STRING:
		return fn_string(column, arg, arena, out, why);
	default:
		return fn_number(column, arg, out, why);
	}
}
