/*
 * fieldpath.h - a field named in an option (`field = user.id`,
 * `sum(amount)`, `drop = a.b`, `event:ts`): dot-separated names looked up
 * in a record's value.  A leading `value` names the whole value, as in
 * expressions, so `value` alone is the value itself.
 */
#ifndef SLOP_FIELDPATH_H
#define SLOP_FIELDPATH_H

#include <sluice/plugin.h>

typedef struct slop_name {
	const char *name;
	uint32_t len;
} slop_name;

typedef struct slop_path {
	char *text;        /* the path as written (owned) */
	slop_name *names;  /* into a copy of text (owned, with names) */
	uint32_t count;    /* 0: the whole value */
} slop_path;

/*
 * Parse @p text ("a.b", "value", "value.a") of @p len bytes into @p path.
 * Returns 0, -1 for an empty name ("a..b", ".a", "") with @p why set to a
 * short reason, or -2 when out of memory.
 */
int slop_path_parse(slop_path *path, const char *text, size_t len,
		    const char **why);
void slop_path_free(slop_path *path);

/* The field of @p value at @p path, or NULL when missing. */
const sl_value *slop_path_get(const slop_path *path, const sl_value *value);

#endif
