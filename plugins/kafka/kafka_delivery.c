/*
 * kafka_delivery.c - what became of the records a shared producer
 * was given: delivery reports, and failures in the engine's terms (a
 * fenced producer says who took over).  The lowest of the producer's
 * files: it calls none of the others (kafka_producer.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kafka_delivery.h"
#include "kafka_topic_watch.h"

void kafka_producer_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
				void *opaque)
{
	kafka_producer *p = opaque;
	uint64_t epoch = (uint64_t)(uintptr_t)m->_private;

	(void)rk;
	if (p->outstanding[epoch % KAFKA_EPOCHS] > 0)
		p->outstanding[epoch % KAFKA_EPOCHS]--;
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
		return;
	if (p->failed++ == 0) {
		p->first_err = m->err;
		snprintf(p->first_topic, sizeof p->first_topic, "%s",
			 m->rkt ? rd_kafka_topic_name(m->rkt) : "?");
		p->first_partition = m->partition;
		p->first_stage = m->rkt ? rd_kafka_topic_opaque(m->rkt) : NULL;
	}
}

static void forget_failures(kafka_producer *p)
{
	p->failed = 0;
	p->first_stage = NULL;
}

/*
 * "topic t partition 3: 12 record(s) not delivered: <reason>", naming the
 * sink that wrote the first of them unless it is @p self, whose name the
 * caller's error carries already.
 */
static void describe_failures(const kafka_producer *p, const char *self,
			      char *buf, size_t size)
{
	const char *other = p->first_stage != NULL &&
		(self == NULL || strcmp(p->first_stage, self) != 0) ?
		p->first_stage : NULL;
	char part[32] = "";

	if (p->first_partition >= 0)
		snprintf(part, sizeof part, " partition %d", (int)p->first_partition);
	snprintf(buf, size, "topic %s%s: %llu record(s) not delivered%s%s%s: %s",
		 p->first_topic, part, (unsigned long long)p->failed,
		 other ? " (written by sink '" : "", other ? other : "",
		 other ? "')" : "", rd_kafka_err2str(p->first_err));
}

void *kafka_producer_tag(const kafka_producer *p)
{
	return (void *)(uintptr_t)p->epoch;
}

void kafka_producer_sent(kafka_producer *p)
{
	p->outstanding[p->epoch % KAFKA_EPOCHS]++;
}

/* Move `done` over the closed epochs with nothing outstanding. */
static void advance(kafka_producer *p)
{
	while (p->done + 1 < p->epoch &&
	       p->outstanding[(p->done + 1) % KAFKA_EPOCHS] == 0)
		p->done++;
}

uint64_t kafka_producer_mark(kafka_producer *p)
{
	uint64_t mark = p->epoch;

	/* the slot the next epoch takes must be free: wait for reports
	 * (the engine keeps fewer cycles waiting, so this is rare) */
	advance(p);
	while (p->epoch + 1 - p->done > KAFKA_EPOCHS &&
	       rd_kafka_outq_len(p->client.rk) > 0) {
		rd_kafka_poll(p->client.rk, 10);
		advance(p);
	}
	p->epoch++;
	return mark;
}

