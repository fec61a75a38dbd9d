/*
 * ini_lines.h - inih with line numbers, every section header, and no
 * silent truncation.
 *
 * Debian's inih is built without line numbers in its handler and without
 * a callback for section headers, and it cuts lines longer than its
 * buffer (200 bytes, fixed at its build).  sl_ini_parse() feeds inih from
 * memory through its own reader, which numbers the lines, sees every
 * header, reads a line too long for inih itself, and refuses one longer
 * than SL_JOB_MAX_LINE (job_limits.h) with a message.
 * Job files and plugin descriptors both parse through it.
 */
#ifndef SL_INI_LINES_H
#define SL_INI_LINES_H

#include <stddef.h>
#include "base/diag.h"

typedef struct sl_ini_handlers {
	/*
	 * A "[header]" line; @p header is the text between the brackets,
	 * trimmed.  NULL when the header could not be read (the problem is
	 * already reported): ignore keys until the next header.
	 */
	void (*section)(void *user, const char *header, int line);
	/* A "key = value" line (inih strips blanks and inline comments). */
	void (*key)(void *user, const char *key, const char *value, int line);
	/*
	 * An indented line after a key: inih continues that key's value with
	 * it (Python configparser style).  Append "\n" and @p text.
	 */
	void (*more)(void *user, const char *text, int line);
} sl_ini_handlers;

/*
 * Parse @p len bytes of @p text (named @p file in messages).  Syntax
 * problems go to @p diag as "FILE:LINE: message".  Returns the number of
 * problems reported, or -1 when out of memory.
 */
int sl_ini_parse(const char *file, const char *text, size_t len,
		 const sl_ini_handlers *handlers, void *user, sl_diag *diag);

/*
 * Read the whole file at @p path into a NUL-terminated buffer.  Returns 0,
 * or an errno value.
 */
int sl_read_file(const char *path, char **text, size_t *len);

/*
 * sl_read_file(), refusing a file of more than @p max bytes with EFBIG
 * without reading it all (a FIFO or /dev/zero too).
 */
int sl_read_file_max(const char *path, size_t max, char **text, size_t *len);

#endif
