/*
 * kafka_sink_dead_letter.c - other stages' dead letters into the shared
 * producer, cut to what their topic takes.
 *
 * A record often fails because it is too large for the job's own sink;
 * its dead letter, the same bytes with more headers, is then too large
 * for the dead-letter topic as well.  Refused, it would stop the job at
 * the same offset on every restart.  So a dead letter that does not fit
 * is written truncated: the first bytes of its value (and of its key,
 * when the key alone is too large), with headers giving the original
 * sizes (sluice.truncated, sluice.truncated.key).
 *
 * What fits is the smaller of the producer's message.max.bytes and the
 * topic's max.message.bytes, which the broker is asked once per topic
 * (DescribeConfigs; when it cannot answer, the producer's limit alone),
 * less room for the record batch around the record; such a record is
 * sent on its own (flushing before and after it), since the broker
 * holds its limit against a whole batch.  The lookup also
 * tells a missing topic, which is created then (one partition,
 * kafka_internal_topic.c); one that cannot be created is an error naming
 * it, within seconds, rather than a record that librdkafka gives up on
 * later, outside the record's error handling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_changelog.h"
#include "kafka_producer.h"
#include "kafka_sink.h"
#include "kafka_txn_async.h"

/* Around a record on the wire: the record batch's header (61 bytes), the
 * record's own lengths, deltas and attributes (at most 36), and slack
 * for a codec's framing. */
#define BATCH_ROOM 256
/* A truncated dead letter goes out in a record batch of its own: the
 * broker holds max.message.bytes against the whole batch, which
 * librdkafka fills up to its batch.size whatever the topic takes. */
#define ALONE_FLUSH_MS 30000
/* Truncations logged per topic; the engine logs every dead letter up to
 * its own limit. */
#define TRUNCATION_LOG_LIMIT 10

struct kafka_dead_letter_topic {
	kafka_dead_letter_topic *next;
	size_t max_bytes;      /* max.message.bytes; 0: the broker did not say */
	uint64_t truncated;
	char name[];
};

/* What @p topic takes, asked once: created as Kafka Connect creates its
 * dead-letter queue when missing (the producer never has a broker create
 * a topic on use).  NULL with @p err filled when it cannot be. */
