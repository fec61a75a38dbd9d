/*
 * diag.h - problems found in a job file, one "FILE:LINE: message" each.
 *
 * Validation reports every problem it finds, not just the first, so a user
 * fixes a job file in one pass.
 */
#ifndef SL_DIAG_H
#define SL_DIAG_H

#include <stddef.h>
#include <sluice/host.h>

typedef struct sl_diag {
	char **lines;
	size_t count;
} sl_diag;

/* Add "FILE:LINE: message"; a line of 0 leaves out the line number. */
void sl_diag_add(sl_diag *diag, const char *file, int line, const char *fmt, ...)
	SL_PRINTF(4, 5);
/* Print every line to stderr. */
void sl_diag_print(const sl_diag *diag);
void sl_diag_free(sl_diag *diag);

#endif
