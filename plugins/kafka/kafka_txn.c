/*
 * kafka_txn.c - the job's Kafka transaction (exactly-once, KIP-447).
 *
 * One transaction is open at any time.  Each commit cycle sends the
 * sources' next offsets with their consumer group metadata, so that the
 * broker fences a zombie by its group generation, commits, and opens the
 * next transaction.  librdkafka classifies each failure: retriable ones
 * are retried here until the transaction would time out anyway; abortable
 * ones go back to the engine, which aborts and makes the sources read
 * again from the last committed offsets; fatal ones (a fenced producer)
 * stop the job.
 */
#include <stdlib.h>
#include <string.h>

#include "kafka_txn.h"

/* Pause between attempts of a retriable call; the producer's callbacks are
 * served meanwhile. */
#define RETRY_PAUSE_MS 100

/* init_transactions waits this long per attempt. */
#define INIT_ATTEMPT_MS 10000

/* Retriable failures (the coordinator moving, a broker restarting) are
 * retried this long at least, however short the transaction's timeout:
 * the broker aborts a transaction that outlives it, and the next call
 * says so as an abortable error, which the engine handles. */
#define RETRY_FOR_MS 60000

static int64_t retry_for(const kafka_producer *p)
{
	return p->txn_timeout_ms > RETRY_FOR_MS ? p->txn_timeout_ms : RETRY_FOR_MS;
}

/*
 * Whether to call again after @p error: a retriable one, before
 * @p deadline.  Destroys the error when it says yes.
 */
static int again(kafka_producer *p, rd_kafka_error_t *error, int64_t deadline,
		 const char *what, int *tries)
{
	if (error == NULL || !rd_kafka_error_is_retriable(error) ||
	    rd_kafka_error_is_fatal(error) ||
	    rd_kafka_error_txn_requires_abort(error) || kafka_now_ms() >= deadline)
		return 0;
	if ((*tries)++ == 0)
		sl_log(p->client.stage, SL_LOG_WARN, "%s: %s (retrying)", what,
		       rd_kafka_error_string(error));
	rd_kafka_error_destroy(error);
	rd_kafka_poll(p->client.rk, RETRY_PAUSE_MS);
	return 1;
}

/* @p error in the engine's terms; destroys it.  SL_ERR. */
static int failed(kafka_producer *p, rd_kafka_error_t *error, const char *what,
		  sl_error *err)
{
	if (rd_kafka_error_is_fatal(error)) {
		rd_kafka_error_destroy(error);
		return kafka_txn_fatal(p, what, err);
	}
	if (rd_kafka_error_txn_requires_abort(error))
		sl_error_set(err, SL_ERR_ABORTABLE, "%s: %s", what,
			     rd_kafka_error_string(error));
	else if (rd_kafka_error_is_retriable(error))
		sl_error_set(err, SL_ERR_RUNTIME, "%s: %s (still failing when "
			     "the transaction would have timed out)", what,
			     rd_kafka_error_string(error));
	else
		/* librdkafka's advice: what is neither retriable nor
		 * abortable is as good as fatal */
		sl_error_set(err, SL_ERR_RUNTIME, "%s: %s", what,
			     rd_kafka_error_string(error));
	rd_kafka_error_destroy(error);
	return SL_ERR;
}

static int begin(kafka_producer *p, sl_error *err)
{
	rd_kafka_error_t *error = rd_kafka_begin_transaction(p->client.rk);

	if (error != NULL)
		return failed(p, error, "cannot begin a transaction", err);
	p->txn_open = 1;
	p->produced = 0;
	p->doomed = 0;
	p->failed = 0;
	return SL_OK;
}

int kafka_txn_begin(kafka_producer *p, sl_error *err)
{
	int64_t deadline = kafka_now_ms() + retry_for(p) * 2;
	rd_kafka_error_t *error;
	int tries = 0;

	if (p->txn_ready)
		return p->txn_open ? SL_OK : begin(p, err);
	/* Aborts what an earlier instance with this transactional.id left
	 * open, and fences it if it still runs. */
	do
		error = rd_kafka_init_transactions(p->client.rk, INIT_ATTEMPT_MS);
	while (again(p, error, deadline, "waiting for the transaction coordinator",
		     &tries));
	if (error != NULL)
		return failed(p, error, "cannot initialise transactions", err);
	p->txn_ready = 1;
	sl_log(p->client.stage, SL_LOG_INFO, "transactional.id '%s' ready",
	       p->txn_id);
	return begin(p, err);
}