static kafka_dead_letter_topic *topic_of(kafka_sink *k, const char *topic,
					 sl_error *err)
{
	kafka_dead_letter_topic *t;
	size_t max = 0;
	sl_error why;

	for (t = k->dead_letter_topics; t != NULL; t = t->next)
		if (strcmp(t->name, topic) == 0)
			return t;
	if (kafka_dead_letter_topic_prepare(k, topic, &max, &why) != SL_OK) {
		/* no answer: the records may still go, uncut */
		if (why.kind != SL_ERR_RETRIABLE) {
			*err = why;
			return NULL;
		}
		max = 0;
	} else if (max == 0) {
		snprintf(why.message, sizeof why.message,
			 "no max.message.bytes in its configuration");
	}
	if (max == 0)
		sl_log(k->stage, SL_LOG_WARN, "cannot read max.message.bytes of "
		       "dead-letter topic %s (%s): dead letters are cut to the "
		       "producer's message.max.bytes (%zu) alone", topic,
		       why.message, k->p->max_message_bytes);
	if ((t = calloc(1, sizeof *t + strlen(topic) + 1)) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	t->max_bytes = max;
	memcpy(t->name, topic, strlen(topic) + 1);
	t->next = k->dead_letter_topics;
	k->dead_letter_topics = t;
	return t;
}

void kafka_sink_dead_letter_close(kafka_sink *k)
{
	while (k->dead_letter_topics != NULL) {
		kafka_dead_letter_topic *t = k->dead_letter_topics;

		k->dead_letter_topics = t->next;
		free(t);
	}
}

/* Headers on the wire, as kafka_sink_write.c counts them. */
static size_t header_bytes(const sl_header *h, size_t n)
{
	size_t bytes = 0, i;

	for (i = 0; i < n; i++)
		bytes += 10 + strlen(h[i].name) + (h[i].value.data ? h[i].value.len : 0);
	return bytes;
}

/* The engine's headers, then the sizes of what was cut; @p cut has room
 * for header_count + 2. */
typedef struct truncation {
	sl_record rec;           /* the record, its key and value shortened */
	sl_header *headers;
	size_t header_count;
	char value_size[24], key_size[24];
} truncation;

/*
 * Shorten @p rec to at most @p limit bytes on the wire into @p t: the
 * value first, the key too when the key and headers leave no room.
 * SL_ERR when the headers alone do not fit @p topic.
 */
static int truncate_to(truncation *t, const char *topic, const sl_record *rec,
		       size_t limit, const sl_header *headers,
		       size_t header_count, sl_error *err)
{
	size_t fixed, room;

	t->rec = *rec;
	memcpy(t->headers, headers, header_count * sizeof *headers);
	t->header_count = header_count;
	snprintf(t->value_size, sizeof t->value_size, "%zu", rec->value_raw.len);
	snprintf(t->key_size, sizeof t->key_size, "%zu", rec->key_raw.len);
	t->headers[t->header_count].name = "sluice.truncated";
	t->headers[t->header_count].value.data = (const uint8_t *)t->value_size;
	t->headers[t->header_count++].value.len = strlen(t->value_size);
	/* the key's header is counted whether it comes or not: simpler, and
	 * the few bytes do not matter next to a value this large */
	fixed = BATCH_ROOM + header_bytes(rec->headers, rec->header_count) +
		header_bytes(t->headers, t->header_count) +
		10 + strlen("sluice.truncated.key") + strlen(t->key_size);
	if (fixed >= limit)
		return sl_error_set(err, SL_ERR_RUNTIME, "dead-letter topic %s "
				    "takes %zu bytes, too few for the dead letter's "
				    "headers alone (%zu bytes) and the record batch "
				    "around them (%d)", topic, limit,
				    fixed - BATCH_ROOM, BATCH_ROOM);
	room = limit - fixed;
	if (rec->key_raw.len >= room) {
		t->headers[t->header_count].name = "sluice.truncated.key";
		t->headers[t->header_count].value.data = (const uint8_t *)t->key_size;
		t->headers[t->header_count++].value.len = strlen(t->key_size);
		t->rec.key_raw.len = room;
		t->rec.value_raw.len = 0;
		return SL_OK;
	}
	room -= rec->key_raw.len;
	if (t->rec.value_raw.len > room)
		t->rec.value_raw.len = room;
	return SL_OK;
}

/* A produce call's failure that is this record's, not the producer's. */
static int record_fault(rd_kafka_resp_err_t code)
{
	return code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ||
	       code == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
	       code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	       code == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED;
}

int kafka_sink_dead_letter(void *self, const char *topic, const sl_record *rec,
			   const sl_header *headers, size_t header_count,
			   sl_error *err)
{
	kafka_sink *k = self;
	kafka_producer *p = k->p;
	kafka_dead_letter_topic *t;
	truncation cut;
	const sl_record *send = rec;
	const sl_header *extra = headers;
	size_t extra_count = header_count, limit, whole;
	uint64_t failed;
	rd_kafka_topic_t *rkt;
	rd_kafka_resp_err_t code;
	char what[300];

	if (kafka_producer_writable(p, err) != SL_OK)
		return SL_ERR;
	/* the topic object below lives only for this call: never held */
	kafka_txn_settle(p);
	snprintf(what, sizeof what, "cannot produce a dead letter to topic %s", topic);
	if ((t = topic_of(k, topic, err)) == NULL)
		return SL_ERR;
	limit = p->max_message_bytes;
	if (t->max_bytes > 0 && t->max_bytes < limit)
		limit = t->max_bytes;
	whole = BATCH_ROOM + rec->key_raw.len + rec->value_raw.len +
		header_bytes(rec->headers, rec->header_count) +
		header_bytes(headers, header_count);
	cut.headers = NULL;
	if (whole > limit) {
		if ((cut.headers = malloc((header_count + 2) * sizeof *cut.headers)) == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		if (truncate_to(&cut, topic, rec, limit, headers, header_count, err) != SL_OK) {
			free(cut.headers);
			return SL_ERR;
		}
		send = &cut.rec;
		extra = cut.headers;
		extra_count = cut.header_count;
		if (t->truncated++ < TRUNCATION_LOG_LIMIT)
			sl_log(k->stage, SL_LOG_WARN, "a dead letter of %zu bytes "
			       "is truncated to %zu for topic %s, which takes %zu "
			       "(the smaller of the producer's message.max.bytes and "
			       "the topic's max.message.bytes)", rec->key_raw.len +
			       rec->value_raw.len, send->key_raw.len +
			       send->value_raw.len, topic, limit);
	}
	/* the producer's default topic settings; a known topic is a lookup */
	if ((rkt = rd_kafka_topic_new(p->client.rk, topic, NULL)) == NULL) {
		free(cut.headers);
		return kafka_error_code(err, rd_kafka_last_error(), what);
	}
	if (send != rec)
		rd_kafka_flush(p->client.rk, ALONE_FLUSH_MS);
	failed = p->failed;
	code = kafka_sink_produce(k, rkt, send, extra, extra_count);
	rd_kafka_topic_destroy(rkt);
	free(cut.headers);
	if (send != rec && code == RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_flush(p->client.rk, ALONE_FLUSH_MS);
		/* refused even so: the record's failure, not the next
		 * flush's (the report stays for that flush, which the
		 * job's stop runs and whose error gives way to this) */
		if (failed == 0 && p->failed > 0 &&
		    strcmp(p->first_topic, topic) == 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "%s, even cut "
					    "to fit %zu bytes: %s", what, limit,
					    rd_kafka_err2str(p->first_err));
	}
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
		return SL_OK;
	/* refused for what it is: the job stops on it (a doomed transaction
	 * would only read it again) */
	if (record_fault(code))
		return kafka_error_code(err, code, what);
	if (kafka_producer_failed(p, code, what, err) != SL_OK)
		return SL_ERR;
	/* exactly-once: the transaction is doomed, and the record with it */
	return SL_OK;
}
