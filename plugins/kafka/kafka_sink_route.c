/*
 * kafka_sink_route.c - what a Kafka sink computes per record: its topic
 * (`topic.expr`, instead of a fixed `topic`) and headers of its own
 * (`header.NAME = expr`, after the record's headers).
 *
 * A computed topic must exist, as a fixed one must (kafka_topic_watch.h):
 * the first record for a topic looks it up once; a topic that does not
 * exist, or a value that is no topic name, is the record's fault and
 * goes to the stage's errors policy.  The topics met are kept, each with
 * the sink's topic settings, up to ROUTES_MAX of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_producer.h"
#include "kafka_sink.h"
#include "kafka_topic_watch.h"

/* Past this many distinct topics a sink refuses a record's new topic:
 * an expression that makes up names (a timestamp in them) would
 * otherwise grow the producer without end. */
#define ROUTES_MAX 1000

typedef struct kafka_route {
	char *topic;
	rd_kafka_topic_t *rkt; /* NULL: looked up, and missing */
} kafka_route;

struct kafka_sink_routes {
	sl_expr *topic;       /* topic.expr, or NULL */
	kafka_route *list;
	size_t count;
	size_t last;          /* the last one used: records come in runs */
	sl_expr **headers;    /* header.NAME, in file order */
	const char **names;
	size_t header_count;
};

static int add_header(void *ctx, const char *key, const char *value)
{
	kafka_sink *k = ctx;
	kafka_sink_routes *r = k->routes;
	sl_expr **x = realloc(r->headers, (r->header_count + 1) * sizeof *x);
	const char **n;
	sl_error err;

	(void)value;
	if (x == NULL)
		return 1;
	r->headers = x;
	if ((n = realloc(r->names, (r->header_count + 1) * sizeof *n)) == NULL)
		return 1;
	r->names = n;
	if ((x[r->header_count] = sl_expr_compile(k->stage, key, &err)) == NULL)
		return 1;
	n[r->header_count++] = key + strlen("header.");
	return 0;
}

static int count_one(void *ctx, const char *key, const char *value)
{
	(void)key;
	(void)value;
	++*(size_t *)ctx;
	return 0;
}

int kafka_sink_routes_open(kafka_sink *k, sl_error *err)
{
	size_t headers = 0;

	sl_option_each(k->stage, "header.", count_one, &headers);
	if (sl_option(k->stage, "topic.expr") == NULL && headers == 0)
		return SL_OK;
	if ((k->routes = calloc(1, sizeof *k->routes)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (sl_option(k->stage, "topic.expr") != NULL &&
	    (k->routes->topic = sl_expr_compile(k->stage, "topic.expr", err)) == NULL)
		return SL_ERR;
	if (sl_option_each(k->stage, "header.", add_header, k) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "header.*: cannot "
				    "compile the expressions");
	return SL_OK;
}

void kafka_sink_routes_close(kafka_sink *k)
{
	kafka_sink_routes *r = k->routes;
	size_t i;

	if (r == NULL)
		return;
	if (r->topic != NULL)
		sl_expr_free(r->topic);
	for (i = 0; i < r->count; i++) {
		if (r->list[i].rkt != NULL)
			rd_kafka_topic_destroy(r->list[i].rkt);
		free(r->list[i].topic);
	}
	for (i = 0; i < r->header_count; i++)
		sl_expr_free(r->headers[i]);
	free(r->list);
	free(r->headers);
	free(r->names);
	free(r);
	k->routes = NULL;
}

int kafka_sink_routed(const kafka_sink *k)
{
	return k->routes != NULL && k->routes->topic != NULL;
}

/* Kafka's rule for a topic's name: 1 to 249 of [a-zA-Z0-9._-]. */
static int topic_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 249 || (len <= 2 && s[0] == '.' && s[len - 1] == '.'))
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' ||
		      s[i] == '-'))
			return 0;
	return 1;
}

