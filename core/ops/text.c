/*
 * text.c - see text.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "ops/text.h"

static int reserve(sl_text *t, size_t more)
{
	char *grown;
	size_t cap;

	if (t->failed)
		return -1;
	if (t->len + more + 1 <= t->cap)
		return 0;
	cap = t->cap ? t->cap : 4096;
	while (cap < t->len + more + 1)
		cap *= 2;
	grown = realloc(t->data, cap);
	if (grown == NULL) {
		t->failed = 1;
		return -1;
	}
	t->data = grown;
	t->cap = cap;
	return 0;
}

void sl_text_printf(sl_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(t, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void put(sl_text *t, const char *p, size_t n)
{
	if (reserve(t, n) != 0)
		return;
	memcpy(t->data + t->len, p, n);
	t->len += n;
	t->data[t->len] = '\0';
}

void sl_text_json_string(sl_text *t, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t len = strlen(s), i = 0;

	put(t, "\"", 1);
	while (i < len) {
		size_t end = i + sl_utf8_valid_prefix(p + i, len - i);

		for (; i < end; i++) {
			char esc[8];

			if (p[i] == '"' || p[i] == '\\') {
				esc[0] = '\\';
				esc[1] = (char)p[i];
				put(t, esc, 2);
			} else if (p[i] < 0x20) {
				snprintf(esc, sizeof esc, "\\u%04x", p[i]);
				put(t, esc, 6);
			} else {
				put(t, (const char *)p + i, 1);
			}
		}
		if (i < len) {
			put(t, "\\ufffd", 6);
			i++;
		}
	}
	put(t, "\"", 1);
}

void sl_text_label_value(sl_text *t, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			put(t, "\\\\", 2);
		else if (*s == '"')
			put(t, "\\\"", 2);
		else if (*s == '\n')
			put(t, "\\n", 2);
		else
			put(t, s, 1);
	}
}

void sl_text_free(sl_text *t)
{
	free(t->data);
	t->data = NULL;
	t->len = t->cap = 0;
}
