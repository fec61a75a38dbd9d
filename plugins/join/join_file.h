/*
 * join_file.h - the join's table from a file (option table.path) instead
 * of its topic: what `sluice test` hands the join, a case's table rows.
 */
#ifndef JOIN_FILE_H
#define JOIN_FILE_H

#include <sluice/plugin.h>

#include "join_table.h"

/*
 * Read @p path into @p table, in order, as its topic would be: each line
 * KEY<@p sep>VALUE sets KEY, a line without @p sep is KEY's tombstone
 * (it deletes the key); empty lines are skipped.  SL_OK, or SL_ERR (the
 * file unreadable, out of memory).
 */
int join_file_read(const char *path, const char *sep, join_table *table,
		   sl_error *err);

#endif
