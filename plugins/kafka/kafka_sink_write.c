/*
 * kafka_sink_write.c - records into the shared producer (other stages'
 * dead letters: kafka_sink_dead_letter.c).
 *
 * The batch's memory is gone after write returns, so librdkafka copies
 * each key and value (RD_KAFKA_MSG_F_COPY: one allocation per message,
 * payload inline, in librdkafka's own buffers) rather than the sink
 * keeping batches alive until their delivery reports come back.
 */
#include <stdio.h>
#include <string.h>

#include "kafka_producer.h"
#include "kafka_sink.h"
#include "kafka_sink_pack.h"
#include "kafka_topic_watch.h"
#include "kafka_txn_async.h"

static rd_kafka_headers_t *headers_of(const sl_header *a, size_t na,
				      const sl_header *b, size_t nb,
				      size_t *bytes)
{
	rd_kafka_headers_t *h;
	size_t i;

	*bytes = 0;
	if (na + nb == 0)
		return NULL;
	h = rd_kafka_headers_new(na + nb);
	for (i = 0; i < na + nb; i++) {
		const sl_header *x = i < na ? &a[i] : &b[i - na];
		size_t name = strlen(x->name);

		/* a NULL value stays a null header */
		rd_kafka_header_add(h, x->name, -1, x->value.data,
				    x->value.data ? (ssize_t)x->value.len : 0);
		/* on the wire: two varint lengths, the name, the value */
		*bytes += 10 + name + (x->value.data ? x->value.len : 0);
	}
	return h;
}

rd_kafka_resp_err_t kafka_sink_produce(kafka_sink *k, rd_kafka_topic_t *rkt,
				       const sl_record *r,
				       const sl_header *extra,
				       size_t extra_count)
{
	size_t bytes;
	rd_kafka_headers_t *h = headers_of(r->headers, r->header_count,
					   extra, extra_count, &bytes);
	rd_kafka_resp_err_t code = kafka_producer_send(
		k->p, rkt, RD_KAFKA_PARTITION_UA, r->key_raw.data,
		r->key_raw.len, r->value_raw.data, r->value_raw.len,
		r->timestamp, h, bytes);

	if (code != RD_KAFKA_RESP_ERR_NO_ERROR && h != NULL)
		rd_kafka_headers_destroy(h);
	return code; /* on success the producer owns h */
}

/*
 * The sink's topic must exist; asked once, at the first call after open
 * rather than in it: every sink of the job opens first, so that a job
 * file's conflict between two sinks is told as such (exit 2) before a
 * cluster that does not answer is waited for.
 */
int kafka_sink_topic_known(kafka_sink *k, sl_error *err)
{
	/* a store's handle writes only changelogs, prepared as such */
	if (k->topic_known || k->rkt == NULL)
		return SL_OK;
	if (kafka_topic_watch_open(k->p, k->stage, rd_kafka_topic_name(k->rkt),
				   err) != SL_OK)
		return SL_ERR;
	k->topic_known = 1;
	return SL_OK;
}

int kafka_sink_write(void *self, const sl_batch *batch, sl_error *err)
{
	kafka_sink *k = self;
	kafka_producer *p = k->p;
	uint32_t i;
	int rc = kafka_producer_writable(p, err);

	if (rc == SL_OK && (kafka_sink_topic_known(k, err) != SL_OK ||
			    kafka_topic_watch_tick(p, err)))
		return SL_ERR;
	for (i = 0; rc == SL_OK && i < batch->count && !p->doomed; i++) {
		const sl_record *r = &batch->records[i];
		rd_kafka_topic_t *rkt = k->rkt;
		rd_kafka_resp_err_t code;
		sl_header *extra = NULL;
		size_t extra_count = 0;
		sl_error why;
		char what[300];

		if ((kafka_sink_routed(k) &&
		     (rkt = kafka_sink_route(k, batch, r, &why)) == NULL) ||
		    kafka_sink_headers(k, batch, r, &extra, &extra_count,
				       &why) != SL_OK) {
			if (why.kind != SL_ERR_RECORD) {
				*err = why;
				rc = SL_ERR;
				break;
			}
			rc = sl_record_error(k->stage, r, err, "%s", why.message);
			if (rc == SL_SKIP)
				rc = SL_OK;
			continue;
		}
		if (k->packs != NULL) {
			code = kafka_sink_pack_write(k, r, &why);
			if (code == RD_KAFKA_RESP_ERR__FAIL) {
				*err = why;
				rc = SL_ERR;
				break;
			}
		} else {
			code = kafka_sink_produce(k, rkt, r, extra, extra_count);
		}
		if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
			continue;
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
		if (kafka_topic_watch_lost(p, rd_kafka_topic_name(rkt), code,
					   err)) {
			rc = SL_ERR;
			break;
		}
		snprintf(what, sizeof what, "cannot produce to topic %s",
			 rd_kafka_topic_name(rkt));
		if ((rc = kafka_producer_failed(p, code, what, err)) != SL_OK)
			break;
	}
	/* delivery reports and logs, without waiting (while a commit runs,
	 * its thread serves them) */
	kafka_txn_settle_if_over(p);
	if (p->committing == NULL)
		rd_kafka_poll(p->client.rk, 0);
	return rc;
}

int kafka_sink_flush(void *self, int timeout_ms, sl_error *err)
{
	kafka_sink *k = self;

	if (kafka_sink_topic_known(k, err) != SL_OK ||
	    kafka_sink_packs_send(k, -1, err) != SL_OK)
		return SL_ERR;
	return kafka_producer_flush(k->p, k->name, timeout_ms, err);
}

uint64_t kafka_sink_mark(void *self)
{
	kafka_sink *k = self;

	/* what the mark is after must be produced */
	kafka_sink_packs_send_now(k);
	return kafka_producer_mark(k->p);
}

int kafka_sink_durable(void *self, uint64_t mark, sl_error *err)
{
	kafka_sink *k = self;

	if (kafka_sink_topic_known(k, err) != SL_OK ||
	    kafka_sink_packs_failed(k, err))
		return SL_ERR;
	return kafka_producer_durable(k->p, mark, err);
}
