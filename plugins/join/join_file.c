/*
 * join_file.c - the join's table read from a file (join_file.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join_file.h"

int join_file_read(const char *path, const char *sep, join_table *table,
		   sl_error *err)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0, sep_len = strlen(sep);
	char *line = NULL;
	ssize_t len;
	int rc = SL_OK;

	if (f == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot open table.path "
				    "%s: %s", path, strerror(errno));
	while (rc == SL_OK && (len = getline(&line, &cap, f)) >= 0) {
		char *at;

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		at = sep_len > 0 ? strstr(line, sep) : NULL;
		if (at == NULL)
			join_table_delete(table, line, (size_t)len);
		else if (join_table_put(table, line, (size_t)(at - line),
					at + sep_len,
					(size_t)(line + len - at) - sep_len) != 0)
			rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory "
					  "reading table.path %s", path);
	}
	if (rc == SL_OK && ferror(f))
		rc = sl_error_set(err, SL_ERR_RUNTIME, "cannot read table.path "
				  "%s: %s", path, strerror(errno));
	free(line);
	fclose(f);
	return rc;
}
