/*
 * file.c - the file plugin's entry point.
 */
#include <stdlib.h>
#include <string.h>

#include "file.h"

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

SL_PLUGIN("file", .source = &file_source_class, .sink = &file_sink_class)
