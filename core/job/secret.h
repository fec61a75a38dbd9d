/*
 * secret.h - keys whose values are secrets, and keeping those values out
 * of messages.
 *
 * A job file holds passwords and keys (kafka.sasl.password, an API
 * secret), and its error messages end up in terminals, CI logs and
 * tickets.  A message about such a key never quotes its value, and nor
 * does any message quote a value read with ${file:PATH}.
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

/*
 * ${file:PATH} reads secrets (Docker and Kubernetes secrets, systemd
 * credentials): a value that holds such content is never shown, whatever
 * its key.  sl_job_load() keeps those values in the job.
 */
struct sl_job;
struct sl_job_option;

/* Is @p o's value hidden: its key holds a secret, or its value holds
 * ${file:PATH} content? */
int sl_job_option_is_secret(const struct sl_job *job,
			    const struct sl_job_option *o);

/* sl_hide_value() for every value of @p job that holds ${file:PATH}
 * content. */
void sl_job_hide_secrets(const struct sl_job *job, char *text, size_t size);

#endif
