/*
 * text.h - a growing text buffer for what the endpoint renders (the
 * exposition, /status), written to with printf formats (text.c).
 */
#ifndef SL_OPS_TEXT_H
#define SL_OPS_TEXT_H

#include <stddef.h>
#include <sluice/host.h>

typedef struct sl_text {
	char *data;
	size_t len, cap;
	int failed;              /* out of memory: the text is cut short */
} sl_text;

void sl_text_printf(sl_text *t, const char *fmt, ...) SL_PRINTF(2, 3);
/* @p s as a JSON string, quotes included (ill-formed UTF-8 as U+FFFD). */
void sl_text_json_string(sl_text *t, const char *s);
/* @p s as a Prometheus label value: \, " and newline escaped. */
void sl_text_label_value(sl_text *t, const char *s);
void sl_text_free(sl_text *t);

#endif
