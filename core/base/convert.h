/*
 * convert.h - option text to typed values, shared by validation and the
 * option accessors of the host table.  Each returns 0 on success, -1 when
 * the text is not of the type.
 */
#ifndef SL_CONVERT_H
#define SL_CONVERT_H

#include <stddef.h>
#include <stdint.h>

int sl_parse_int(const char *text, int64_t *out);
int sl_parse_number(const char *text, double *out);
int sl_parse_bool(const char *text, int *out);
/* "250ms", "60s", "5m", "1h", "2d", or a bare integer taken as ms */
int sl_parse_duration_ms(const char *text, int64_t *out);
/* "64MB", "512KB", "1GB", "4096" (bytes): units of 1024; KiB, MiB and GiB
 * too.  Into @p out, in bytes. */
int sl_parse_size(const char *text, int64_t *out);
/* @p bytes in the largest unit that divides it ("128MB", "1536KB"). */
const char *sl_format_size(int64_t bytes, char *buf, size_t size);
/* @p ms in the largest unit that divides it ("90s", "1h", "250ms"), in @p buf. */
const char *sl_format_duration_ms(int64_t ms, char *buf, size_t size);

#endif
