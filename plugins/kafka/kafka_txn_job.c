/*
 * kafka_txn_job.c - one commit of the job's Kafka transaction, on
 * whichever thread runs it, and how the transactional calls of
 * librdkafka are retried and their failures told.
 *
 * A commit is a job (kafka_commit_job) that copies what it sends, so
 * that it can run on a thread of its own (kafka_txn_async.c) as well as
 * in txn_commit (kafka_txn.c).  This file calls neither: both hand it
 * the job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_topic_watch.h"
#include "kafka_txn_job.h"

/* Pause between attempts of a retriable call; the producer's callbacks are
 * served meanwhile. */
#define RETRY_PAUSE_MS 100

/* Retriable failures (the coordinator moving, a broker restarting) are
 * retried this long at least, however short the transaction's timeout:
 * the broker aborts a transaction that outlives it, and the next call
 * says so as an abortable error, which the engine handles. */
#define RETRY_FOR_MS 60000

int64_t kafka_txn_retry_for(const kafka_producer *p)
{
	return p->txn_timeout_ms > RETRY_FOR_MS ? p->txn_timeout_ms : RETRY_FOR_MS;
}

int kafka_txn_again(kafka_producer *p, rd_kafka_error_t *error, int64_t deadline,
		    const char *what, int *tries)
{
	if (error == NULL || !rd_kafka_error_is_retriable(error) ||
	    rd_kafka_error_is_fatal(error) ||
	    rd_kafka_error_txn_requires_abort(error) || kafka_now_ms() >= deadline)
		return 0;
	/* before the first transaction nothing is lost by giving up on a
	 * stop; once they run, the last commit is worth the wait */
	if (!p->txn_ready && SL_HOST_HAS(stopping) &&
	    sl_stopping(p->client.stage))
		return 0;
	if ((*tries)++ == 0)
		sl_log(p->client.stage, SL_LOG_WARN, "%s: %s (retrying)", what,
		       rd_kafka_error_string(error));
	rd_kafka_error_destroy(error);
	rd_kafka_poll(p->client.rk, RETRY_PAUSE_MS);
	return 1;
}

