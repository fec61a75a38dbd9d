/*
 * names.h - an index from names to positions in an array, so that a job
 * file's checks by name (a duplicate stage or key, a `from` list) take
 * logarithmic time, not a scan of every stage.
 *
 * The index keeps pointers to the names, not copies: a name must outlive
 * its entry.
 */
#ifndef SL_NAMES_H
#define SL_NAMES_H

#include <stddef.h>

typedef struct sl_names {
	void *root; /* tsearch(3) tree */
} sl_names;

/* The position of @p name (@p len bytes), or -1 when it is not there. */
long sl_names_find(const sl_names *names, const char *name, size_t len);

/*
 * Add @p name (NUL-terminated) at @p pos, unless it is there already (it
 * keeps its first position); 0, or -1 when out of memory.
 */
int sl_names_add(sl_names *names, const char *name, size_t pos);

/* Forget every entry; the index is then empty and reusable. */
void sl_names_clear(sl_names *names);

#endif
