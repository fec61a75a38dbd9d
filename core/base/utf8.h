/*
 * utf8.h - UTF-8 validation: expression literals, log and ops text, and
 * plugins through the host table (sl_utf8_invalid_at, sluice/stage.h).
 */
#ifndef SL_BASE_UTF8_H
#define SL_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The length of the well-formed prefix of the @p len bytes at @p p: the
 * offset of the first byte of the first ill-formed sequence, or @p len
 * when they are all well-formed UTF-8
 * (Unicode Table 3-7: no overlong forms, no surrogates, nothing past
 * U+10FFFF, no truncated sequence).
 */
size_t sl_utf8_valid_prefix(const uint8_t *p, size_t len);

#endif
