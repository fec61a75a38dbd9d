/*
 * pg_rows.c - values as fields of COPY's text format: tab-separated,
 * \N for NULL, backslash escapes for the characters that would end a
 * field or a row.  Values only ever travel as COPY data, never as SQL.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/decimal.h>

#include "pg_internal.h"

int pg_text_reserve(pg_text *t, size_t more)
{
	size_t cap;
	char *p;

	if (t->cap - t->len >= more)
		return 0;
	cap = t->cap ? t->cap * 2 : 4096;
	while (cap - t->len < more)
		cap *= 2;
	if ((p = realloc(t->data, cap)) == NULL)
		return -1;
	t->data = p;
	t->cap = cap;
	return 0;
}

int pg_text_append(pg_text *t, const void *p, size_t len)
{
	if (pg_text_reserve(t, len) != 0)
		return -1;
	if (len)
		memcpy(t->data + t->len, p, len);
	t->len += len;
	return 0;
}

void pg_text_free(pg_text *t)
{
	free(t->data);
	memset(t, 0, sizeof *t);
}

/* Text with COPY's escapes; a NUL byte is passed on for the server to
 * refuse (text cannot hold it), which makes it the row's fault. */
int pg_escaped_append(pg_text *t, const char *s, size_t len)
{
	size_t i;

	if (pg_text_reserve(t, 2 * len) != 0)
		return -1;
	for (i = 0; i < len; i++) {
		char c = s[i], e = 0;

		switch (c) {
		case '\\': e = '\\'; break;
		case '\t': e = 't'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		default: break;
		}
		if (e) {
			t->data[t->len++] = '\\';
			t->data[t->len++] = e;
		} else {
			t->data[t->len++] = c;
		}
	}
	return 0;
}

static int append_double(pg_text *t, double d)
{
	char num[40];

	if (isnan(d))
		return pg_text_append(t, "NaN", 3);
	if (isinf(d))
		return d > 0 ? pg_text_append(t, "Infinity", 8)
			     : pg_text_append(t, "-Infinity", 9);
	/* 17 digits: the double the server reads back is this one */
	snprintf(num, sizeof num, "%.17g", d);
	return pg_text_append(t, num, strlen(num));
}

/* bytea's hex form, its backslash escaped for COPY: \\x0aff */
int pg_bytes_append(pg_text *t, const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (pg_text_reserve(t, 3 + 2 * len) != 0)
		return -1;
	memcpy(t->data + t->len, "\\\\x", 4 - 1);
	t->len += 3;
	for (i = 0; i < len; i++) {
		t->data[t->len++] = hex[p[i] >> 4];
		t->data[t->len++] = hex[p[i] & 15];
	}
	return 0;
}

int pg_field_append(pg_text *t, const sl_value *v, sl_arena *arena)
{
	char num[SL_DECIMAL_MAX];
	sl_buf json = { NULL, 0, 0, arena };
	int rc;

	if (v == NULL)
		return pg_text_append(t, "\\N", 2);
	switch (v->type) {
	case SL_TNULL:
		return pg_text_append(t, "\\N", 2);
	case SL_TBOOL:
		return pg_text_append(t, v->as.b ? "t" : "f", 1);
	case SL_TINT:
		return pg_text_append(t, num, sl_decimal_i64(num, v->as.i));
	case SL_TDOUBLE:
		return append_double(t, v->as.d);
	case SL_TSTRING:
		return pg_escaped_append(t, v->as.s, v->len);
	case SL_TBYTES:
		return pg_bytes_append(t, v->as.bytes, v->len);
	case SL_TARRAY:
	case SL_TOBJECT:
		if ((rc = sl_value_to_json(v, &json)) != 0)
			return rc;
		return pg_escaped_append(t, (const char *)json.data, json.len);
	}
	return pg_text_append(t, "\\N", 2);
}
