/*
 * json_write.c - compact JSON writer for sl_value.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <sluice/decimal.h>

#include "base/json_write.h"

static int put(sl_buf *buf, const char *s, size_t n)
{
	return sl_buf_append(buf, s, n);
}

static int put_int(sl_buf *buf, int64_t i)
{
	if (sl_buf_reserve(buf, SL_DECIMAL_MAX) != 0)
		return -1;
	buf->len += sl_decimal_i64((char *)buf->data + buf->len, i);
	return 0;
}

/* The shortest decimal text that reads back as the same double. */
static int put_double(sl_buf *buf, double d)
{
	char tmp[40];
	int prec, n = 0;

	if (!isfinite(d))
		return -2;
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* keep it a JSON number that reads back as a double, not an int */
	if (strspn(tmp, "-0123456789") == (size_t)n && n + 2 < (int)sizeof tmp) {
		tmp[n++] = '.';
		tmp[n++] = '0';
	}
	return put(buf, tmp, (size_t)n);
}

/* The rest of a string from its first character that needs escaping. */
static int put_escaped(sl_buf *buf, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (put(buf, s + run, i - run) != 0)
			return -1;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		if (put(buf, esc, n) != 0)
			return -1;
	}
	if (put(buf, s + run, len - run) != 0)
		return -1;
	return put(buf, "\"", 1);
}

/* Most strings need no escape: they are copied as they are checked, into
 * room reserved once. */
static int put_string(sl_buf *buf, const char *s, size_t len)
{
	uint8_t *d;
	size_t i;

	if (sl_buf_reserve(buf, len + 2) != 0)
		return -1;
	d = buf->data + buf->len;
	*d++ = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\')
			break;
		d[i] = c;
	}
	buf->len += 1 + i;
	if (i < len)
		return put_escaped(buf, s + i, len - i);
	buf->data[buf->len++] = '"';
	return 0;
}

static int put_base64(sl_buf *buf, const uint8_t *p, size_t len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	char q[4];

	if (put(buf, "\"", 1) != 0)
		return -1;
	for (i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = left > 1 ? b64[(v >> 6) & 63] : '=';
		q[3] = left > 2 ? b64[v & 63] : '=';
		if (put(buf, q, 4) != 0)
			return -1;
	}
	return put(buf, "\"", 1);
}

int sl_json_write(const sl_value *v, sl_buf *buf)
{
	uint32_t i;
	int rc;

	switch (v->type) {
	case SL_TNULL:
		return put(buf, "null", 4);
	case SL_TBOOL:
		return v->as.b ? put(buf, "true", 4) : put(buf, "false", 5);
	case SL_TINT:
		return put_int(buf, v->as.i);
	case SL_TDOUBLE:
		return put_double(buf, v->as.d);
	case SL_TSTRING:
		return put_string(buf, v->as.s, v->len);
	case SL_TBYTES:
		return put_base64(buf, v->as.bytes, v->len);
	case SL_TARRAY:
		if (put(buf, "[", 1) != 0)
			return -1;
		for (i = 0; i < v->len; i++) {
			if (i > 0 && put(buf, ",", 1) != 0)
				return -1;
			if ((rc = sl_json_write(&v->as.items[i], buf)) != 0)
				return rc;
		}
		return put(buf, "]", 1);
	case SL_TOBJECT:
		if (put(buf, "{", 1) != 0)
			return -1;
		for (i = 0; i < v->len; i++) {
			const sl_member *m = &v->as.members[i];

			if (i > 0 && put(buf, ",", 1) != 0)
				return -1;
			if (put_string(buf, m->key, m->key_len) != 0 ||
			    put(buf, ":", 1) != 0)
				return -1;
			if ((rc = sl_json_write(&m->value, buf)) != 0)
				return rc;
		}
		return put(buf, "}", 1);
	}
	return put(buf, "null", 4);
}