/* The route of @p topic, made (and the topic looked up) the first time. */
static kafka_route *route_of(kafka_sink *k, const char *topic, size_t len,
			     sl_error *err)
{
	kafka_sink_routes *r = k->routes;
	kafka_route *grown, *at;
	rd_kafka_topic_conf_t *tc;
	size_t i;

	if (r->last < r->count && strlen(r->list[r->last].topic) == len &&
	    memcmp(r->list[r->last].topic, topic, len) == 0)
		return &r->list[r->last];
	for (i = 0; i < r->count; i++)
		if (strlen(r->list[i].topic) == len &&
		    memcmp(r->list[i].topic, topic, len) == 0)
			return &r->list[r->last = i];
	if (r->count == ROUTES_MAX) {
		sl_error_set(err, SL_ERR_RECORD, "topic.expr: a topic beyond the "
			     "%d this sink writes to already", ROUTES_MAX);
		return NULL;
	}
	if ((grown = realloc(r->list, (r->count + 1) * sizeof *grown)) == NULL)
		goto oom;
	r->list = grown;
	at = &r->list[r->count];
	memset(at, 0, sizeof *at);
	if ((at->topic = malloc(len + 1)) == NULL)
		goto oom;
	memcpy(at->topic, topic, len);
	at->topic[len] = '\0';
	r->last = r->count++;
	if (kafka_topic_watch_open(k->p, k->stage, at->topic, err) != SL_OK) {
		/* missing: this record's, and the next ones' for it, fault */
		return at;
	}
	if ((tc = rd_kafka_topic_conf_dup(k->tc)) == NULL)
		goto oom;
	at->rkt = rd_kafka_topic_new(k->p->client.rk, at->topic, tc);
	if (at->rkt == NULL) {
		kafka_error_code(err, rd_kafka_last_error(), "cannot use topic");
		return NULL;
	}
	return at;
oom:
	sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	return NULL;
}

rd_kafka_topic_t *kafka_sink_route(kafka_sink *k, const sl_batch *batch,
				   const sl_record *rec, sl_error *err)
{
	sl_value v;
	sl_error why;
	kafka_route *at;

	why.kind = SL_ERR_NONE;
	if (sl_expr_eval(k->routes->topic, rec, batch->arena, &v, &why) != SL_OK) {
		sl_error_set(err, why.kind, "topic.expr: %s", why.message);
		return NULL;
	}
	if (v.type != SL_TSTRING || !topic_name_ok(v.as.s, v.len)) {
		sl_error_set(err, SL_ERR_RECORD, "topic.expr: %s is no topic name "
			     "(1 to 249 of a-z A-Z 0-9 . _ -)",
			     v.type == SL_TSTRING ? "the string" : sl_type_name(v.type));
		return NULL;
	}
	if ((at = route_of(k, v.as.s, v.len, err)) == NULL)
		return NULL;
	if (at->rkt == NULL) {
		sl_error_set(err, SL_ERR_RECORD, "topic.expr: topic %s does not "
			     "exist (the sink creates no topic)", at->topic);
		return NULL;
	}
	return at->rkt;
}

int kafka_sink_headers(kafka_sink *k, const sl_batch *batch,
		       const sl_record *rec, sl_header **out, size_t *count,
		       sl_error *err)
{
	kafka_sink_routes *r = k->routes;
	sl_header *h;
	size_t i;

	*count = 0;
	*out = NULL;
	if (r == NULL || r->header_count == 0)
		return SL_OK;
	h = sl_arena_alloc(batch->arena, r->header_count * sizeof *h);
	if (h == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; i < r->header_count; i++) {
		sl_value v;
		sl_buf text = { NULL, 0, 0, batch->arena };
		sl_error why;

		why.kind = SL_ERR_NONE;
		if (sl_expr_eval(r->headers[i], rec, batch->arena, &v, &why) != SL_OK)
			return sl_error_set(err, why.kind, "header.%s: %s",
					    r->names[i], why.message);
		h[i].name = r->names[i];
		h[i].value.data = NULL;
		h[i].value.len = 0;
		if (v.type == SL_TSTRING || v.type == SL_TBYTES) {
			h[i].value.data = v.type == SL_TSTRING ?
				(const uint8_t *)v.as.s : v.as.bytes;
			h[i].value.len = v.len;
		} else if (v.type != SL_TNULL) {
			/* a number, a boolean, an array or an object: its JSON */
			if (sl_value_to_json(&v, &text) != 0)
				return sl_error_set(err, SL_ERR_RECORD, "header.%s: "
						    "the value has no JSON text",
						    r->names[i]);
			h[i].value.data = text.data;
			h[i].value.len = text.len;
		}
	}
	*out = h;
	*count = r->header_count;
	return SL_OK;
}
