/*
 * file.c - the file plugin's entry point.
 */
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "file_fields.h"

char *file_key_separator(const sl_stage *stage)
{
	const char *text = sl_option(stage, "key.separator");
	char *sep, *out;

	if (text == NULL || (sep = malloc(strlen(text) + 1)) == NULL)
		return NULL;
	/* \t: a tab, which a job file's value cannot hold otherwise */
	for (out = sep; *text; text++) {
		if (text[0] == '\\' && text[1] == 't') {
			*out++ = '\t';
			text++;
		} else {
			*out++ = *text;
		}
	}
	*out = '\0';
	return sep;
}

int file_check(const sl_stage *stage, sl_error *err)
{
	file_fields fields;

	if (file_fields_parse(stage, &fields, err) != SL_OK)
		return SL_ERR;
	file_fields_free(&fields);
	return SL_OK;
}

SL_PLUGIN("file", .source = &file_source_class, .sink = &file_sink_class)
