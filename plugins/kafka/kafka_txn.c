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
 *
 * These are the sink class's transaction calls, the top of three files
 * that call only downwards: the commit itself is a job
 * (kafka_txn_job.c), run here for txn_commit or handed to a thread of
 * its own for txn_commit_start (kafka_txn_async.c).
 */
#include <string.h>

#include "kafka_txn.h"
#include "kafka_txn_async.h"
#include "kafka_txn_job.h"

/* init_transactions waits this long per attempt (it resumes where the
 * last one stopped): short, so that start-up against a cluster that does
 * not answer says so and gives way to a stop within about a second. */
#define INIT_ATTEMPT_MS 1000

static int begin(kafka_producer *p, sl_error *err)
{
	rd_kafka_error_t *error = rd_kafka_begin_transaction(p->client.rk);

	if (error != NULL)
		return kafka_txn_failed(p, error, "cannot begin a transaction", err);
	p->txn_open = 1;
	p->txn_begun_ms = kafka_now_ms();
	p->produced = 0;
	p->doomed = 0;
	p->failed = 0;
	return SL_OK;
}

int kafka_txn_begin(kafka_producer *p, sl_error *err)
{
	int64_t deadline = kafka_now_ms() + kafka_txn_retry_for(p) * 2;
	rd_kafka_error_t *error;
	int tries = 0;

	if (p->txn_ready)
		return p->txn_open ? SL_OK : begin(p, err);
	/* Aborts what an earlier instance with this transactional.id left
	 * open, and fences it if it still runs. */
	do
		error = rd_kafka_init_transactions(p->client.rk, INIT_ATTEMPT_MS);
	while (kafka_txn_again(p, error, deadline,
			       "waiting for the transaction coordinator", &tries));
	if (error != NULL)
		return kafka_txn_failed(p, error, "cannot initialise transactions", err);
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

/* Committing needs an open transaction that nothing has doomed. */
static int committable(kafka_producer *p, sl_error *err)
{
	if (!p->txn_open)
		return sl_error_set(err, SL_ERR_RUNTIME,
				    "no transaction is open (txn_begin was not called)");
	if (p->doomed) {
		*err = p->doom;
		return SL_ERR;
	}
	return SL_OK;
}

/* The commit of @p txn as a job, once a pipelined commit still running
 * has finished: NULL with *@p rc SL_OK when there is nothing to commit
 * (nothing written, the same offsets), or SL_ERR. */
static kafka_commit_job *prepare(kafka_producer *p, const sl_txn *txn, int *rc,
				 sl_error *err)
{
	kafka_commit_job *j = NULL;

	/* a pipelined commit still running goes first */
	*rc = kafka_txn_commit_finish(p, err);
	if (*rc == SL_OK)
		*rc = committable(p, err);
	/* An idle job commits nothing: no round trips every interval. */
	if (*rc != SL_OK || (p->produced == 0 && same_offsets(p, txn)))
		return NULL;
	if ((j = kafka_commit_job_new(txn)) == NULL)
		*rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	return j;
}

int kafka_txn_commit(kafka_producer *p, const sl_txn *txn, sl_error *err)
{
	int rc;
	kafka_commit_job *j = prepare(p, txn, &rc, err);

	if (j == NULL)
		return rc;
	kafka_commit_job_run(p, j);
	rc = kafka_commit_job_apply(p, j, err);
	kafka_commit_job_free(j);
	return rc;
}

int kafka_txn_commit_start(kafka_producer *p, const sl_txn *txn, sl_error *err)
{
	int rc;
	kafka_commit_job *j = prepare(p, txn, &rc, err);

	if (j == NULL)
		return rc;
	kafka_txn_async_run(p, j);
	return SL_OK;
}

int kafka_txn_abort(kafka_producer *p, sl_error *err)
{
	int64_t deadline = kafka_now_ms() + kafka_txn_retry_for(p);
	rd_kafka_error_t *error;
	int tries = 0;

	/* what was held for the next transaction goes with the abort */
	kafka_txn_discard(p);
	if (!p->txn_ready)
		return SL_OK; /* nothing was ever begun */
	if (p->txn_open) {
		do
			error = rd_kafka_abort_transaction(p->client.rk, -1);
		while (kafka_txn_again(p, error, deadline,
				       "aborting the transaction", &tries));
		if (error != NULL)
			return kafka_txn_failed(p, error,
						"cannot abort the transaction", err);
		p->txn_open = 0;
	}
	return begin(p, err);
}
