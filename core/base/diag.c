/*
 * diag.c - collect "FILE:LINE: message" lines.
 *
 * Running out of memory while reporting must not make a broken job look
 * clean: a message that cannot be formatted still takes a slot (NULL,
 * printed as "out of memory"); the slots are taken once, with the first
 * problem.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/job_limits.h"

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

/* Where a new problem at @p line goes; -1 when it is only counted. */
static long slot_for(sl_diag *diag, int line)
{
	size_t i, last = 0;

	if (diag->count < SL_DIAG_MAX_SHOWN)
		return (long)diag->count;
	for (i = 1; i < diag->count; i++)
		if (diag->at[i] > diag->at[last] ||
		    (diag->at[i] == diag->at[last] && diag->seq[i] > diag->seq[last]))
			last = i;
	diag->more++;
	return line < diag->at[last] ? (long)last : -1;
}

static void add_v(sl_diag *diag, const char *file, int line, const char *fmt,
		  va_list ap)
{
	char *msg, *text;
	long slot;

	if (diag->lines == NULL) {
		diag->lines = calloc(SL_DIAG_MAX_SHOWN, sizeof *diag->lines);
		diag->at = calloc(SL_DIAG_MAX_SHOWN, sizeof *diag->at);
		diag->seq = calloc(SL_DIAG_MAX_SHOWN, sizeof *diag->seq);
		if (diag->file == NULL && file != NULL)
			diag->file = strdup(file);
		if (diag->lines == NULL || diag->at == NULL || diag->seq == NULL) {
			/* nowhere to keep it: still counted, so never clean */
			free(diag->lines);
			free(diag->at);
			free(diag->seq);
			diag->lines = NULL;
			diag->at = NULL;
			diag->seq = NULL;
			diag->more++;
			return;
		}
	}
	if ((slot = slot_for(diag, line)) < 0)
		return;
	msg = format_message(fmt, ap);
	text = with_location(file, line, msg);
	free(msg);
	if ((size_t)slot == diag->count)
		diag->count++;
	else
		free(diag->lines[slot]);
	diag->lines[slot] = text; /* NULL when out of memory: printed as such */
	diag->at[slot] = line;
	diag->seq[slot] = diag->count + diag->more;
}

void sl_diag_add(sl_diag *diag, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_v(diag, file, line, fmt, ap);
	va_end(ap);
}

void sl_diag_at(sl_diag_in *in, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_v(in->diag, in->file, line, fmt, ap);
	va_end(ap);
	in->added++;
}

size_t sl_diag_total(const sl_diag *diag)
{
	return diag->count + diag->more;
}

void sl_diag_sort(sl_diag *diag)
{
	size_t i, j;

	/* insertion sort: a few lines */
	for (i = 1; i < diag->count; i++) {
		char *text = diag->lines[i];
		int at = diag->at[i];
		size_t seq = diag->seq[i];

		for (j = i; j > 0 && (diag->at[j - 1] > at ||
				      (diag->at[j - 1] == at && diag->seq[j - 1] > seq)); j--) {
			diag->lines[j] = diag->lines[j - 1];
			diag->at[j] = diag->at[j - 1];
			diag->seq[j] = diag->seq[j - 1];
		}
		diag->lines[j] = text;
		diag->at[j] = at;
		diag->seq[j] = seq;
	}
}

void sl_diag_print(const sl_diag *diag)
{
	size_t i;

	for (i = 0; i < diag->count; i++)
		fprintf(stderr, "%s\n",
			diag->lines[i] ? diag->lines[i] : "sluice: out of memory");
	if (diag->more > 0)
		fprintf(stderr, "%s%sand %zu more problem%s (only the first %d are "
			"shown)\n", diag->file ? diag->file : "",
			diag->file ? ": " : "", diag->more,
			diag->more == 1 ? "" : "s", SL_DIAG_MAX_SHOWN);
}

void sl_diag_free(sl_diag *diag)
{
	size_t i;

	for (i = 0; i < diag->count; i++)
		free(diag->lines[i]);
	free(diag->lines);
	free(diag->at);
	free(diag->seq);
	free(diag->file);
	memset(diag, 0, sizeof *diag);
}
