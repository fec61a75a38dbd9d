/*
 * error.h - errors pass up as values (sl_error, sluice/host.h); each
 * level they pass through puts its context in front of the message, and
 * the top prints it once.
 */
#ifndef SL_BASE_ERROR_H
#define SL_BASE_ERROR_H

#include <stdarg.h>
#include <sluice/host.h>

/* Set @p err (may be NULL) to @p kind and the printf-style message;
 * returns SL_ERR.  The host table's error_set is this. */
int sl_error_setf(sl_error *err, sl_error_kind kind, const char *fmt, ...)
	SL_PRINTF(3, 4);
int sl_error_vsetf(sl_error *err, sl_error_kind kind, const char *fmt,
		   va_list ap) SL_PRINTF(3, 0);

/* Put "prefix" (printf-style) in front of err's message. */
void sl_error_prefix(sl_error *err, const char *fmt, ...) SL_PRINTF(2, 3);

#endif
