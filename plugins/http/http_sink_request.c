/*
 * http_sink_request.c - one request at a time over one libcurl handle,
 * which keeps its connection alive between requests.  The answer keeps
 * the status, Retry-After and the first bytes of the body (what a
 * refusal's message quotes); the rest of the body is read and dropped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http_sink.h"

struct http_sink_client {
	CURL *curl;
	struct curl_slist *headers;
	const http_sink_options *opt;
	char errbuf[CURL_ERROR_SIZE];
	/* filled while a request runs */
	http_sink_answer *answer;
	size_t body_kept;
};

static int global_ready;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	http_sink_client *c = arg;
	size_t len = size * n, room = sizeof c->answer->why - 1 - c->body_kept;

	if (len < room)
		room = len;
	memcpy(c->answer->why + c->body_kept, data, room);
	c->body_kept += room;
	c->answer->why[c->body_kept] = '\0';
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	http_sink_client *c = arg;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	char value[128];
	size_t vlen;

	/* a header line of an interim answer (100 Continue) or of a
	 * redirect is overwritten by the final answer's */
	if (len > 5 && strncmp(data, "HTTP/", 5) == 0)
		c->answer->retry_after_ms = -1;
	if (len <= sizeof name - 1 || strncasecmp(data, name, sizeof name - 1) != 0)
		return len;
	vlen = len - (sizeof name - 1);
	if (vlen >= sizeof value)
		return len;
	memcpy(value, data + sizeof name - 1, vlen);
	value[vlen] = '\0';
	c->answer->retry_after_ms = http_sink_retry_after_ms(value, time(NULL));
	return len;
}

void http_sink_client_free(http_sink_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c);
}

static int add_line(http_sink_client *c, const char *line)
{
	struct curl_slist *l = curl_slist_append(c->headers, line);

	if (l == NULL)
		return -1;
	c->headers = l;
	return 0;
}

static int add_header(http_sink_client *c, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *line = malloc(n);
	int rc;

	if (line == NULL)
		return -1;
	/* "Name;" is curl's way to send a header with an empty value */
	if (*value == '\0')
		snprintf(line, n, "%s;", name);
	else
		snprintf(line, n, "%s: %s", name, value);
	rc = add_line(c, line);
	free(line);
	return rc;
}

http_sink_client *http_sink_client_new(const http_sink_options *o,
				       sl_error *err)
{
	http_sink_client *c;
	size_t i;
	int bad = 0;

	if (!global_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			sl_error_set(err, SL_ERR_RUNTIME, "libcurl did not start");
			return NULL;
		}
		global_ready = 1;
	}
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->curl = curl_easy_init()) == NULL) {
		http_sink_client_free(c);
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	c->opt = o;
	if (!o->has_content_type)
		bad |= add_header(c, "Content-Type", o->content_type);
	/* no "Expect: 100-continue" round trip before larger bodies */
	bad |= add_line(c, "Expect:");
	for (i = 0; !bad && i < o->header_count; i++)
		bad |= add_header(c, o->headers[i].name, o->headers[i].value);
	if (bad) {
		http_sink_client_free(c);
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, o->url);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	if (strcmp(o->method, "POST") != 0)
		curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, o->method);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
	/* the job's threads own the signals; timeouts must not use them */
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, o->tls_verify ? 1L : 0L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, o->tls_verify ? 2L : 0L);
	if (o->tls_ca != NULL)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, o->tls_ca);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "sluice/" PACKAGE_VERSION);
	return c;
}

/* Failures no retry heals: a certificate that is not trusted, a CA
 * file that does not load.  The job stops and says so. */
static int fatal(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION ||
	       rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_CERTPROBLEM ||
	       rc == CURLE_UNSUPPORTED_PROTOCOL ||
	       rc == CURLE_URL_MALFORMAT;
}

void http_sink_client_send(http_sink_client *c, const void *body, size_t len,
			   http_sink_answer *answer)
{
	CURLcode rc;

	memset(answer, 0, sizeof *answer);
	answer->retry_after_ms = -1;
	c->answer = answer;
	c->body_kept = 0;
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, len ? body : "");
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(c->curl);
	c->answer = NULL;
	if (rc != CURLE_OK) {
		answer->transport_failed = 1;
		answer->transport_fatal = fatal(rc);
		snprintf(answer->why, sizeof answer->why, "%s",
			 c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &answer->status);
}
