/*
 * http_sink.c - the http sink: records as HTTP requests, one at a time,
 * in the order written (so a partition's records arrive in order).
 *
 * batch.max.records = 1 sends each record's encoded value as a body;
 * more sends up to that many records of a batch in one body, each value
 * followed by a newline.  A request never spans two batches: write
 * returns only once every request of its batch was answered 2xx (or its
 * records went to the errors policy), so there is nothing left for flush
 * and the engine commits input positions only after the 2xx.
 *
 * A request that got no answer (connection refused or reset, timeout)
 * or one the server may take later (408, 429, 5xx) fails the write with
 * SL_ERR_RETRIABLE; the engine waits its backoff, or what Retry-After
 * said, and calls write again with the same batch, which goes on at the
 * first record not yet answered 2xx: an answered request is not sent
 * twice (a crash between the 2xx and the commit does replay it).
 *
 * Another 4xx is the records' fault.  A one-record request's record
 * goes to the errors policy with the status and the answer's first
 * bytes; a larger request's records are sent again one per request, so
 * that only the refused ones go there.
 */
#include <stdlib.h>
#include <string.h>

#include "http_sink.h"

/* How much of an answer a message quotes. */
#define QUOTE_MAX 200

typedef struct http_sink {
	sl_stage *stage;
	http_sink_options opt;
	http_sink_client *client;
	/* a write that failed retriably goes on here when called again */
	const sl_batch *batch;
	uint32_t next;           /* first record not yet answered */
	uint32_t one_by_one_end; /* records before it go one per request */
	char *body;              /* a request of several records */
	size_t body_cap;
} http_sink;

static int http_sink_check(const sl_stage *stage, sl_error *err)
{
	http_sink_options o;

	if (http_sink_options_read(stage, &o, err) != SL_OK)
		return SL_ERR;
	http_sink_options_free(&o);
	return SL_OK;
}

static void http_sink_close(void *self)
{
	http_sink *k = self;

	if (k == NULL)
		return;
	http_sink_client_free(k->client);
	http_sink_options_free(&k->opt);
	free(k->body);
	free(k);
}

