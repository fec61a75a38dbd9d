/*
 * kafka_txn_job.h - one commit of the job's Kafka transaction, on
 * whichever thread runs it, and the retries of librdkafka's
 * transactional calls (kafka_txn_job.c).
 */
#ifndef SL_KAFKA_TXN_JOB_H
#define SL_KAFKA_TXN_JOB_H

#include "kafka_delivery.h"

/* What one commit sends (kafka_txn_job.c): each source's offsets with a copy
 * of its consumer group metadata, and the outcome. */
struct kafka_commit_job {
	size_t count;
	rd_kafka_topic_partition_list_t **offsets;
	rd_kafka_consumer_group_metadata_t **groups;
	char **stages;
	struct kafka_sent *sent;     /* the offsets, for the next same_offsets */
	size_t sent_count;
	int committed;               /* the transaction committed */
	int begun;                   /* ... and the next one began */
	int64_t begun_ms;            /* when (kafka_now_ms) */
	int rc;                      /* SL_OK: both */
	sl_error err;
	int over;                    /* atomic: the commit thread is done */
};

/* The job of committing @p txn: offsets and group metadata copied, so
 * that it needs nothing of the caller's.  NULL when out of memory. */
kafka_commit_job *kafka_commit_job_new(const sl_txn *txn);
void kafka_commit_job_free(kafka_commit_job *j);
/* Send the offsets, commit, begin the next transaction: j->rc, j->err.
 * Touches only the librdkafka handle and @p j. */
void kafka_commit_job_run(kafka_producer *p, kafka_commit_job *j);
/* The job's outcome in the producer's books (the job's thread): a
 * committed one opens the next transaction. */
int kafka_commit_job_apply(kafka_producer *p, kafka_commit_job *j,
			   sl_error *err);

/* How long a retriable transactional call is retried (ms). */
int64_t kafka_txn_retry_for(const kafka_producer *p);
/* Whether to call again after @p error: a retriable one, before
 * @p deadline (the first retry logged as @p what).  Destroys the error
 * when it says yes. */
int kafka_txn_again(kafka_producer *p, rd_kafka_error_t *error,
		    int64_t deadline, const char *what, int *tries);
/* @p error in the engine's terms (fatal, abortable or not); destroys it.
 * SL_ERR. */
int kafka_txn_failed(kafka_producer *p, rd_kafka_error_t *error,
		     const char *what, sl_error *err);

#endif
