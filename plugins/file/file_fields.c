/*
 * file_fields.c - option `fields` read and checked (file_fields.h).
 */
#include <stdlib.h>
#include <string.h>

#include "file_fields.h"

void file_fields_free(file_fields *f)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		free(f->list[i].header);
	free(f->list);
	memset(f, 0, sizeof *f);
}

/* Is field @p i of @p f the same as the one before it? */
static int repeated(const file_fields *f, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (f->list[j].kind == f->list[i].kind &&
		    (f->list[i].kind != FIELD_HEADER ||
		     strcmp(f->list[j].header, f->list[i].header) == 0))
			return 1;
	return 0;
}

int file_fields_parse(const sl_stage *stage, file_fields *f, sl_error *err)
{
	const char *text = sl_option(stage, "fields"), *p;

	memset(f, 0, sizeof *f);
	if (text == NULL)
		return SL_OK;
	if (sl_option(stage, "key.separator") == NULL)
		return sl_config_error(stage, "fields", err, "needs key.separator: "
				       "the text between a line's fields");
	for (p = text; *p;) {
		size_t len = strcspn(p, ","), start = 0, end = len;
		file_field *grown, *field;

		while (start < end && (p[start] == ' ' || p[start] == '\t'))
			start++;
		while (end > start && (p[end - 1] == ' ' || p[end - 1] == '\t'))
			end--;
		grown = realloc(f->list, (f->count + 1) * sizeof *grown);
		if (grown == NULL)
			goto nomem;
		f->list = grown;
		field = &grown[f->count++];
		memset(field, 0, sizeof *field);
		if (end - start == 9 && memcmp(p + start, "timestamp", 9) == 0) {
			field->kind = FIELD_TIMESTAMP;
		} else if (end - start == 3 && memcmp(p + start, "key", 3) == 0) {
			field->kind = FIELD_KEY;
		} else if (end - start == 5 && memcmp(p + start, "value", 5) == 0) {
			field->kind = FIELD_VALUE;
		} else if (end - start > 7 && memcmp(p + start, "header.", 7) == 0) {
			field->kind = FIELD_HEADER;
			field->header = malloc(end - start - 6);
			if (field->header == NULL)
				goto nomem;
			memcpy(field->header, p + start + 7, end - start - 7);
			field->header[end - start - 7] = '\0';
			f->headers++;
		} else {
			sl_config_error(stage, "fields", err, "'%.*s': fields are "
					"timestamp, key, header.NAME and value",
					(int)(end - start), p + start);
			goto bad;
		}
		if (repeated(f, f->count - 1)) {
			sl_config_error(stage, "fields", err, "'%.*s' is given twice",
					(int)(end - start), p + start);
			goto bad;
		}
		p += len + (p[len] == ',');
	}
	if (f->count == 0 || f->list[f->count - 1].kind != FIELD_VALUE) {
		sl_config_error(stage, "fields", err, "'%s': the last field is "
				"value (it may hold the separator)", text);
		goto bad;
	}
	return SL_OK;
nomem:
	sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
bad:
	file_fields_free(f);
	return SL_ERR;
}
