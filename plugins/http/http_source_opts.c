/*
 * http_source_opts.c - the http source's options, read the same way by
 * check (sluice validate) and open.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http_source.h"

/* "1MB", "512KiB", "65536": bytes; 0 when it is not a size. */
static uint64_t parse_size(const char *text)
{
	static const struct { const char *unit; uint64_t factor; } units[] = {
		{ "", 1 }, { "B", 1 },
		{ "K", 1000 }, { "KB", 1000 }, { "KIB", 1024 },
		{ "M", 1000000 }, { "MB", 1000000 }, { "MIB", 1048576 },
		{ "G", 1000000000 }, { "GB", 1000000000 }, { "GIB", 1073741824 },
	};
	char unit[8];
	char *end;
	unsigned long long n;
	size_t i, len;

	errno = 0;
	if (!isdigit((unsigned char)*text))
		return 0;
	n = strtoull(text, &end, 10);
	if (errno != 0)
		return 0;
	while (*end == ' ')
		end++;
	len = strlen(end);
	if (len >= sizeof unit)
		return 0;
	for (i = 0; i <= len; i++)
		unit[i] = (char)toupper((unsigned char)end[i]);
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(unit, units[i].unit) == 0)
			return n > UINT64_MAX / units[i].factor ? 0 : n * units[i].factor;
	return 0;
}

static int read_listen(const sl_stage *stage, hs_options *o, sl_error *err)
{
	const char *listen = sl_option(stage, "listen");
	const char *colon;
	char *end;
	long port;
	size_t hlen;

	if (listen == NULL)
		return sl_config_error(stage, "listen", err, "is required (HOST:PORT)");
	colon = strrchr(listen, ':');
	if (colon == NULL)
		return sl_config_error(stage, "listen", err,
				       "'%s' is not HOST:PORT", listen);
	hlen = (size_t)(colon - listen);
	/* [::1]:8080 */
	if (hlen >= 2 && listen[0] == '[' && listen[hlen - 1] == ']') {
		listen++;
		hlen -= 2;
	}
	if (hlen >= sizeof o->host)
		return sl_config_error(stage, "listen", err, "the host is too long");
	memcpy(o->host, listen, hlen);
	o->host[hlen] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 1 ||
	    port > 65535)
		return sl_config_error(stage, "listen", err,
				       "'%s' is not a port (1..65535)", colon + 1);
	o->port = (uint16_t)port;
	return SL_OK;
}

int hs_options_read(const sl_stage *stage, hs_options *o, sl_error *err)
{
	const char *body = sl_option(stage, "body.max");
	const char *split = sl_option(stage, "split");
	uint64_t max;
	int64_t q;

	memset(o, 0, sizeof *o);
	if (read_listen(stage, o, err) != SL_OK)
		return SL_ERR;
	o->path = sl_option(stage, "path");
	if (o->path == NULL)
		o->path = "/";
	if (o->path[0] != '/')
		return sl_config_error(stage, "path", err,
				       "'%s' does not start with '/'", o->path);
	o->token = sl_option(stage, "auth.token");
	if (o->token != NULL && o->token[0] == '\0')
		return sl_config_error(stage, "auth.token", err,
				       "is empty (leave it out for no authentication)");
	max = parse_size(body != NULL ? body : "1MB");
	if (max == 0 || max > (uint64_t)1 << 30)
		return sl_config_error(stage, "body.max", err,
				       "'%s' is not a size from 1 byte to 1GiB "
				       "(such as 1MB, 64KiB, 4096)", body);
	o->body_max = (size_t)max;
	o->split_lines = split != NULL && strcmp(split, "lines") == 0;
	q = sl_option(stage, "queue.max") ? sl_option_int(stage, "queue.max") : 10000;
	if (q < 1 || q > 100000000)
		return sl_config_error(stage, "queue.max", err,
				       "must be from 1 to 100000000");
	o->queue_max = (uint32_t)q;
	o->retry_after = sl_option(stage, "retry.after") ?
			 sl_option_int(stage, "retry.after") : 1;
	if (o->retry_after < 0 || o->retry_after > 86400)
		return sl_config_error(stage, "retry.after", err,
				       "must be from 0 to 86400 seconds");
	/* a webhook's client waits for its answer: by default it does not
	 * wait for the next commit interval too */
	o->commit_eager = sl_option(stage, "commit.eager") == NULL ||
			  sl_option_bool(stage, "commit.eager");
	return SL_OK;
}

int hs_token_equal(const char *given, size_t given_len, const char *expected)
{
	size_t want = strlen(expected), i;
	unsigned diff = given_len != want;

	/* every byte of the expected token is compared, whatever the given
	 * one holds: the time tells nothing of where they differ */
	for (i = 0; i < want; i++)
		diff |= (unsigned char)expected[i] ^
			(unsigned char)(i < given_len ? given[i] : 0);
	return diff == 0;
}
