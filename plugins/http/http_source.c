/*
 * http_source.c - the http source: records POSTed to an endpoint, each
 * request answered once the job has delivered its records.
 *
 * libmicrohttpd's thread reads a request; a complete one is checked
 * (path, method, bearer token, size), its connection suspended and the
 * request queued for the run loop, which poll hands out: the body as
 * one record, or one record per line.  Each record gets the next offset
 * of one synthetic partition (topic: the listen address, partition 0), so
 * the engine's commit machinery can say which requests are safe: its
 * delivered callback (called under every delivery mode) answers 200 to
 * every request whose records all lie before the delivered position, and
 * rewind (a transaction aborted) answers 503 to those handed out since,
 * which a push source cannot read again.  A request either enters the
 * job whole or not at all: its records are decoded with the stage's
 * format before any is handed out, and one that fails refuses the
 * request with 400 and the reason.
 *
 * The waiting list is shared with the HTTP thread under the lock; the
 * requests handed out (and the one being handed out) belong to the run
 * loop's thread alone.  A connection is suspended while the lock is held
 * and before its request can be seen, so it is never resumed before it
 * is suspended.
 */
#include <microhttpd.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_source.h"

/* How long close waits for answered connections to send their answer. */
#define CLOSE_WAIT_MS 5000

/* 413: libmicrohttpd renamed its constant (0.9.74), the number stays. */
#define HS_TOO_LARGE 413

enum hs_state { HS_READING, HS_WAITING, HS_HANDED, HS_ANSWERED };

struct hs_request {
	struct hs_request *next;
	struct MHD_Connection *conn;
	enum hs_state state;
	uint8_t *body;
	size_t len, cap;
	int too_big;
	uint32_t records;     /* records the body holds */
	uint32_t handed;      /* ... handed out so far */
	size_t cursor;        /* where the next line starts */
	int64_t end_offset;   /* offset after its last record */
	unsigned status;      /* the answer, once HS_ANSWERED */
	char *answer;
	int suspended;        /* resumed: counted in open_answers */
};

typedef struct hs_source {
	sl_stage *stage;
	hs_options opt;
	char *topic;          /* origin.topic of every record */
	struct MHD_Daemon *daemon;

	pthread_mutex_t lock;
	pthread_cond_t ready;     /* a request was queued */
	pthread_cond_t finished;  /* an answered connection completed */
	hs_request *waiting, *waiting_tail;
	uint64_t unanswered;      /* records waiting or handed out */
	unsigned open_answers;    /* resumed connections not completed */
	int closing;

	/* the run loop's thread only */
	hs_request *current;      /* partly handed out */
	hs_request *handed, *handed_tail;
	int64_t next_offset;
} hs_source;

/* A JSON object {"KEY":"TEXT"} or {"records":N}, malloc'd. */
static char *json_message(const char *key, const char *text)
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
	char *body = json_message("error", why);
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

/* Records in a body: one, or its non-empty lines. */
static uint32_t count_records(const hs_source *s, const hs_request *q)
{
	const uint8_t *p = q->body, *end = q->body + q->len;
	uint32_t n = 0;

	if (!s->opt.split_lines)
		return 1;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *stop = nl ? nl : end;

		if (stop > p && !(stop == p + 1 && *p == '\r'))
			n++;
		p = nl ? nl + 1 : end;
	}
	return n;
}

/* The next record of @p q from its cursor: 1, or 0 at its end. */
static int next_record(const hs_source *s, hs_request *q, const uint8_t **data,
		       size_t *len)
{
	const uint8_t *end = q->body + q->len;

	if (!s->opt.split_lines) {
		if (q->cursor > 0)
			return 0;
		*data = q->body;
		*len = q->len;
		q->cursor = q->len + 1;
		return 1;
	}
	while (q->cursor < q->len) {
		const uint8_t *p = q->body + q->cursor;
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *stop = nl ? nl : end;

		q->cursor = nl ? (size_t)(nl - q->body) + 1 : q->len;
		if (stop > p && stop[-1] == '\r')
			stop--;
		if (stop > p) {
			*data = p;
			*len = (size_t)(stop - p);
			return 1;
		}
	}
	return 0;
}

static void request_free(hs_request *q)
{
	if (q == NULL)
		return;
	free(q->body);
	free(q->answer);
	free(q);
}

/*
 * Answer a suspended request (run loop's thread): its connection is
 * resumed and libmicrohttpd's thread sends the answer.
 */
static void answer(hs_source *s, hs_request *q, unsigned status, char *body)
{
	pthread_mutex_lock(&s->lock);
	s->unanswered -= q->records;
	s->open_answers++;
	pthread_mutex_unlock(&s->lock);
	q->status = status;
	q->answer = body;
	q->state = HS_ANSWERED;
	MHD_resume_connection(q->conn);
}

