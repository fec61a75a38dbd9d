/*
 * error.c - see error.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"

int sl_error_vsetf(sl_error *err, sl_error_kind kind, const char *fmt,
		   va_list ap)
{
	if (err != NULL) {
		err->kind = kind;
		vsnprintf(err->message, sizeof err->message, fmt, ap);
	}
	return SL_ERR;
}

int sl_error_setf(sl_error *err, sl_error_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_error_vsetf(err, kind, fmt, ap);
	va_end(ap);
	return SL_ERR;
}

void sl_error_prefix(sl_error *err, const char *fmt, ...)
{
	char rest[SL_ERROR_MAX];
	size_t n;
	va_list ap;

	memcpy(rest, err->message, sizeof rest);
	va_start(ap, fmt);
	n = (size_t)vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	if (n < sizeof err->message)
		memcpy(err->message + n, rest, strnlen(rest, sizeof err->message - n - 1) + 1);
	err->message[sizeof err->message - 1] = '\0';
}