int kafka_txn_failed(kafka_producer *p, rd_kafka_error_t *error,
		     const char *what, sl_error *err)
{
	if (rd_kafka_error_is_fatal(error)) {
		rd_kafka_error_destroy(error);
		return kafka_producer_fatal(p, what, err);
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

static void free_sent(kafka_sent *sent, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(sent[i].topic);
	free(sent);
}

void kafka_commit_job_free(kafka_commit_job *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->count; i++) {
		if (j->offsets != NULL && j->offsets[i] != NULL)
			rd_kafka_topic_partition_list_destroy(j->offsets[i]);
		if (j->groups != NULL && j->groups[i] != NULL)
			rd_kafka_consumer_group_metadata_destroy(j->groups[i]);
		if (j->stages != NULL)
			free(j->stages[i]);
	}
	free(j->offsets);
	free(j->groups);
	free(j->stages);
	free_sent(j->sent, j->sent_count);
	free(j);
}

/* A copy of consumer group metadata, through its serialized form. */
static int copy_group(const void *group, rd_kafka_consumer_group_metadata_t **out)
{
	void *buf = NULL;
	size_t size = 0;
	rd_kafka_error_t *error;

	*out = NULL;
	if (group == NULL)
		return 0;
	error = rd_kafka_consumer_group_metadata_write(
		(const rd_kafka_consumer_group_metadata_t *)group, &buf, &size);
	if (error == NULL) {
		error = rd_kafka_consumer_group_metadata_read(out, buf, size);
		free(buf);
	}
	if (error == NULL)
		return 0;
	rd_kafka_error_destroy(error);
	return -1;
}

/* One source's positions: its offsets, and the same for same_offsets. */
static int copy_source(kafka_commit_job *j, size_t i, const sl_txn_source *s)
{
	size_t k;

	if ((j->stages[i] = strdup(s->stage ? s->stage : "?")) == NULL ||
	    copy_group(s->group, &j->groups[i]) != 0)
		return -1;
	j->offsets[i] = rd_kafka_topic_partition_list_new((int)s->count);
	for (k = 0; k < s->count; k++) {
		const sl_position *pos = &s->positions[k];
		kafka_sent *sent = &j->sent[j->sent_count];

		if (pos->topic == NULL)
			continue;
		rd_kafka_topic_partition_list_add(j->offsets[i], pos->topic,
						  pos->partition)->offset = pos->next_offset;
		if ((sent->topic = strdup(pos->topic)) == NULL)
			return -1;
		sent->partition = pos->partition;
		sent->offset = pos->next_offset;
		j->sent_count++;
	}
	return 0;
}

kafka_commit_job *kafka_commit_job_new(const sl_txn *txn)
{
	kafka_commit_job *j = calloc(1, sizeof *j);
	size_t i, n = 0, slots;

	if (j == NULL)
		return NULL;
	for (i = 0; i < txn->source_count; i++)
		n += txn->sources[i].count;
	slots = txn->source_count ? txn->source_count : 1;
	j->count = txn->source_count;
	j->offsets = calloc(slots, sizeof *j->offsets);
	j->groups = calloc(slots, sizeof *j->groups);
	j->stages = calloc(slots, sizeof *j->stages);
	j->sent = calloc(n ? n : 1, sizeof *j->sent);
	if (j->offsets == NULL || j->groups == NULL || j->stages == NULL ||
	    j->sent == NULL) {
		kafka_commit_job_free(j);
		return NULL;
	}
	for (i = 0; i < txn->source_count; i++)
		if (copy_source(j, i, &txn->sources[i]) != 0) {
			kafka_commit_job_free(j);
			return NULL;
		}
	return j;
}

/* One source's offsets into the transaction. */
static int send_offsets(kafka_producer *p, const kafka_commit_job *j, size_t i,
			int64_t deadline, sl_error *err)
{
	rd_kafka_error_t *error;
	char what[300];
	int tries = 0;

	if (j->groups[i] == NULL || j->offsets[i]->cnt == 0)
		return SL_OK;
	snprintf(what, sizeof what, "cannot add the offsets of source '%s' to the "
		 "transaction", j->stages[i]);
	/* retried with the same offsets and group metadata, as librdkafka
	 * asks, so the transaction holds what the engine thinks it does */
	do
		error = rd_kafka_send_offsets_to_transaction(
			p->client.rk, j->offsets[i], j->groups[i],
			(int)p->txn_timeout_ms);
	while (kafka_txn_again(p, error, deadline, what, &tries));
	return error == NULL ? SL_OK : kafka_txn_failed(p, error, what, err);
}

void kafka_commit_job_run(kafka_producer *p, kafka_commit_job *j)
{
	int64_t deadline = kafka_now_ms() + kafka_txn_retry_for(p);
	rd_kafka_error_t *error;
	size_t i;
	int tries = 0;

	j->rc = SL_OK;
	for (i = 0; i < j->count; i++)
		if ((j->rc = send_offsets(p, j, i, deadline, &j->err)) != SL_OK)
			return;
	/* -1: the rest of the transaction's time, as librdkafka advises */
	do
		error = rd_kafka_commit_transaction(p->client.rk, -1);
	while (kafka_txn_again(p, error, deadline, "committing the transaction", &tries));
	if (error != NULL) {
		j->rc = kafka_txn_failed(p, error, "cannot commit the transaction", &j->err);
		return;
	}
	j->committed = 1;
	error = rd_kafka_begin_transaction(p->client.rk);
	if (error != NULL) {
		j->rc = kafka_txn_failed(p, error, "cannot begin a transaction", &j->err);
	} else {
		j->begun = 1;
		j->begun_ms = kafka_now_ms();
	}
}

int kafka_commit_job_apply(kafka_producer *p, kafka_commit_job *j, sl_error *err)
{
	if (j->committed) {
		p->txn_open = 0;
		free_sent(p->sent, p->sent_count);
		p->sent = j->sent;
		p->sent_count = j->sent_count;
		j->sent = NULL;
		j->sent_count = 0;
	}
	if (j->begun) {
		p->txn_open = 1;
		p->txn_begun_ms = j->begun_ms;
		p->produced = 0;
		/* a record held for this transaction may have failed while
		 * the last one committed */
		p->doomed = p->doomed_next;
		p->doom = p->doom_next;
		p->doomed_next = 0;
		p->failed = 0;
	}
	if (j->rc == SL_OK)
		return SL_OK;
	/* records refused because their topic is gone doom every
	 * transaction after this one too: say so and stop instead (the
	 * pipelined path reads the job's error, so it is changed there) */
	if (j->err.kind == SL_ERR_ABORTABLE)
		kafka_topic_watch_lost(p, p->failed > 0 ? p->first_topic : NULL,
				       p->first_err, &j->err);
	*err = j->err;
	return SL_ERR;
}