/* Whether @p txn carries exactly the offsets of the last commit. */
static int same_offsets(const kafka_producer *p, const sl_txn *txn)
{
	size_t i, j, n = 0;

	for (i = 0; i < txn->source_count; i++) {
		const sl_txn_source *s = &txn->sources[i];

		for (j = 0; j < s->count; j++, n++) {
			const sl_position *pos = &s->positions[j];
			const kafka_sent *k = n < p->sent_count ? &p->sent[n] : NULL;

			if (k == NULL || pos->topic == NULL ||
			    k->partition != pos->partition ||
			    k->offset != pos->next_offset ||
			    strcmp(k->topic, pos->topic) != 0)
				return 0;
		}
	}
	return n == p->sent_count;
}

/* Keep the offsets just committed; on failure the next commit sends them
 * again, which is harmless. */
static void remember(kafka_producer *p, const sl_txn *txn)
{
	size_t i, j, n = 0;
	kafka_sent *sent;

	for (i = 0; i < p->sent_count; i++)
		free(p->sent[i].topic);
	p->sent_count = 0;
	for (i = 0; i < txn->source_count; i++)
		n += txn->sources[i].count;
	sent = realloc(p->sent, (n ? n : 1) * sizeof *sent);
	if (sent == NULL)
		return;
	p->sent = sent;
	for (i = 0; i < txn->source_count; i++) {
		const sl_txn_source *s = &txn->sources[i];

		for (j = 0; j < s->count; j++) {
			if (s->positions[j].topic == NULL ||
			    (sent->topic = strdup(s->positions[j].topic)) == NULL)
				return;
			sent->partition = s->positions[j].partition;
			sent->offset = s->positions[j].next_offset;
			sent++;
			p->sent_count++;
		}
	}
}

/* One source's offsets into the transaction. */
static int send_offsets(kafka_producer *p, const sl_txn_source *s,
			int64_t deadline, sl_error *err)
{
	rd_kafka_topic_partition_list_t *list;
	rd_kafka_error_t *error;
	char what[300];
	size_t i;
	int tries = 0;

	if (s->group == NULL || s->count == 0)
		return SL_OK;
	list = rd_kafka_topic_partition_list_new((int)s->count);
	for (i = 0; i < s->count; i++)
		if (s->positions[i].topic != NULL)
			rd_kafka_topic_partition_list_add(list, s->positions[i].topic,
							  s->positions[i].partition)
				->offset = s->positions[i].next_offset;
	snprintf(what, sizeof what, "cannot add the offsets of source '%s' to the "
		 "transaction", s->stage);
	/* retried with the same offsets and group metadata, as librdkafka
	 * asks, so the transaction holds what the engine thinks it does */
	do
		error = rd_kafka_send_offsets_to_transaction(
			p->client.rk, list,
			(const rd_kafka_consumer_group_metadata_t *)s->group,
			(int)p->txn_timeout_ms);
	while (again(p, error, deadline, what, &tries));
	rd_kafka_topic_partition_list_destroy(list);
	return error == NULL ? SL_OK : failed(p, error, what, err);
}

int kafka_txn_commit(kafka_producer *p, const sl_txn *txn, sl_error *err)
{
	int64_t deadline = kafka_now_ms() + retry_for(p);
	rd_kafka_error_t *error;
	size_t i;
	int tries = 0;

	if (!p->txn_open)
		return sl_error_set(err, SL_ERR_RUNTIME,
				    "no transaction is open (txn_begin was not called)");
	if (p->doomed) {
		*err = p->doom;
		return SL_ERR;
	}
	/* An idle job commits nothing: no round trips every interval. */
	if (p->produced == 0 && same_offsets(p, txn))
		return SL_OK;
	for (i = 0; i < txn->source_count; i++)
		if (send_offsets(p, &txn->sources[i], deadline, err) != SL_OK)
			return SL_ERR;
	/* -1: the rest of the transaction's time, as librdkafka advises */
	do
		error = rd_kafka_commit_transaction(p->client.rk, -1);
	while (again(p, error, deadline, "committing the transaction", &tries));
	if (error != NULL)
		return failed(p, error, "cannot commit the transaction", err);
	p->txn_open = 0;
	remember(p, txn);
	return begin(p, err);
}

int kafka_txn_abort(kafka_producer *p, sl_error *err)
{
	int64_t deadline = kafka_now_ms() + retry_for(p);
	rd_kafka_error_t *error;
	int tries = 0;

	if (!p->txn_ready)
		return SL_OK; /* nothing was ever begun */
	if (p->txn_open) {
		do
			error = rd_kafka_abort_transaction(p->client.rk, -1);
		while (again(p, error, deadline, "aborting the transaction", &tries));
		if (error != NULL)
			return failed(p, error, "cannot abort the transaction", err);
		p->txn_open = 0;
	}
	return begin(p, err);
}
