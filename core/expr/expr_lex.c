/*
 * expr_lex.c - the tokenizer of the expression language.
 *
 * Strings ("..." or '...') and quoted names (`page-url`) are decoded into
 * the expression's pool as they are read, so the parser only keeps
 * offsets; they must be UTF-8, as every string value is (the string and
 * json formats check their input), or they could not be written as JSON.
 * Numbers without a fraction or exponent are integers.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "expr/expr_lex.h"

int sl_xlex_error(sl_xlexer *lx, int column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lx->msg, lx->msgsize, fmt, ap);
	va_end(ap);
	lx->column = column;
	return -1;
}

long sl_xpool_add(sl_xpool *pool, const char *p, size_t len)
{
	size_t off = pool->len;

	if (pool->cap - pool->len < len + 1) {
		size_t cap = pool->cap ? pool->cap : 64;
		char *data;

		while (cap - pool->len < len + 1)
			cap *= 2;
		data = realloc(pool->data, cap);
		if (data == NULL)
			return -1;
		pool->data = data;
		pool->cap = cap;
	}
	if (len)
		memcpy(pool->data + off, p, len);
	pool->data[off + len] = '\0'; /* names are used with %s in messages */
	pool->len += len + 1;
	return (long)off;
}

static int column_of(const sl_xlexer *lx, const char *p)
{
	return (int)(p - lx->text) + 1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Write code point @p cp as UTF-8 into @p out; its length. */
static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* \uXXXX at @p p (after the 'u'); the code point or -1. */
static long hex4(const char *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int h = hex_value(p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* A quoted string or name closed by @p quote; decoded into the pool. */
static int lex_quoted(sl_xlexer *lx, sl_xtoken *tok, char quote)
{
	const char *p = lx->p + 1;
	size_t start = lx->pool->len;
	long off;

	for (;;) {
		const char *run = p;
		char buf[4];
		size_t n = 0, bad;
		long cp;

		while (*p != '\0' && *p != quote && *p != '\\')
			p++;
		/* runs end at ASCII bytes, so no sequence spans two runs */
		bad = sl_utf8_valid_prefix((const uint8_t *)run, (size_t)(p - run));
		if (run + bad < p)
			return sl_xlex_error(lx, column_of(lx, run + bad),
					     "invalid UTF-8 in a %s",
					     quote == '`' ? "quoted name" : "string");
		if (p > run && sl_xpool_add(lx->pool, run, (size_t)(p - run)) < 0)
			return sl_xlex_error(lx, 0, "out of memory");
		if (p > run)
			lx->pool->len--; /* keep appending over the NUL */
		if (*p == '\0')
			return sl_xlex_error(lx, tok->column,
					     "unterminated %s",
					     quote == '`' ? "quoted name" : "string");
		if (*p == quote)
			break;
		/* a backslash escape */
		switch (p[1]) {
		case '"': case '\'': case '`': case '\\': case '/':
			buf[n++] = p[1];
			p += 2;
			break;
		case 'n': buf[n++] = '\n'; p += 2; break;
		case 't': buf[n++] = '\t'; p += 2; break;
		case 'r': buf[n++] = '\r'; p += 2; break;
		case 'u':
			cp = hex4(p + 2);
			if (cp < 0)
				return sl_xlex_error(lx, column_of(lx, p),
						     "\\u needs four hex digits");
			if (cp >= 0xD800 && cp <= 0xDBFF && p[6] == '\\' &&
			    p[7] == 'u') {
				long lo = hex4(p + 8);
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					p += 6;
				}
			}
			if (cp >= 0xD800 && cp <= 0xDFFF)
				return sl_xlex_error(lx, column_of(lx, p),
						     "\\u escape is a lone surrogate");
			n = utf8_put((uint32_t)cp, buf);
			p += 6;
			break;
		default:
			return sl_xlex_error(lx, column_of(lx, p),
					     "unknown escape '\\%c'",
					     p[1] ? p[1] : ' ');
		}
		if (sl_xpool_add(lx->pool, buf, n) < 0)
			return sl_xlex_error(lx, 0, "out of memory");
		lx->pool->len--;
	}
	/* terminate the decoded bytes */
	off = sl_xpool_add(lx->pool, "", 0);
	if (off < 0)
		return sl_xlex_error(lx, 0, "out of memory");
	tok->off = (uint32_t)start;
	tok->slen = (uint32_t)((size_t)off - start);
	tok->kind = quote == '`' ? TK_QNAME : TK_STRING;
	if (tok->kind == TK_QNAME && tok->slen == 0)
		return sl_xlex_error(lx, tok->column, "empty quoted name");
	lx->p = p + 1;
	return 0;
}

static int lex_number(sl_xlexer *lx, sl_xtoken *tok)
{
	const char *p = lx->p;
	char buf[64], *end;
	size_t n;
	int real = 0;

	while (is_digit(*p))
		p++;
	if (*p == '.' && is_digit(p[1])) {
		real = 1;
		for (p++; is_digit(*p); p++)
			;
	}
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		if (*q == '+' || *q == '-')
			q++;
		if (is_digit(*q)) {
			real = 1;
			for (p = q; is_digit(*p); p++)
				;
		}
	}
	if (is_name_start(*p) || is_digit(*p))
		return sl_xlex_error(lx, column_of(lx, p),
				     "unexpected '%c' after a number", *p);
	n = (size_t)(p - lx->p);
	if (n >= sizeof buf)
		return sl_xlex_error(lx, tok->column, "number too long");
	memcpy(buf, lx->p, n);
	buf[n] = '\0';
	errno = 0;
	if (real) {
		tok->kind = TK_DOUBLE;
		tok->d = strtod(buf, &end);
		if (errno == ERANGE && (tok->d > 1 || tok->d < -1))
			return sl_xlex_error(lx, tok->column, "number out of range");
	} else {
		/* -9223372036854775808 is a '-' and a number one past INT64_MAX */
		unsigned long long u = strtoull(buf, &end, 10);

		tok->kind = TK_INT;
		if (errno == ERANGE || u > (unsigned long long)INT64_MAX + 1)
			return sl_xlex_error(lx, tok->column,
					     "integer out of range (64-bit)");
		tok->only_negated = u > (unsigned long long)INT64_MAX;
		tok->i = tok->only_negated ? INT64_MIN : (int64_t)u;
	}
	lx->p = p;
	return 0;
}

int sl_xlex_next(sl_xlexer *lx, sl_xtoken *tok)
{
	const char *p;
	int rc = 0;

	while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' ||
	       *lx->p == '\r')
		lx->p++;
	p = lx->p;
	memset(tok, 0, sizeof *tok);
	tok->column = column_of(lx, p);
	tok->start = p;
	if (*p == '\0') {
		tok->kind = TK_END;
	} else if (is_digit(*p) || (*p == '.' && is_digit(p[1]))) {
		rc = lex_number(lx, tok);
	} else if (is_name_start(*p)) {
		while (is_name_start(*lx->p) || is_digit(*lx->p))
			lx->p++;
		tok->kind = TK_IDENT;
	} else if (*p == '"' || *p == '\'' || *p == '`') {
		rc = lex_quoted(lx, tok, *p);
	} else {
		int two = p[1] == '=';

		lx->p += 1;
		switch (*p) {
		case '(': tok->kind = TK_LPAREN; break;
		case ')': tok->kind = TK_RPAREN; break;
		case '[': tok->kind = TK_LBRACKET; break;
		case ']': tok->kind = TK_RBRACKET; break;
		case '.': tok->kind = TK_DOT; break;
		case ',': tok->kind = TK_COMMA; break;
		case '+': tok->kind = TK_PLUS; break;
		case '-': tok->kind = TK_MINUS; break;
		case '*': tok->kind = TK_STAR; break;
		case '/': tok->kind = TK_SLASH; break;
		case '<': tok->kind = two ? TK_LE : TK_LT; lx->p += two; break;
		case '>': tok->kind = two ? TK_GE : TK_GT; lx->p += two; break;
		case '=':
			if (!two)
				return sl_xlex_error(lx, tok->column,
						     "'=' is not an operator; "
						     "compare with '=='");
			tok->kind = TK_EQ;
			lx->p++;
			break;
		case '!':
			if (!two)
				return sl_xlex_error(lx, tok->column,
						     "'!' is not an operator; "
						     "use 'not' or '!='");
			tok->kind = TK_NE;
			lx->p++;
			break;
		case '&': case '|':
			return sl_xlex_error(lx, tok->column,
					     "'%c' is not an operator; use '%s'",
					     *p, *p == '&' ? "and" : "or");
		default:
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7F)
				return sl_xlex_error(lx, tok->column,
						     "unexpected byte 0x%02x",
						     (unsigned char)*p);
			return sl_xlex_error(lx, tok->column,
					     "unexpected '%c'", *p);
		}
	}
	tok->len = (size_t)(lx->p - p);
	return rc;
}