static int http_sink_open(sl_stage *stage, void **self, sl_error *err)
{
	http_sink *k = calloc(1, sizeof *k);

	if (k == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	k->stage = stage;
	if (http_sink_options_read(stage, &k->opt, err) != SL_OK) {
		free(k);
		return SL_ERR;
	}
	if ((k->client = http_sink_client_new(&k->opt, err)) == NULL) {
		http_sink_close(k);
		return SL_ERR;
	}
	*self = k;
	return SL_OK;
}

/* The answer's first bytes on one line, without the headers' values. */
static void quote_answer(http_sink *k, http_sink_answer *a)
{
	char *p;

	http_sink_redact(a->why, k->opt.headers, k->opt.header_count);
	if (strlen(a->why) > QUOTE_MAX)
		strcpy(a->why + QUOTE_MAX - 3, "...");
	for (p = a->why; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (a->why[0] == '\0')
		strcpy(a->why, "(empty answer)");
}

/* The body of records [from, to) of @p b: each value and a newline. */
static int build_body(http_sink *k, const sl_batch *b, uint32_t from,
		      uint32_t to, size_t *len, sl_error *err)
{
	size_t need = 0, at = 0;
	uint32_t i;

	for (i = from; i < to; i++)
		need += b->records[i].value_raw.len + 1;
	if (need > k->body_cap) {
		char *more = realloc(k->body, need);

		if (more == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		k->body = more;
		k->body_cap = need;
	}
	for (i = from; i < to; i++) {
		const sl_bytes *v = &b->records[i].value_raw;

		if (v->len)
			memcpy(k->body + at, v->data, v->len);
		at += v->len;
		k->body[at++] = '\n';
	}
	*len = at;
	return SL_OK;
}

/*
 * Send records [k->next, k->next + n) of @p b as one request.  SL_OK
 * when answered 2xx; SL_SKIP when refused for what they hold (*status
 * and a->why say how); SL_ERR with @p err otherwise.
 */
static int send_records(http_sink *k, const sl_batch *b, uint32_t n,
			http_sink_answer *a, sl_error *err)
{
	const char *method = k->opt.method, *url = k->opt.shown_url;
	const void *body;
	size_t len = 0;

	if (n == 1 && k->opt.batch_max == 1) {
		body = b->records[k->next].value_raw.data;
		len = b->records[k->next].value_raw.len;
	} else {
		if (build_body(k, b, k->next, k->next + n, &len, err) != SL_OK)
			return SL_ERR;
		body = k->body;
	}
	http_sink_client_send(k->client, body, len, a);
	if (a->transport_failed) {
		quote_answer(k, a);
		return sl_error_set(err, a->transport_fatal ? SL_ERR_RUNTIME :
				    SL_ERR_RETRIABLE, "%s %s failed: %s%s",
				    method, url, a->why, a->transport_fatal ? "" :
				    " (the records not yet answered 2xx are "
				    "sent again)");
	}
	switch (http_sink_verdict_of(a->status)) {
	case HTTP_SINK_DELIVERED:
		sl_metric_add(k->stage, "requests", 1);
		return SL_OK;
	case HTTP_SINK_RETRY:
		quote_answer(k, a);
		if ((a->status == 429 || a->status == 503) &&
		    a->retry_after_ms >= 0 && SL_HOST_HAS(retry_after))
			sl_retry_after(k->stage, a->retry_after_ms);
		return sl_error_set(err, SL_ERR_RETRIABLE, "%s %s answered "
				    "HTTP %ld: %s (sent again later)", method,
				    url, a->status, a->why);
	case HTTP_SINK_REFUSED:
		quote_answer(k, a);
		return SL_SKIP;
	case HTTP_SINK_STOP:
	default:
		quote_answer(k, a);
		return sl_error_set(err, SL_ERR_RUNTIME, "%s %s answered HTTP "
				    "%ld, which is neither success nor failure "
				    "(redirects are not followed: point url at "
				    "the final address): %s", method, url,
				    a->status, a->why);
	}
}

static int http_sink_write(void *self, const sl_batch *b, sl_error *err)
{
	http_sink *k = self;
	http_sink_answer a;

	if (b != k->batch) {
		k->batch = b;
		k->next = 0;
		k->one_by_one_end = 0;
	}
	while (k->next < b->count) {
		uint32_t n = b->count - k->next;
		int rc;

		if (k->next < k->one_by_one_end)
			n = 1;
		else if (n > (uint64_t)k->opt.batch_max)
			n = (uint32_t)k->opt.batch_max;
		rc = send_records(k, b, n, &a, err);
		if (rc == SL_ERR)
			return SL_ERR;
		if (rc == SL_OK) {
			k->next += n;
			continue;
		}
		if (n > 1) {
			sl_log(k->stage, SL_LOG_INFO, "a request of %u records "
			       "was refused (HTTP %ld); sending them one per "
			       "request to find the refused ones", n, a.status);
			k->one_by_one_end = k->next + n;
			continue;
		}
		if (sl_record_error(k->stage, &b->records[k->next], err,
				    "%s %s answered HTTP %ld: %s",
				    k->opt.method, k->opt.shown_url, a.status,
				    a.why) != SL_SKIP)
			return SL_ERR;
		k->next++;
	}
	k->batch = NULL;
	return SL_OK;
}

/* write returns only once its requests were answered: nothing waits. */
static int http_sink_flush(void *self, int timeout_ms, sl_error *err)
{
	(void)self;
	(void)timeout_ms;
	(void)err;
	return SL_OK;
}

const sl_sink_class http_sink_class = {
	.struct_size = sizeof(sl_sink_class),
	.open = http_sink_open,
	.write = http_sink_write,
	.flush = http_sink_flush,
	.close = http_sink_close,
	.check = http_sink_check,
};
