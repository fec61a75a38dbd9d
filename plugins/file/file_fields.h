/*
 * file_fields.h - the file plugin's `fields`: what each line holds
 * besides the value (a timestamp, the key, headers), in order, between
 * key.separator's.
 */
#ifndef FILE_FIELDS_H
#define FILE_FIELDS_H

#include <stddef.h>

#include <sluice/plugin.h>

enum file_field_kind { FIELD_TIMESTAMP, FIELD_KEY, FIELD_HEADER, FIELD_VALUE };

typedef struct file_field {
	enum file_field_kind kind;
	char *header;    /* FIELD_HEADER: the header's name */
} file_field;

typedef struct file_fields {
	file_field *list; /* the last one is FIELD_VALUE */
	size_t count;     /* 0: fields is not set */
	size_t headers;   /* how many are FIELD_HEADER */
} file_fields;

/*
 * Read option `fields` of @p stage into @p f (count 0 when unset):
 * "timestamp", "key" and "header.NAME" in any order, once each, then
 * "value"; it needs key.separator.  SL_OK, or SL_ERR (a config error).
 */
int file_fields_parse(const sl_stage *stage, file_fields *f, sl_error *err);

void file_fields_free(file_fields *f);

#endif
