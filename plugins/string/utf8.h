/*
 * utf8.h - UTF-8 validation for the string format.
 */
#ifndef STRING_UTF8_H
#define STRING_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The offset of the first byte of the first ill-formed sequence in
 * @p len bytes at @p p, or @p len when they are all well-formed UTF-8
 * (Unicode Table 3-7: no overlong forms, no surrogates, nothing past
 * U+10FFFF, no truncated sequence).
 */
size_t utf8_invalid_at(const uint8_t *p, size_t len);

#endif
