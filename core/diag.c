/*
 * diag.c - collect "FILE:LINE: message" lines.
 *
 * Running out of memory while reporting must not make a broken job look
 * clean: a message that cannot be formatted still takes a slot (NULL,
 * printed as "out of memory"), and when even the slot cannot be had the
 * previous message is replaced by that marker.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static char *format_message(const char *fmt, va_list ap)
{
	va_list copy;
	char *msg;
	int len;

	va_copy(copy, ap);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0 || (msg = malloc((size_t)len + 1)) == NULL)
		return NULL;
	vsnprintf(msg, (size_t)len + 1, fmt, ap);
	return msg;
}

/*
 * One problem, one line: a value that spans lines (an inih continuation)
 * or holds control characters is shown escaped.
 */
static size_t escaped_len(const char *msg)
{
	size_t n = 0;

	for (; *msg; msg++)
		n += (unsigned char)*msg < 0x20 && *msg != '\t' ? 4 : 1;
	return n;
}

static void escape_into(char *out, const char *msg)
{
	for (; *msg; msg++) {
		unsigned char c = (unsigned char)*msg;

		if (c == '\n') {
			memcpy(out, "\\n", 2);
			out += 2;
		} else if (c < 0x20 && c != '\t') {
			snprintf(out, 5, "\\x%02x", c);
			out += 4;
		} else {
			*out++ = (char)c;
		}
	}
	*out = '\0';
}

static char *with_location(const char *file, int line, const char *msg)
{
	size_t size, used;
	char *text;

	if (msg == NULL)
		return NULL;
	if (file == NULL)
		file = "";
	size = strlen(file) + escaped_len(msg) + 32;
	if ((text = malloc(size)) == NULL)
		return NULL;
	if (*file == '\0')
		used = 0;
	else if (line > 0)
		used = (size_t)snprintf(text, size, "%s:%d: ", file, line);
	else
		used = (size_t)snprintf(text, size, "%s: ", file);
	escape_into(text + used, msg);
	return text;
}

void sl_diag_add(sl_diag *diag, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg, *text, **lines;

	va_start(ap, fmt);
	msg = format_message(fmt, ap);
	va_end(ap);
	text = with_location(file, line, msg);
	free(msg);

	lines = realloc(diag->lines, (diag->count + 1) * sizeof *lines);
	if (lines == NULL) {
		free(text);
		if (diag->count > 0) {
			free(diag->lines[diag->count - 1]);
			diag->lines[diag->count - 1] = NULL;
		}
		return;
	}
	diag->lines = lines;
	diag->lines[diag->count++] = text;
}

void sl_diag_print(const sl_diag *diag)
{
	size_t i;

	for (i = 0; i < diag->count; i++)
		fprintf(stderr, "%s\n",
			diag->lines[i] ? diag->lines[i] : "sluice: out of memory");
}

void sl_diag_free(sl_diag *diag)
{
	size_t i;

	for (i = 0; i < diag->count; i++)
		free(diag->lines[i]);
	free(diag->lines);
	diag->lines = NULL;
	diag->count = 0;
}
