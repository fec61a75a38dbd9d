/*
 * kafka_txn_async.c - exactly-once without stopping the job while a
 * transaction commits.
 *
 * Committing takes round trips (the offsets, EndTxn) and waits for every
 * record of the transaction to be acknowledged: on a local broker 10-20
 * ms, every commit interval.  txn_commit_start hands the commit to a
 * thread of its own and returns; txn_commit_finish, at the next cycle,
 * waits for it.  librdkafka refuses records while a commit runs, so
 * what the job writes meanwhile is held here, in order, and produced as
 * soon as the next transaction is open.  While the thread runs, the
 * job's thread leaves the librdkafka handle alone (no produce, no poll):
 * the commit's flush serves the delivery reports on the commit thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_pack.h"
#include "kafka_topic_watch.h"
#include "kafka_txn_async.h"
#include "kafka_txn_job.h"

/* Waiting for room in a full producer queue, serving reports meanwhile. */
#define QUEUE_FULL_WAIT_MS 10

/* A message's most bytes on the wire besides key, value and headers
 * (librdkafka's MessageV2 overhead: length, attributes, timestamp and
 * offset deltas, key and value lengths, header count). */
#define MESSAGE_OVERHEAD (5 + 1 + 10 + 5 + 5 + 5 + 5)

struct kafka_held {
	kafka_held *next;
	rd_kafka_topic_t *rkt;  /* a sink's, changelog's or hop's: outlives it */
	int32_t partition;
	int64_t timestamp;
	rd_kafka_headers_t *headers;
	size_t klen, vlen;
	int has_key, has_value;
	unsigned char data[];   /* key, then value */
};

static rd_kafka_resp_err_t produce(kafka_producer *p, rd_kafka_topic_t *rkt,
				   int32_t partition, const void *key, size_t klen,
				   const void *value, size_t vlen,
				   int64_t timestamp, rd_kafka_headers_t *headers)
{
	rd_kafka_resp_err_t code;

	for (;;) {
		code = rd_kafka_producev(
			p->client.rk, RD_KAFKA_V_RKT(rkt),
			RD_KAFKA_V_PARTITION(partition),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			RD_KAFKA_V_KEY(key, klen),
			RD_KAFKA_V_VALUE((void *)value, vlen),
			/* 0: librdkafka stamps the time of producing */
			RD_KAFKA_V_TIMESTAMP(timestamp >= 0 ? timestamp : 0),
			RD_KAFKA_V_HEADERS(headers),
			RD_KAFKA_V_OPAQUE(kafka_producer_tag(p)),
			RD_KAFKA_V_END);
		if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(p->client.rk, QUEUE_FULL_WAIT_MS);
		/* the queue never drains into a deleted topic: the caller's
		 * kafka_topic_watch_lost() says so */
		if (kafka_topic_watch_tick(p, NULL))
			return RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
	}
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
		kafka_producer_sent(p);
		p->produced++; /* the commit must not skip this transaction */
	}
	return code;
}

/* What was held goes into the transaction just begun.  A failure dooms
 * it, as a failed produce of the job's would, and the rest goes with
 * the abort. */
static void release_held(kafka_producer *p)
{
	kafka_held *h;

	if (p->held_count > 0)
		sl_metric_add(p->client.stage, "held during commits",
			      (int64_t)p->held_count);
	while ((h = p->held) != NULL && !p->doomed) {
		rd_kafka_resp_err_t code;

		p->held = h->next;
		p->held_count--;
		code = produce(p, h->rkt, h->partition, h->has_key ? h->data : NULL,
			       h->klen, h->has_value ? h->data + h->klen : NULL,
			       h->vlen, h->timestamp, h->headers);
		if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
			char what[300];
			sl_error e;

			if (h->headers != NULL)
				rd_kafka_headers_destroy(h->headers);
			snprintf(what, sizeof what, "cannot produce to topic %s",
				 rd_kafka_topic_name(h->rkt));
			if (kafka_producer_failed(p, code, what, &e) != SL_OK) {
				p->doomed = 1;
				p->doom = e;
			}
		}
		free(h);
	}
	kafka_txn_drop_held(p);
}

