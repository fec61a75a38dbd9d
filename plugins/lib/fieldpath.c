/*
 * fieldpath.c - dot-separated field names, parsed once, looked up per
 * record with no allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldpath.h"

int slop_path_parse(slop_path *path, const char *text, size_t len,
		    const char **why)
{
	size_t i, start = 0, n = 1;
	uint32_t k = 0;
	char *copy;

	memset(path, 0, sizeof *path);
	for (i = 0; i < len; i++)
		n += text[i] == '.';
	copy = malloc(len + 1);
	path->names = malloc(n * sizeof *path->names);
	if (copy == NULL || path->names == NULL) {
		free(copy);
		free(path->names);
		path->names = NULL;
		return -2;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	path->text = copy;
	for (i = 0; i <= len; i++) {
		if (i < len && copy[i] != '.')
			continue;
		if (i == start) {
			*why = len == 0 ? "empty field name" :
			       "empty name between dots";
			slop_path_free(path);
			return -1;
		}
		path->names[k].name = copy + start;
		path->names[k].len = (uint32_t)(i - start);
		k++;
		start = i + 1;
	}
	/* `value` at the start is the root, as in expressions */
	if (k > 0 && path->names[0].len == 5 &&
	    memcmp(path->names[0].name, "value", 5) == 0) {
		memmove(path->names, path->names + 1, (k - 1) * sizeof *path->names);
		k--;
	}
	path->count = k;
	return 0;
}

void slop_path_free(slop_path *path)
{
	free(path->text);
	free(path->names);
	memset(path, 0, sizeof *path);
}

const sl_value *slop_path_get(const slop_path *path, const sl_value *value)
{
	uint32_t i;

	for (i = 0; value != NULL && i < path->count; i++)
		value = sl_value_member_n(value, path->names[i].name,
					  path->names[i].len);
	return value;
}