static void answer_error(hs_source *s, hs_request *q, unsigned status,
			 const char *why)
{
	answer(s, q, status, json_message("error", why));
}

static void answer_ok(hs_source *s, hs_request *q)
{
	char *body = malloc(40);

	if (body != NULL)
		snprintf(body, 40, "{\"records\":%u}\n", q->records);
	answer(s, q, MHD_HTTP_OK, body);
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
	q->records = count_records(s, q);
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
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

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode why)
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
	request_free(q);
}

static void source_close(void *self)
{
	hs_source *s = self;
	hs_request *q, *next, *waiting;
	struct timespec until;

	if (s == NULL)
		return;
	if (s->daemon != NULL) {
		pthread_mutex_lock(&s->lock);
		s->closing = 1;
		waiting = s->waiting;
		s->waiting = s->waiting_tail = NULL;
		pthread_mutex_unlock(&s->lock);
		/* what the job did not deliver is not answered 200: the
		 * sender retries it */
		if (s->current != NULL)
			answer_error(s, s->current, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "the job stopped before delivering it");
		for (q = s->handed; q != NULL; q = next) {
			next = q->next;
			answer_error(s, q, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "the job stopped before delivering it");
		}
		for (q = waiting; q != NULL; q = next) {
			next = q->next;
			answer_error(s, q, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "the job is stopping");
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CLOSE_WAIT_MS / 1000;
		pthread_mutex_lock(&s->lock);
		while (s->open_answers > 0 &&
		       pthread_cond_timedwait(&s->finished, &s->lock, &until) == 0)
			;
		pthread_mutex_unlock(&s->lock);
		MHD_stop_daemon(s->daemon);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->ready);
	pthread_cond_destroy(&s->finished);
	free(s->topic);
	free(s);
}

/* The address to listen on; SL_OK or SL_ERR. */
static int listen_address(hs_source *s, struct sockaddr_storage *addr,
			  sl_error *err)
{
	struct addrinfo hints, *found = NULL;
	const char *host = s->opt.host;
	char port[8];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (host[0] == '\0' || strcmp(host, "*") == 0)
		host = NULL;
	snprintf(port, sizeof port, "%u", (unsigned)s->opt.port);
	rc = getaddrinfo(host, port, &hints, &found);
	if (rc != 0)
		return sl_error_set(err, SL_ERR_CONFIG, "listen: cannot resolve "
				    "'%s': %s", s->opt.host, gai_strerror(rc));
	memset(addr, 0, sizeof *addr);
	memcpy(addr, found->ai_addr, found->ai_addrlen);
	freeaddrinfo(found);
	return SL_OK;
}

static int source_open(sl_stage *stage, void **self, sl_error *err)
{
	hs_source *s = calloc(1, sizeof *s);
	struct sockaddr_storage addr;
	unsigned flags;

	if (s == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	s->stage = stage;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->ready, NULL);
	pthread_cond_init(&s->finished, NULL);
	if (!SL_HOST_HAS(tells_delivered) || !sl_tells_delivered(stage)) {
		source_close(s);
		return sl_error_set(err, SL_ERR_CONFIG, "this sluice does not tell "
				    "sources of delivered records: the http source "
				    "needs a newer one");
	}
	if (hs_options_read(stage, &s->opt, err) != SL_OK ||
	    listen_address(s, &addr, err) != SL_OK) {
		source_close(s);
		return SL_ERR;
	}
	if ((s->topic = strdup(sl_option(stage, "listen"))) == NULL) {
		source_close(s);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
		MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(flags, s->opt.port, NULL, NULL,
				     on_request, s,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
				     MHD_OPTION_END);
	if (s->daemon == NULL) {
		source_close(s);
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot listen on %s "
				    "(in use, or not an address of this host)",
				    sl_option(stage, "listen"));
	}
	sl_log(stage, SL_LOG_INFO, "listening on %s, path %s%s",
	       sl_option(stage, "listen"), s->opt.path,
	       s->opt.token ? ", bearer token required" : "");
	*self = s;
	return SL_OK;
}

/* The next request to hand out, waiting at most @p timeout_ms. */
static hs_request *next_request(hs_source *s, int timeout_ms)
{
	hs_request *q;

	pthread_mutex_lock(&s->lock);
	if (s->waiting == NULL && timeout_ms > 0) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (s->waiting == NULL &&
		       pthread_cond_timedwait(&s->ready, &s->lock, &until) == 0)
			;
	}
	q = s->waiting;
	if (q != NULL) {
		s->waiting = q->next;
		if (s->waiting == NULL)
			s->waiting_tail = NULL;
		q->next = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	return q;
}

/* Every record of @p q decodes with the stage's format: 1, or 0 having
 * answered 400 with the reason. */
static int request_decodes(hs_source *s, hs_request *q, sl_arena *arena)
{
	const uint8_t *data;
	size_t len;
	uint32_t n = 0;
	sl_error why;
	char text[sizeof why.message + 48];

	if (!SL_HOST_HAS(decode_check))
		return 1;
	while (next_record(s, q, &data, &len)) {
		n++;
		if (sl_decode_check(s->stage, data, len, arena, &why) != SL_OK) {
			if (s->opt.split_lines)
				snprintf(text, sizeof text, "line %u: %s", n,
					 why.message);
			else
				snprintf(text, sizeof text, "%s", why.message);
			answer_error(s, q, MHD_HTTP_BAD_REQUEST, text);
			return 0;
		}
	}
	q->cursor = 0;
	return 1;
}

static int source_poll(void *self, sl_batch *batch, uint32_t max,
		       int timeout_ms, sl_error *err)
{
	hs_source *s = self;
	uint32_t got = 0;

	/* commit.eager: what the last polls handed out has gone through the
	 * job by now; commit it rather than wait for commit.interval.ms, so
	 * that its senders are answered at once (requests that came during
	 * the commit wait for the next) */
	if (s->opt.commit_eager && s->handed != NULL &&
	    sl_commit_now(s->stage, err) != SL_OK)
		return SL_ERR;
	while (got < max) {
		hs_request *q = s->current;
		const uint8_t *data;
		size_t len;

		if (q == NULL) {
			q = next_request(s, got == 0 ? timeout_ms : 0);
			if (q == NULL)
				break;
			if (!request_decodes(s, q, batch->arena))
				continue; /* answered: the connection frees it */
			q->state = HS_HANDED;
			s->current = q;
		}
		while (got < max && next_record(s, q, &data, &len)) {
			sl_record *r = sl_batch_push(batch);
			uint8_t *copy = sl_arena_alloc(batch->arena, len ? len : 1);

			if (r == NULL || copy == NULL)
				return sl_error_set(err, SL_ERR_RUNTIME,
						    "out of memory");
			memcpy(copy, data, len);
			r->value_raw.data = copy;
			r->value_raw.len = len;
			r->timestamp = -1;
			r->origin.topic = s->topic;
			r->origin.partition = 0;
			r->origin.offset = s->next_offset++;
			q->handed++;
			got++;
		}
		if (q->handed < q->records)
			break; /* the batch is full */
		q->end_offset = s->next_offset;
		s->current = NULL;
		if (s->handed_tail != NULL)
			s->handed_tail->next = q;
		else
			s->handed = q;
		s->handed_tail = q;
	}
	/* to be polled again, and commit, once the batch is through */
	if (s->opt.commit_eager && got > 0 && SL_HOST_HAS(wake))
		sl_wake(s->stage);
	return SL_OK;
}

/* The position delivered in our one partition, or -1. */
static int64_t our_position(const hs_source *s, const sl_position *p,
			    size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (p[i].partition == 0 && p[i].topic != NULL &&
		    strcmp(p[i].topic, s->topic) == 0)
			return p[i].next_offset;
	return -1;
}

static void source_delivered(void *self, const sl_position *positions,
			     size_t count)
{
	hs_source *s = self;
	int64_t upto = our_position(s, positions, count);

	while (s->handed != NULL && s->handed->end_offset <= upto) {
		hs_request *q = s->handed;

		s->handed = q->next;
		if (s->handed == NULL)
			s->handed_tail = NULL;
		answer_ok(s, q);
	}
}

/*
 * A transaction was aborted: what was handed out since the last commit
 * is not in the output and cannot be read again.  Its senders get 503
 * and retry; the offsets go on from here (the engine keeps the gap).
 */
static int source_rewind(void *self, const sl_position *positions,
			 size_t count, sl_error *err)
{
	hs_source *s = self;
	hs_request *q, *next;
	uint32_t n = 0;

	(void)positions;
	(void)count;
	(void)err;
	for (q = s->handed; q != NULL; q = next) {
		next = q->next;
		answer_error(s, q, MHD_HTTP_SERVICE_UNAVAILABLE,
			     "the transaction carrying it was aborted: send it "
			     "again");
		n++;
	}
	s->handed = s->handed_tail = NULL;
	if (s->current != NULL) {
		answer_error(s, s->current, MHD_HTTP_SERVICE_UNAVAILABLE,
			     "the transaction carrying it was aborted: send it "
			     "again");
		s->current = NULL;
		n++;
	}
	if (n > 0)
		sl_log(s->stage, SL_LOG_WARN, "%u request(s) answered 503: their "
		       "transaction was aborted", n);
	return SL_OK;
}

static int source_check(const sl_stage *stage, sl_error *err)
{
	hs_options o;

	return hs_options_read(stage, &o, err);
}

const sl_source_class http_source_class = {
	.struct_size = sizeof(sl_source_class),
	.open = source_open,
	.poll = source_poll,
	.close = source_close,
	.rewind = source_rewind,
	.wakes = 1,
	.check = source_check,
	.delivered = source_delivered,
};
