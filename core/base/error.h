/*
 * error.h - errors pass up as values (sl_error, sluice/host.h); each
 * level they pass through puts its context in front of the message, and
 * the top prints it once.
 */
#ifndef SL_BASE_ERROR_H
#define SL_BASE_ERROR_H

#include <sluice/host.h>

/* Put "prefix" (printf-style) in front of err's message. */
void sl_error_prefix(sl_error *err, const char *fmt, ...) SL_PRINTF(2, 3);

#endif
