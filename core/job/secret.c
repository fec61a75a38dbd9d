/*
 * secret.c - secret keys and hiding their values (secret.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "job/job.h"
#include "job/secret.h"

/* @p s contains @p word, ignoring case. */
static int contains(const char *s, const char *word)
{
	size_t n = strlen(word), i;

	for (; *s; s++) {
		for (i = 0; i < n && s[i] &&
		     tolower((unsigned char)s[i]) == word[i]; i++)
			;
		if (i == n)
			return 1;
	}
	return 0;
}

int sl_key_is_secret(const char *key)
{
	size_t n = strlen(key);

	return (n >= 8 && strcasecmp(key + n - 8, "password") == 0 &&
		(n == 8 || key[n - 9] == '.')) ||
	       contains(key, "secret") || contains(key, ".key") ||
	       contains(key, "token") || contains(key, "authorization") ||
	       contains(key, "api-key") || contains(key, "apikey");
}

/* Append @p n bytes of @p s to @p text at *@p used, within @p size. */
static void append(char *text, size_t size, size_t *used, const char *s,
		   size_t n)
{
	if (n > size - 1 - *used)
		n = size - 1 - *used;
	memcpy(text + *used, s, n);
	*used += n;
	text[*used] = '\0';
}

void sl_hide_value(char *text, size_t size, const char *value)
{
	size_t n = strlen(value), used = 0;
	char *copy, *p, *q;

	if (size == 0 || n == 0)
		return;
	if ((copy = strdup(text)) == NULL) {
		/* cannot rewrite it: say nothing rather than the secret */
		snprintf(text, size, "(message not shown: it may quote a secret)");
		return;
	}
	text[0] = '\0';
	for (p = copy; (q = strstr(p, value)) != NULL; p = q + n) {
		append(text, size, &used, p, (size_t)(q - p));
		append(text, size, &used, "***", 3);
	}
	append(text, size, &used, p, strlen(p));
	free(copy);
}

int sl_job_option_is_secret(const sl_job *job, const sl_job_option *o)
{
	size_t i;

	if (sl_key_is_secret(o->key))
		return 1;
	for (i = 0; i < job->secret_value_count; i++)
		if (strcmp(job->secret_values[i], o->value) == 0)
			return 1;
	return 0;
}

void sl_job_hide_secrets(const sl_job *job, char *text, size_t size)
{
	size_t i;

	for (i = 0; i < job->secret_value_count; i++)
		sl_hide_value(text, size, job->secret_values[i]);
}
