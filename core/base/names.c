/*
 * names.c - the name index (names.h) on libc's tsearch(3) tree.
 */
#define _GNU_SOURCE /* tdestroy */
#include "config.h"

#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "base/names.h"

typedef struct name_ref {
	const char *name;
	size_t len;
	size_t pos;
} name_ref;

/* Bytes first, then length: names need not be NUL-terminated to look up. */
static int compare(const void *a, const void *b)
{
	const name_ref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->name, y->name, n);

	if (r != 0)
		return r;
	return x->len < y->len ? -1 : x->len > y->len;
}

long sl_names_find(const sl_names *names, const char *name, size_t len)
{
	name_ref key = { name, len, 0 };
	name_ref *const *found = tfind(&key, &names->root, compare);

	return found != NULL ? (long)(*found)->pos : -1;
}

int sl_names_add(sl_names *names, const char *name, size_t pos)
{
	name_ref *e = malloc(sizeof *e);
	name_ref *const *slot;

	if (e == NULL)
		return -1;
	e->name = name;
	e->len = strlen(name);
	e->pos = pos;
	slot = tsearch(e, &names->root, compare);
	if (slot == NULL || *slot != e) {
		free(e); /* out of memory, or the name is there already */
		return slot == NULL ? -1 : 0;
	}
	return 0;
}

void sl_names_clear(sl_names *names)
{
	tdestroy(names->root, free);
	names->root = NULL;
}
