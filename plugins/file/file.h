/*
 * file.h - the file plugin: lines of a file (or stdin) in, lines out.
 */
#ifndef FILE_PLUGIN_H
#define FILE_PLUGIN_H

#include <sluice/plugin.h>

extern const sl_source_class file_source_class;
extern const sl_sink_class file_sink_class;

/* How messages name standard input and output (`path = -`). */
#define FILE_STDIN_NAME "<stdin>"
#define FILE_STDOUT_NAME "<stdout>"

/* key.separator, with \t read as a tab (malloc'd), or NULL when unset. */
char *file_key_separator(const sl_stage *stage);

/* Option `fields` checked (file_fields.h), for source and sink. */
int file_check(const sl_stage *stage, sl_error *err);

#endif
