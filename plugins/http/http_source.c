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
 * is suspended.  libmicrohttpd's side is http_source_server.c.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_source_internal.h"

void hs_request_free(hs_request *q)
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
void hs_answer(hs_source *s, hs_request *q, unsigned status, char *body)
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

void hs_answer_error(hs_source *s, hs_request *q, unsigned status,
		     const char *why)
{
	hs_answer(s, q, status, hs_json_message("error", why));
}

void hs_answer_ok(hs_source *s, hs_request *q)
{
	char *body = malloc(40);

	if (body != NULL)
		snprintf(body, 40, "{\"records\":%u}\n", q->records);
	hs_answer(s, q, MHD_HTTP_OK, body);
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
			hs_answer_error(s, s->current, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "the job stopped before delivering it");
		for (q = s->handed; q != NULL; q = next) {
			next = q->next;
			hs_answer_error(s, q, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "the job stopped before delivering it");
		}
		for (q = waiting; q != NULL; q = next) {
			next = q->next;
			hs_answer_error(s, q, MHD_HTTP_SERVICE_UNAVAILABLE,
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
				     hs_on_request, s,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				     MHD_OPTION_NOTIFY_COMPLETED, hs_on_completed, s,
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
	while (hs_next_record(s, q, &data, &len)) {
		n++;
		if (sl_decode_check(s->stage, data, len, arena, &why) != SL_OK) {
			if (s->opt.split_lines)
				snprintf(text, sizeof text, "line %u: %s", n,
					 why.message);
			else
				snprintf(text, sizeof text, "%s", why.message);
			hs_answer_error(s, q, MHD_HTTP_BAD_REQUEST, text);
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
		while (got < max && hs_next_record(s, q, &data, &len)) {
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
		hs_answer_ok(s, q);
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
		hs_answer_error(s, q, MHD_HTTP_SERVICE_UNAVAILABLE,
			     "the transaction carrying it was aborted: send it "
			     "again");
		n++;
	}
	s->handed = s->handed_tail = NULL;
	if (s->current != NULL) {
		hs_answer_error(s, s->current, MHD_HTTP_SERVICE_UNAVAILABLE,
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
