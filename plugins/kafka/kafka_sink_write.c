/*
 * kafka_sink_write.c - records, and other stages' dead letters, into the
 * shared producer.
 *
 * The batch's memory is gone after write returns, so librdkafka copies
 * each key and value (RD_KAFKA_MSG_F_COPY: one allocation per message,
 * payload inline, in librdkafka's own buffers) rather than the sink
 * keeping batches alive until their delivery reports come back.
 */
#include <stdio.h>

#include "kafka_sink.h"

/* Waiting for room in a full producer queue, serving reports meanwhile. */
#define QUEUE_FULL_WAIT_MS 10

static rd_kafka_headers_t *headers_of(const sl_header *a, size_t na,
				      const sl_header *b, size_t nb)
{
	rd_kafka_headers_t *h;
	size_t i;

	if (na + nb == 0)
		return NULL;
	h = rd_kafka_headers_new(na + nb);
	for (i = 0; i < na + nb; i++) {
		const sl_header *x = i < na ? &a[i] : &b[i - na];

		/* a NULL value stays a null header */
		rd_kafka_header_add(h, x->name, -1, x->value.data,
				    x->value.data ? (ssize_t)x->value.len : 0);
	}
	return h;
}

/*
 * Hand one record to librdkafka: its own headers, then @p extra.  Blocks
 * while the producer's queue is full.
 */
static rd_kafka_resp_err_t produce(kafka_sink *k, rd_kafka_topic_t *rkt,
				   const sl_record *r, const sl_header *extra,
				   size_t extra_count)
{
	rd_kafka_t *rk = k->p->client.rk;
	rd_kafka_resp_err_t code;

	for (;;) {
		rd_kafka_headers_t *h = headers_of(r->headers, r->header_count,
						   extra, extra_count);

		code = rd_kafka_producev(
			rk, RD_KAFKA_V_RKT(rkt),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			RD_KAFKA_V_KEY(r->key_raw.data, r->key_raw.len),
			RD_KAFKA_V_VALUE((void *)r->value_raw.data, r->value_raw.len),
			/* 0: librdkafka stamps the time of producing */
			RD_KAFKA_V_TIMESTAMP(r->timestamp >= 0 ? r->timestamp : 0),
			RD_KAFKA_V_HEADERS(h),
			RD_KAFKA_V_OPAQUE(kafka_producer_tag(k->p)),
			RD_KAFKA_V_END);
		if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
			kafka_producer_sent(k->p);
			return code; /* librdkafka owns h now */
		}
		if (h != NULL)
			rd_kafka_headers_destroy(h);
		if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			return code;
		rd_kafka_poll(rk, QUEUE_FULL_WAIT_MS);
	}
}

int kafka_sink_write(void *self, const sl_batch *batch, sl_error *err)
{
	kafka_sink *k = self;
	kafka_producer *p = k->p;
	uint32_t i;
	int rc = kafka_producer_writable(p, err);

	for (i = 0; rc == SL_OK && i < batch->count && !p->doomed; i++) {
		const sl_record *r = &batch->records[i];
		rd_kafka_resp_err_t code = produce(k, k->rkt, r, NULL, 0);
		char what[300];

		if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
			p->produced++;
			continue;
		}
		if (code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
			/* the record's fault, not the job's: its stage's policy */
			rc = sl_record_error(k->stage, r, err,
					     "%zu bytes are more than the producer's "
					     "message.max.bytes", r->key_raw.len +
					     r->value_raw.len);
			if (rc == SL_SKIP) {
				rc = SL_OK;
				continue;
			}
			break;
		}
		snprintf(what, sizeof what, "cannot produce to topic %s",
			 rd_kafka_topic_name(k->rkt));
		if ((rc = kafka_producer_failed(p, code, what, err)) != SL_OK)
			break;
	}
	/* delivery reports and logs, without waiting */
	rd_kafka_poll(p->client.rk, 0);
	return rc;
}

int kafka_sink_flush(void *self, int timeout_ms, sl_error *err)
{
	kafka_sink *k = self;

	return kafka_producer_flush(k->p, k->name, timeout_ms, err);
}

uint64_t kafka_sink_mark(void *self)
{
	kafka_sink *k = self;

	return kafka_producer_mark(k->p);
}

int kafka_sink_durable(void *self, uint64_t mark, sl_error *err)
{
	kafka_sink *k = self;

	return kafka_producer_durable(k->p, mark, err);
}

int kafka_sink_dead_letter(void *self, const char *topic, const sl_record *rec,
			   const sl_header *headers, size_t header_count,
			   sl_error *err)
{
	kafka_sink *k = self;
	kafka_producer *p = k->p;
	rd_kafka_topic_t *rkt;
	rd_kafka_resp_err_t code;
	char what[300];

	if (kafka_producer_writable(p, err) != SL_OK)
		return SL_ERR;
	snprintf(what, sizeof what, "cannot produce a dead letter to topic %s", topic);
	/* the producer's default topic settings; a known topic is a lookup */
	if ((rkt = rd_kafka_topic_new(p->client.rk, topic, NULL)) == NULL)
		return kafka_error_code(err, rd_kafka_last_error(), what);
	code = produce(k, rkt, rec, headers, header_count);
	rd_kafka_topic_destroy(rkt);
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
		p->produced++;
		return SL_OK;
	}
	if (kafka_producer_failed(p, code, what, err) != SL_OK)
		return SL_ERR;
	/* exactly-once: the transaction is doomed, and the record with it */
	return SL_OK;
}