int kafka_producer_delivery_failed(kafka_producer *p, const char *self,
				   const char *doing, sl_error *err)
{
	char what[512];

	if (rd_kafka_fatal_error(p->client.rk, NULL, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		kafka_producer_fatal(p, doing, err);
		return 1;
	}
	if (p->failed == 0)
		return 0;
	if (!kafka_topic_watch_lost(p, p->first_topic, p->first_err, err)) {
		describe_failures(p, self, what, sizeof what);
		sl_error_set(err, SL_ERR_RUNTIME, "%s", what);
	}
	forget_failures(p);
	return 1;
}

int kafka_producer_durable(kafka_producer *p, uint64_t mark, sl_error *err)
{
	rd_kafka_poll(p->client.rk, 0);
	if (kafka_topic_watch_tick(p, err))
		return SL_ERR;
	if (p->delivery == SL_DELIVERY_NONE && p->failed > 0 &&
	    rd_kafka_fatal_error(p->client.rk, NULL, 0) == RD_KAFKA_RESP_ERR_NO_ERROR)
		kafka_producer_report_lost(p); /* counted, as flush does */
	else if (kafka_producer_delivery_failed(p, NULL, "delivering records", err))
		return SL_ERR;
	advance(p);
	return p->done >= mark;
}

void kafka_producer_report_lost(kafka_producer *p)
{
	char what[512];

	if (p->failed == 0)
		return;
	describe_failures(p, NULL, what, sizeof what);
	sl_log(p->client.stage, SL_LOG_WARN, "%s (delivery = none: not retried)",
	       what);
	sl_metric_add(p->client.stage, "records lost", (int64_t)p->failed);
	forget_failures(p);
}

/*
 * Whether a fence can only be the broker's own doing.  The coordinator
 * aborts a transaction open longer than transaction.timeout.ms (a broker
 * outage, a stalled job) and bumps the producer's epoch, which fences the
 * producer just as a newer one with its transactional.id would.  A newer
 * one cannot exist when the id is this process's own; with a stable id
 * (static membership, or set by hand) only a transaction that outlived
 * its timeout tells the two apart.
 */
static int fenced_by_timeout(const kafka_producer *p)
{
	if (p->txn_id_unique)
		return 1;
	return p->txn_open && p->txn_begun_ms > 0 &&
	       kafka_now_ms() - p->txn_begun_ms >= p->txn_timeout_ms;
}

/* What a coordinator answers once it has dropped the transaction the
 * producer still holds (aborted after its timeout, during an outage):
 * the producer is done for, a new one is not. */
static int txn_forgotten(rd_kafka_resp_err_t code)
{
	return code == RD_KAFKA_RESP_ERR_INVALID_TXN_STATE ||
	       code == RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID ||
	       code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_ID_MAPPING;
}

static int is_fence(rd_kafka_resp_err_t code)
{
	return code == RD_KAFKA_RESP_ERR__FENCED ||
	       code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
	       code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

int kafka_producer_fatal(kafka_producer *p, const char *what, sl_error *err)
{
	char why[512] = "";
	rd_kafka_resp_err_t code = rd_kafka_fatal_error(p->client.rk, why, sizeof why);

	if (p->txn_id != NULL && is_fence(code) && fenced_by_timeout(p))
		/* Kafka Streams' answer too: a new producer, from the last
		 * commit (the engine reopens the job) */
		return sl_error_set(err, SL_ERR_RESTART,
			"%s: the broker aborted the open transaction of "
			"transactional.id '%s'%s and fenced its producer (%s); "
			"what it carried was not committed", what, p->txn_id,
			p->txn_begun_ms > 0 && kafka_now_ms() - p->txn_begun_ms >=
			p->txn_timeout_ms ? ", open longer than "
			"transaction.timeout.ms (a broker outage or a stall)" : "",
			why);
	if (p->txn_id != NULL && txn_forgotten(code))
		return sl_error_set(err, SL_ERR_RESTART,
			"%s: the transaction coordinator no longer knows the open "
			"transaction of transactional.id '%s' (%s, %s): what it "
			"carried was not committed", what, p->txn_id, why,
			rd_kafka_err2name(code));
	if (p->txn_id != NULL && is_fence(code))
		return sl_error_set(err, SL_ERR_FATAL,
			"producer fenced: another instance of job '%s' with "
			"transactional.id '%s' took over (%s); this instance stops. "
			"Instances that run side by side must not share a "
			"kafka.transactional.id or a kafka.group.instance.id",
			p->job, p->txn_id, why);
	return sl_error_set(err, SL_ERR_FATAL, "%s: the Kafka producer failed for "
			    "good: %s (%s)", what, why[0] ? why : "fatal error",
			    rd_kafka_err2name(code));
}

int kafka_producer_writable(const kafka_producer *p, sl_error *err)
{
	if (p->delivery != SL_DELIVERY_EXACTLY_ONCE || p->txn_open)
		return SL_OK;
	return sl_error_set(err, SL_ERR_RUNTIME,
			    "exactly-once: no Kafka transaction is open, so the "
			    "records would never be committed (the job's transaction "
			    "must be owned by a kafka sink)");
}

int kafka_producer_failed(kafka_producer *p, rd_kafka_resp_err_t code,
			  const char *what, sl_error *err)
{
	if (code == RD_KAFKA_RESP_ERR__FATAL)
		return kafka_producer_fatal(p, what, err);
	if (p->delivery == SL_DELIVERY_EXACTLY_ONCE) {
		/* while a commit runs, what the job writes is held for the
		 * transaction after it: so is the doom */
		int next = p->committing != NULL || p->settled != NULL;
		int *doomed = next ? &p->doomed_next : &p->doomed;
		sl_error *doom = next ? &p->doom_next : &p->doom;

		if (!*doomed) {
			*doomed = 1;
			sl_error_set(doom, SL_ERR_ABORTABLE, "%s: %s", what,
				     rd_kafka_err2str(code));
		}
		return SL_OK;
	}
	return kafka_error_code(err, code, what);
}