void kafka_txn_drop_held(kafka_producer *p)
{
	kafka_held *h;

	while ((h = p->held) != NULL) {
		p->held = h->next;
		if (h->headers != NULL)
			rd_kafka_headers_destroy(h->headers);
		free(h);
	}
	p->held_count = 0;
	p->held_tail = &p->held;
}

/* A commit that has run: into the books, kept for finish; once the next
 * transaction is open, what was held goes into it. */
static void settled(kafka_producer *p, kafka_commit_job *j)
{
	sl_error ignored;

	p->settled = j;
	if (kafka_commit_job_apply(p, j, &ignored) == SL_OK)
		release_held(p);
}

void kafka_txn_settle(kafka_producer *p)
{
	kafka_commit_job *j = p->committing;

	if (j == NULL)
		return;
	pthread_join(p->committer, NULL);
	p->committing = NULL;
	settled(p, j);
}

void kafka_txn_discard(kafka_producer *p)
{
	kafka_packs *ps;
	sl_error ignored;

	/* held first: its topic objects may be gone, and it must not go
	 * into the transaction the commit opens */
	kafka_txn_drop_held(p);
	kafka_txn_commit_finish(p, &ignored);
	p->doomed_next = 0; /* what it doomed goes with the abort */
	/* packs not produced yet are records of the same transaction */
	for (ps = p->packs; ps != NULL; ps = ps->next)
		kafka_packs_drop(ps);
}

void kafka_txn_settle_if_over(kafka_producer *p)
{
	if (p->committing != NULL &&
	    __atomic_load_n(&p->committing->over, __ATOMIC_ACQUIRE))
		kafka_txn_settle(p);
}

static void *commit_thread(void *arg)
{
	kafka_producer *p = arg;
	kafka_commit_job *j = p->committing;

	kafka_commit_job_run(p, j);
	__atomic_store_n(&j->over, 1, __ATOMIC_RELEASE);
	return NULL;
}

void kafka_txn_async_run(kafka_producer *p, kafka_commit_job *j)
{
	p->committing = j;
	if (pthread_create(&p->committer, NULL, commit_thread, p) != 0) {
		/* no thread to spare: commit here and now */
		p->committing = NULL;
		kafka_commit_job_run(p, j);
		settled(p, j);
	}
}

int kafka_txn_commit_finish(kafka_producer *p, sl_error *err)
{
	kafka_commit_job *j;
	int rc;

	kafka_txn_settle(p);
	if ((j = p->settled) == NULL)
		return SL_OK;
	p->settled = NULL;
	rc = j->rc;
	if (rc != SL_OK)
		*err = j->err;
	kafka_commit_job_free(j);
	return rc;
}

rd_kafka_resp_err_t kafka_producer_send(kafka_producer *p, rd_kafka_topic_t *rkt,
					int32_t partition, const void *key,
					size_t klen, const void *value,
					size_t vlen, int64_t timestamp,
					rd_kafka_headers_t *headers,
					size_t header_bytes)
{
	kafka_held *h;

	kafka_txn_settle_if_over(p);
	if (p->committing == NULL && (p->settled == NULL || p->settled->rc == SL_OK))
		return produce(p, rkt, partition, key, klen, value, vlen,
			       timestamp, headers);
	/* librdkafka would refuse it on release, when only the whole
	 * transaction could fail for it: refuse it now, as it would */
	if (MESSAGE_OVERHEAD + klen + vlen + header_bytes > p->max_message_bytes)
		return RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
	if ((h = malloc(sizeof *h + klen + vlen)) == NULL)
		return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
	h->next = NULL;
	h->rkt = rkt;
	h->partition = partition;
	h->timestamp = timestamp;
	h->headers = headers;
	h->klen = key != NULL ? klen : 0;
	h->vlen = value != NULL ? vlen : 0;
	h->has_key = key != NULL;
	h->has_value = value != NULL;
	if (h->klen > 0)
		memcpy(h->data, key, h->klen);
	if (h->vlen > 0)
		memcpy(h->data + h->klen, value, h->vlen);
	if (p->held_tail == NULL)
		p->held_tail = &p->held;
	*p->held_tail = h;
	p->held_tail = &h->next;
	p->held_count++;
	return RD_KAFKA_RESP_ERR_NO_ERROR;
}
