/*
 * http_sink_options.c - the http sink's options, read the same way by
 * `check` (sluice validate) and `open`, so the two cannot disagree.
 * The descriptor already refused a missing url, an unknown method and
 * malformed numbers, durations and booleans; what is left is what only
 * this plugin knows: a URL libcurl can use, header names and values
 * HTTP can carry, a CA file that can be read.
 *
 * No message here quotes the url or a header's value: either may hold
 * a token from ${VAR}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http_sink.h"

void http_sink_options_free(http_sink_options *o)
{
	size_t i;

	for (i = 0; i < o->header_count; i++) {
		free(o->headers[i].name);
		free(o->headers[i].value);
	}
	free(o->headers);
	free(o->shown_url);
	memset(o, 0, sizeof *o);
}

/* RFC 9110's token characters: what a header name is made of. */
static int is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~", *s)))
			return 0;
	return 1;
}

struct header_ctx {
	const sl_stage *stage;
	http_sink_options *o;
	sl_error *err;
	int failed;
};

static int add_header(void *arg, const char *key, const char *value)
{
	struct header_ctx *h = arg;
	http_sink_options *o = h->o;
	const char *name = key + strlen("header.");
	http_sink_header *more;

	if (!is_token(name)) {
		h->failed = 1;
		sl_config_error(h->stage, key, h->err, "'%s' is not a header "
				"name (letters, digits and !#$%%&'*+-.^_`|~)",
				name);
		return 1;
	}
	if (strpbrk(value, "\r\n") != NULL) {
		h->failed = 1;
		sl_config_error(h->stage, key, h->err, "a header value cannot "
				"hold a line break");
		return 1;
	}
	more = realloc(o->headers, (o->header_count + 1) * sizeof *more);
	if (more == NULL)
		return 1;
	o->headers = more;
	more[o->header_count].name = strdup(name);
	more[o->header_count].value = strdup(value);
	o->header_count++;
	if (more[o->header_count - 1].name == NULL ||
	    more[o->header_count - 1].value == NULL)
		return 1;
	if (strcasecmp(name, "Content-Type") == 0)
		o->has_content_type = 1;
	return 0;
}

/* url parsed by libcurl's rules; o->shown_url keeps scheme, host, port
 * and path only, since a user:password or a ?token= may be secret. */
static int read_url(const sl_stage *stage, http_sink_options *o, sl_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	int rc = SL_ERR;
	size_t n;

	if (u == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, o->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		sl_config_error(stage, "url", err, "not a URL (write "
				"http://HOST[:PORT]/PATH or https://...)");
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		sl_config_error(stage, "url", err, "scheme '%s' is not http "
				"or https", scheme);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	n = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) +
	    (path ? strlen(path) : 0) + 8;
	if ((o->shown_url = malloc(n)) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto out;
	}
	snprintf(o->shown_url, n, "%s://%s%s%s%s", scheme, host,
		 port ? ":" : "", port ? port : "", path ? path : "");
	rc = SL_OK;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

/* The Content-Type of a body in the stage's format. */
static const char *content_type_of(const char *format, int64_t batch_max)
{
	if (format != NULL && strcmp(format, "json") == 0)
		return batch_max > 1 ? "application/x-ndjson" : "application/json";
	if (format != NULL && strcmp(format, "bytes") == 0)
		return "application/octet-stream";
	return "text/plain; charset=utf-8";
}

int http_sink_options_read(const sl_stage *stage, http_sink_options *o,
			   sl_error *err)
{
	struct header_ctx h = { stage, o, err, 0 };

	memset(o, 0, sizeof *o);
	o->url = sl_option(stage, "url");
	o->method = sl_option(stage, "method");
	o->batch_max = sl_option_int(stage, "batch.max.records");
	o->timeout_ms = sl_option_duration_ms(stage, "timeout");
	o->tls_verify = sl_option_bool(stage, "tls.verify");
	o->tls_ca = sl_option(stage, "tls.ca");
	if (o->url == NULL)
		return sl_config_error(stage, "url", err, "required");
	if (o->method == NULL)
		o->method = "POST";
	if (read_url(stage, o, err) != SL_OK)
		goto fail;
	if (o->timeout_ms <= 0) {
		sl_config_error(stage, "timeout", err, "must be longer than 0");
		goto fail;
	}
	if (o->tls_ca != NULL && access(o->tls_ca, R_OK) != 0) {
		sl_config_error(stage, "tls.ca", err, "cannot read '%s'",
				o->tls_ca);
		goto fail;
	}
	if (sl_option_each(stage, "header.", add_header, &h) != 0) {
		if (!h.failed)
			sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto fail;
	}
	o->content_type = content_type_of(sl_option(stage, "format"),
					  o->batch_max);
	return SL_OK;
fail:
	http_sink_options_free(o);
	return SL_ERR;
}
