/*
 * http_source_server.c - the http source's side in libmicrohttpd's thread:
 * check a request (path, method, bearer token, size), read its body, and
 * queue it for the run loop with its connection suspended, or answer it
 * at once; send the answer the run loop gave once it resumes it.
 *
 * A connection is suspended while the lock is held and before its
 * request can be seen, so it is never resumed before it is suspended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_source_internal.h"

/* A JSON object {"KEY":"TEXT"} or {"records":N}, malloc'd. */
char *hs_json_message(const char *key, const char *text)
{
	size_t n = strlen(text), i, o = 0;
	char *out = malloc(n * 6 + strlen(key) + 16);

	if (out == NULL)
		return NULL;
	o += (size_t)sprintf(out, "{\"%s\":\"", key);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)sprintf(out + o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	strcpy(out + o, "\"}\n");
	return out;
}

static enum MHD_Result send_answer(hs_source *s, struct MHD_Connection *conn,
				   unsigned status, const char *body)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	char retry[24];

	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
					    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE) {
		snprintf(retry, sizeof retry, "%lld", (long long)s->opt.retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST, PUT");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result refuse(hs_source *s, struct MHD_Connection *conn,
			      unsigned status, const char *why)
{
	char *body = hs_json_message("error", why);
	enum MHD_Result rc;

	if (body == NULL)
		return MHD_NO;
	rc = send_answer(s, conn, status, body);
	free(body);
	return rc;
}

static int stopping(hs_source *s)
{
	return SL_HOST_HAS(stopping) && sl_stopping(s->stage);
}

static int authorized(hs_source *s, struct MHD_Connection *conn)
{
	const char *h;
	static const char bearer[] = "Bearer ";

	if (s->opt.token == NULL)
		return 1;
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, bearer, sizeof bearer - 1) != 0)
		return 0;
	h += sizeof bearer - 1;
	return hs_token_equal(h, strlen(h), s->opt.token);
}

/* A complete request: queue it for the run loop, or answer now. */
static enum MHD_Result request_complete(hs_source *s, hs_request *q,
					struct MHD_Connection *conn)
{
	char why[160];

	if (q->too_big) {
		snprintf(why, sizeof why, "the body is larger than body.max "
			 "(%zu bytes)", s->opt.body_max);
		return refuse(s, conn, HS_TOO_LARGE, why);
	}
	q->records = hs_count_records(s, q);
	if (q->records == 0)
		return send_answer(s, conn, MHD_HTTP_OK, "{\"records\":0}\n");
	pthread_mutex_lock(&s->lock);
	if (s->closing || stopping(s)) {
		pthread_mutex_unlock(&s->lock);
		return refuse(s, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			      "the job is stopping");
	}
	if (s->unanswered > 0 && s->unanswered + q->records > s->opt.queue_max) {
		pthread_mutex_unlock(&s->lock);
		return refuse(s, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			      "the job is busy: too many records wait for "
			      "delivery (queue.max)");
	}
	/* suspended before the run loop can see it, so never resumed
	 * before */
	MHD_suspend_connection(conn);
	q->state = HS_WAITING;
	q->suspended = 1;
	s->unanswered += q->records;
	if (s->waiting_tail != NULL)
		s->waiting_tail->next = q;
	else
		s->waiting = q;
	s->waiting_tail = q;
	pthread_cond_signal(&s->ready);
	pthread_mutex_unlock(&s->lock);
	if (SL_HOST_HAS(wake))
		sl_wake(s->stage);
	return MHD_YES;
}

enum MHD_Result hs_on_request(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	hs_source *s = cls;
	hs_request *q = *con_cls;

	(void)version;
	if (q == NULL) {
		const char *cl;

		if (strcmp(url, s->opt.path) != 0)
			return refuse(s, conn, MHD_HTTP_NOT_FOUND, "no such path");
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_PUT) != 0)
			return refuse(s, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				      "only POST and PUT take records");
		if (!authorized(s, conn))
			return refuse(s, conn, MHD_HTTP_UNAUTHORIZED,
				      "a valid bearer token is required");
		if (stopping(s))
			return refuse(s, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				      "the job is stopping");
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > s->opt.body_max) {
			char why[160];

			snprintf(why, sizeof why, "the body is larger than "
				 "body.max (%zu bytes)", s->opt.body_max);
			return refuse(s, conn, HS_TOO_LARGE, why);
		}
		if ((q = calloc(1, sizeof *q)) == NULL)
			return MHD_NO;
		q->conn = conn;
		*con_cls = q;
		return MHD_YES;
	}
	if (q->state == HS_ANSWERED)
		return send_answer(s, conn, q->status, q->answer != NULL ?
				   q->answer : "{\"error\":\"out of memory\"}\n");
	if (*upload_size > 0) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (q->too_big || q->len + n > s->opt.body_max) {
			q->too_big = 1;
			return MHD_YES; /* read and dropped: answered at the end */
		}
		if (q->len + n > q->cap) {
			size_t cap = q->cap ? q->cap : 4096;
			uint8_t *b;

			while (cap < q->len + n)
				cap *= 2;
			if ((b = realloc(q->body, cap)) == NULL)
				return MHD_NO;
			q->body = b;
			q->cap = cap;
		}
		memcpy(q->body + q->len, upload, n);
		q->len += n;
		return MHD_YES;
	}
	return request_complete(s, q, conn);
}

void hs_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		     enum MHD_RequestTerminationCode why)
{
	hs_source *s = cls;
	hs_request *q = *con_cls;

	(void)conn;
	(void)why;
	if (q == NULL)
		return;
	*con_cls = NULL;
	if (q->suspended) {
		pthread_mutex_lock(&s->lock);
		s->open_answers--;
		pthread_cond_broadcast(&s->finished);
		pthread_mutex_unlock(&s->lock);
	}
	hs_request_free(q);
}
