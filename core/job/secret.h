/*
 * secret.h - keys whose values are secrets, and keeping those values out
 * of messages.
 *
 * A job file holds passwords and keys (kafka.sasl.password, an API
 * secret), and its error messages end up in terminals, CI logs and
 * tickets.  A message about such a key never quotes its value.
 */
#ifndef SL_SECRET_H
#define SL_SECRET_H

#include <stddef.h>

/*
 * Does @p key name a secret: "password" or "*.password", "*secret*",
 * "*.key*" (kafka.ssl.key.password, ssl.keystore.location), any case.
 */
int sl_key_is_secret(const char *key);

/*
 * Replace each occurrence of @p value in @p text (a NUL-terminated buffer
 * of @p size bytes) with "***".  Format the message whole first: a value
 * cut short by a small buffer would not be found.
 */
void sl_hide_value(char *text, size_t size, const char *value);

#endif
