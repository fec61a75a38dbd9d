/*
 * http_sink.h - the http sink's parts: its options (http_sink_options.c),
 * what a response means (http_sink_response.c), one request over libcurl
 * (http_sink_request.c) and the sink itself (http_sink.c).
 */
#ifndef SL_HTTP_SINK_H
#define SL_HTTP_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sluice/plugin.h>

/* One header.NAME = value. */
typedef struct http_sink_header {
	char *name;
	char *value;
} http_sink_header;

/* The options as checked by `sluice validate` and read by open. */
typedef struct http_sink_options {
	const char *url;
	char *shown_url;     /* url without user:password@ and ?query: for messages */
	const char *method;  /* POST or PUT */
	http_sink_header *headers;
	size_t header_count;
	int has_content_type;
	const char *content_type; /* the format's, unless a header sets it */
	int64_t batch_max;
	int64_t timeout_ms;
	int tls_verify;
	const char *tls_ca;
} http_sink_options;

int http_sink_options_read(const sl_stage *stage, http_sink_options *o,
			   sl_error *err);
void http_sink_options_free(http_sink_options *o);

/* What the sink does about a response's status. */
enum http_sink_verdict {
	HTTP_SINK_DELIVERED,  /* 2xx */
	HTTP_SINK_RETRY,      /* 408, 429, 5xx: the server may take it later */
	HTTP_SINK_REFUSED,    /* another 4xx: the records' fault */
	HTTP_SINK_STOP        /* 1xx or 3xx as a final answer: the job is wrong */
};

enum http_sink_verdict http_sink_verdict_of(long status);

/*
 * The wait a Retry-After header value asks for, in ms from @p now: a
 * number of seconds or an HTTP-date (a date in the past: 0).  -1 when
 * the value is neither.
 */
int64_t http_sink_retry_after_ms(const char *value, time_t now);

/*
 * Replace in @p text (NUL-terminated) every occurrence of each of the
 * @p count header values with "***", so that a server echoing a token
 * does not have it printed.
 */
void http_sink_redact(char *text, const http_sink_header *headers,
		      size_t count);

/* One connection (kept alive between requests) and its last answer. */
typedef struct http_sink_client http_sink_client;

typedef struct http_sink_answer {
	int transport_failed;   /* no HTTP answer: the reason is in `why` */
	int transport_fatal;    /* ... and trying again will not help (TLS) */
	long status;
	int64_t retry_after_ms; /* -1: none given */
	char why[512];          /* curl's error, or the response's first bytes */
} http_sink_answer;

http_sink_client *http_sink_client_new(const http_sink_options *o,
				       sl_error *err);
void http_sink_client_free(http_sink_client *c);

/* Send @p len bytes of @p body and wait for the answer, or for the
 * failure to get one (answer->transport_failed). */
void http_sink_client_send(http_sink_client *c, const void *body, size_t len,
			   http_sink_answer *answer);

#endif
