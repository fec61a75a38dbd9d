/*
 * expr_func.c - the functions of the expression language: length, lower,
 * upper, string, number, contains, starts_with, substr (matches() is in
 * expr_regex.c, format_time() in expr_time.c; if() and coalesce() are
 * jumps, expr_eval.c).  A null argument gives null.
 *
 * lower() and upper() map ASCII letters only (other bytes are kept), and
 * give back the argument itself when nothing changes, so the common case
 * allocates nothing.  length() counts characters (code points) of a
 * string, items of an array, members of an object and bytes of bytes.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_internal.h"
#include "base/json_write.h"

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
		return sl_xfn_error(why, column, XFN_LENGTH,
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
		return sl_xfn_error(why, column, fn, "needs a string, got %s",
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
		return sl_xfn_no_memory(why);
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
			return sl_xfn_error(why, column, XFN_STRING,
					"the number is not finite");
		if (rc != 0)
			return sl_xfn_no_memory(why);
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
		return sl_xfn_error(why, column, XFN_NUMBER, "\"%.*s\" is not a number",
				(int)(a->len > 40 ? 40 : a->len), a->as.s);
	default:
		return sl_xfn_error(why, column, XFN_NUMBER,
				"cannot convert %s to a number",
				sl_type_name(a->type));
	}
}

/* Is @p v text (a string, or bytes compared byte for byte)? */
static int is_text(const sl_value *v)
{
	return v->type == SL_TSTRING || v->type == SL_TBYTES;
}

/* contains(s, sub), starts_with(s, prefix): bytes compared as they are. */
static int fn_contains(const sl_xnode *n, const sl_value *s,
		       const sl_value *sub, sl_value *out, sl_error *why)
{
	const char *p, *end;

	if (!is_text(s) || !is_text(sub))
		return sl_xfn_error(why, n->column, n->fn,
				    "needs two strings, got %s and %s",
				    sl_type_name(s->type),
				    sl_type_name(sub->type));
	if (sub->len > s->len) {
		*out = sl_value_bool(0);
		return SL_OK;
	}
	if (sub->len == 0) {
		*out = sl_value_bool(1);
		return SL_OK;
	}
	if (n->fn == XFN_STARTS_WITH) {
		*out = sl_value_bool(memcmp(s->as.s, sub->as.s, sub->len) == 0);
		return SL_OK;
	}
	end = s->as.s + (s->len - sub->len);
	for (p = s->as.s; p <= end; p++) {
		p = memchr(p, sub->as.s[0], (size_t)(end - p) + 1);
		if (p == NULL)
			break;
		if (memcmp(p, sub->as.s, sub->len) == 0) {
			*out = sl_value_bool(1);
			return SL_OK;
		}
	}
	*out = sl_value_bool(0);
	return SL_OK;
}

/* Byte offset of character @p index of UTF-8 @p s (@p len when past). */
static uint32_t char_offset(const char *s, uint32_t len, int64_t index)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && index-- == 0)
			return i;
	return len;
}

static int64_t char_count(const sl_value *s)
{
	uint32_t i;
	int64_t n = 0;

	for (i = 0; i < s->len; i++)
		n += ((unsigned char)s->as.s[i] & 0xC0) != 0x80;
	return n;
}

/*
 * substr(s, start[, len]): characters (code points) of a string, bytes of
 * bytes.  start counts from 1; a negative start counts from the end (-1
 * is the last character); start 0 is an error, as is a negative length.
 * What lies past the end is not there: substr("ab", 5) is "".
 */
static int fn_substr(const sl_xnode *n, const sl_value *args, uint32_t argc,
		     sl_value *out, sl_error *why)
{
	const sl_value *s = &args[0];
	int64_t start, len = INT64_MAX, total;
	uint32_t from, to;

	if (!is_text(s))
		return sl_xfn_error(why, n->column, XFN_SUBSTR,
				    "needs a string, got %s",
				    sl_type_name(s->type));
	if (args[1].type != SL_TINT || (argc == 3 && args[2].type != SL_TINT))
		return sl_xfn_error(why, n->column, XFN_SUBSTR,
				    "start and length must be integers, got %s",
				    sl_type_name(args[1].type != SL_TINT ?
						 args[1].type : args[2].type));
	start = args[1].as.i;
	if (argc == 3)
		len = args[2].as.i;
	if (start == 0)
		return sl_xfn_error(why, n->column, XFN_SUBSTR,
				    "start counts from 1 (or from -1 at the "
				    "end), got 0");
	if (len < 0)
		return sl_xfn_error(why, n->column, XFN_SUBSTR,
				    "negative length %" PRId64, len);
	total = s->type == SL_TSTRING ? char_count(s) : (int64_t)s->len;
	if (start > 0)
		start--;
	else
		start = start < -total ? 0 : total + start;
	if (start >= total || len == 0) {
		*out = s->type == SL_TSTRING ? sl_value_string("", 0)
					     : sl_value_bytes("", 0);
		return SL_OK;
	}
	if (len > total - start)
		len = total - start;
	if (s->type == SL_TBYTES) {
		*out = sl_value_bytes(s->as.s + start, (size_t)len);
		return SL_OK;
	}
	from = char_offset(s->as.s, s->len, start);
	to = from + char_offset(s->as.s + from, s->len - from, len);
	*out = sl_value_string(s->as.s + from, to - from);
	return SL_OK;
}

int sl_xfn_apply(const sl_xnode *n, const sl_value *args, uint32_t argc,
		 sl_arena *arena, sl_value *out, sl_error *why)
{
	uint32_t i;

	for (i = 0; i < argc; i++)
		if (args[i].type == SL_TNULL) {
			*out = sl_value_null();
			return SL_OK;
		}
	switch (n->fn) {
	case XFN_LENGTH:
		return fn_length(n->column, args, out, why);
	case XFN_LOWER:
	case XFN_UPPER:
		return fn_case(n->fn, n->column, args, arena, out, why);
	case XFN_STRING:
		return fn_string(n->column, args, arena, out, why);
	case XFN_NUMBER:
		return fn_number(n->column, args, out, why);
	case XFN_CONTAINS:
	case XFN_STARTS_WITH:
		return fn_contains(n, &args[0], &args[1], out, why);
	case XFN_SUBSTR:
		return fn_substr(n, args, argc, out, why);
	case XFN_MATCHES:
		return sl_xregex_match(n, n->regex, &args[0], &args[1], out,
				       why);
	default:
		return sl_xtime_format(n, &args[0], &args[1], arena, out, why);
	}
}
