/*
 * diag.h - problems found in a job file, one "FILE:LINE: message" each.
 *
 * Validation reports every problem it finds, not just the first, so a user
 * fixes a job file in one pass; but a file of a million broken lines must
 * not print a million messages.  The first SL_DIAG_MAX_SHOWN problems by
 * line are kept and the rest only counted ("and N more"), which also
 * bounds the memory and time reporting takes.
 */
#ifndef SL_DIAG_H
#define SL_DIAG_H

#include <stddef.h>
#include <sluice/host.h>

typedef struct sl_diag {
	char **lines;   /* the problems kept, at most SL_DIAG_MAX_SHOWN */
	size_t count;
	int *at;        /* the line of each, 0 for none */
	size_t *seq;    /* the order they came in */
	size_t more;    /* problems past those, counted only */
	char *file;     /* the file of the first problem */
} sl_diag;

/*
 * Add "FILE:LINE: message"; a line of 0 leaves out the line number.  Once
 * SL_DIAG_MAX_SHOWN are kept, a problem replaces the kept one with the
 * last line if it comes before it, and is counted in `more` otherwise.
 */
void sl_diag_add(sl_diag *diag, const char *file, int line, const char *fmt, ...)
	SL_PRINTF(4, 5);
/* The problems of one file, as a reader or checker reports them. */
typedef struct sl_diag_in {
	sl_diag *diag;
	const char *file;
	size_t added;   /* problems it reported */
} sl_diag_in;

/* sl_diag_add() in @p in's file, counted in @p in. */
void sl_diag_at(sl_diag_in *in, int line, const char *fmt, ...) SL_PRINTF(3, 4);

/* How many problems were added, kept or not. */
size_t sl_diag_total(const sl_diag *diag);
/* Order the kept problems by line, in the order they came among equals. */
void sl_diag_sort(sl_diag *diag);
/* Print every kept line to stderr, then "FILE: and N more problems". */
void sl_diag_print(const sl_diag *diag);
void sl_diag_free(sl_diag *diag);

#endif
