/*
 * kafka_txn.h - the producer that the Kafka sinks of a job share, and
 * the job's Kafka transaction.
 *
 * As in Kafka Streams' exactly-once v2 (KIP-447), a process runs one
 * producer per job, not one per sink: under exactly-once every record the
 * job writes (to any of its sinks, and its dead letters) and the sources'
 * offsets go into one transaction of one transactional.id.  Under the
 * other guarantees sinks share a producer when their librdkafka settings
 * allow it, which only saves connections.
 *
 * kafka_producer.c: the registry of shared producers and their
 * creation; kafka_delivery.c: delivery reports, flushes and failures;
 * kafka_txn.c: the transaction calls; kafka_txn_async.c: commits on a
 * thread of their own while the job goes on.
 */
#ifndef SL_KAFKA_TXN_H
#define SL_KAFKA_TXN_H

#include <pthread.h>

#include "kafka_conf.h"

/* Epochs a producer tells apart: commit cycles waiting for their
 * records' delivery (the engine waits for at most 32). */
#define KAFKA_EPOCHS 64

/* A `kafka.*` option that sets a global (not per-topic) property. */
typedef struct kafka_global {
	char *key;   /* "kafka.linger.ms", as in the job file */
	char *value;
} kafka_global;

/* What one commit sends (kafka_txn.c): each source's offsets with a copy
 * of its consumer group metadata, and the outcome. */
typedef struct kafka_commit_job {
	size_t count;
	rd_kafka_topic_partition_list_t **offsets;
	rd_kafka_consumer_group_metadata_t **groups;
	char **stages;
	struct kafka_sent *sent;     /* the offsets, for the next same_offsets */
	size_t sent_count;
	int committed;               /* the transaction committed */
	int begun;                   /* ... and the next one began */
	int rc;                      /* SL_OK: both */
	sl_error err;
	int over;                    /* atomic: the commit thread is done */
} kafka_commit_job;

/* A record written while a commit runs, produced once it is over
 * (kafka_txn_async.c). */
typedef struct kafka_held kafka_held;

/* One offset the last committed transaction carried. */
typedef struct kafka_sent {
	char *topic;
	int32_t partition;
	int64_t offset;
} kafka_sent;

typedef struct kafka_producer {
	kafka_client client;     /* first: the opaque of librdkafka's callbacks */
	struct kafka_producer *next;
	int refs;
	int delivery;            /* enum sl_delivery */
	char *job;
	char *servers;
	kafka_global *globals;   /* what a sink must agree with to share it */
	size_t global_count;

	/* Delivery reports since the last flush: the first failure, and how
	 * many failed.  The stage is the sink's name (its topic's opaque). */
	uint64_t failed;
	rd_kafka_resp_err_t first_err;
	char first_topic[256];
	int32_t first_partition;
	const char *first_stage;

	/* At-least-once without flushing: each record is counted in the
	 * epoch it was produced in (its message opaque) until its delivery
	 * report; a mark closes the current epoch.  Epochs up to `done` have
	 * nothing outstanding. */
	uint64_t epoch;
	uint64_t done;
	uint64_t outstanding[KAFKA_EPOCHS];

	/* Exactly-once. */
	char *txn_id;
	int64_t txn_timeout_ms;
	int txn_ready;           /* init_transactions done */
	int txn_open;            /* a transaction is begun */
	uint64_t produced;       /* records produced into the open transaction */
	int doomed;              /* a produce failed: the transaction must abort */
	sl_error doom;
	kafka_sent *sent;        /* the offsets of the last commit */
	size_t sent_count;

	/* Exactly-once, pipelined (kafka_txn_async.c): a commit running on
	 * a thread of its own while the job goes on; what the job writes
	 * meanwhile is held, and produced once the next transaction is
	 * open.  The job's thread touches the librdkafka handle only when
	 * no commit runs. */
	kafka_commit_job *committing; /* NULL: no commit thread */
	pthread_t committer;
	kafka_commit_job *settled;    /* over and joined, not yet finished */
	kafka_held *held, **held_tail;
	size_t held_count;
	size_t max_message_bytes;     /* message.max.bytes */
} kafka_producer;

/*
 * The producer for sink @p stage: an existing one of the same job and
 * bootstrap.servers whose global `kafka.*` settings are the same, or a
 * new one.  Under exactly-once every sink of the job must share one:
 * differing settings are an SL_ERR_CONFIG naming the option's line.
 * Release it with kafka_producer_put().
 */
kafka_producer *kafka_producer_get(sl_stage *stage, sl_error *err);

/* Drop a reference; the last one flushes (not under exactly-once: what is
 * not committed is aborted anyway) and destroys the producer. */
void kafka_producer_put(kafka_producer *p);

/*
 * Whether option @p name (a librdkafka property, "linger.ms") is a
 * per-topic property, which each sink sets on its own topic.
 */
int kafka_producer_topic_property(const char *name);

/*
 * Wait until every record produced so far is acknowledged (at-least-once)
 * or serve delivery reports without waiting (none; exactly-once, whose
 * commit flushes).  Fails when a record could not be delivered, naming
 * the topic and partition, librdkafka's reason and the sink that wrote
 * it unless that is @p self, the sink flushing.
 */
int kafka_producer_flush(kafka_producer *p, const char *self, int timeout_ms,
			 sl_error *err);

/* The message opaque of a record produced now; after a successful
 * produce call, count it with kafka_producer_sent(). */
void *kafka_producer_tag(const kafka_producer *p);
void kafka_producer_sent(kafka_producer *p);

/* The sink and store hooks mark and durable (sluice/sink.h): a mark
 * after every record produced so far; whether every record before a
 * mark has been delivered: 1, 0 not yet, SL_ERR when one failed. */
uint64_t kafka_producer_mark(kafka_producer *p);
int kafka_producer_durable(kafka_producer *p, uint64_t mark, sl_error *err);

/* librdkafka's delivery report callback (dr_msg_cb) of every producer. */
void kafka_producer_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
				void *opaque);

/* delivery = none: log and count the records that were lost, never an
 * error. */
void kafka_producer_report_lost(kafka_producer *p);

/* Under exactly-once, whether a transaction is open to write into. */
int kafka_producer_writable(const kafka_producer *p, sl_error *err);

/*
 * A produce call failed with @p code: fill @p err (the producer failed
 * for good, a fenced one says so).  Under exactly-once a failure that
 * only dooms the open transaction returns SL_OK: the next commit fails
 * as abortable, and the engine reads the records again.
 */
int kafka_producer_failed(kafka_producer *p, rd_kafka_resp_err_t code,
			  const char *what, sl_error *err);

/* The transaction calls of the sink class (exactly-once). */
int kafka_txn_begin(kafka_producer *p, sl_error *err);
int kafka_txn_commit(kafka_producer *p, const sl_txn *txn, sl_error *err);
int kafka_txn_abort(kafka_producer *p, sl_error *err);

/* ---- kafka_txn.c: one commit, on whichever thread runs it --------------- */

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
/* The commit of @p txn as a job, once a pipelined commit still running
 * has finished: NULL with *@p rc SL_OK when there is nothing to commit
 * (nothing written, the same offsets), or SL_ERR. */
kafka_commit_job *kafka_txn_prepare(kafka_producer *p, const sl_txn *txn,
				    int *rc, sl_error *err);

/* ---- kafka_txn_async.c: pipelined commits ------------------------------ */

/* The sink class's txn_commit_start and txn_commit_finish. */
int kafka_txn_commit_start(kafka_producer *p, const sl_txn *txn, sl_error *err);
int kafka_txn_commit_finish(kafka_producer *p, sl_error *err);

/* Wait for a running commit and take it into the books (before the job's
 * thread touches the librdkafka handle).  Its outcome stays for
 * kafka_txn_commit_finish. */
void kafka_txn_settle(kafka_producer *p);
/* A commit over already: settle it, without waiting. */
void kafka_txn_settle_if_over(kafka_producer *p);
/* Drop what was held (an abort). */
void kafka_txn_drop_held(kafka_producer *p);
/* Drop what was held and end a commit still running, whatever its
 * outcome (an abort, closing). */
void kafka_txn_discard(kafka_producer *p);

/*
 * Produce one message through @p p (RD_KAFKA_MSG_F_COPY; @p partition
 * RD_KAFKA_PARTITION_UA for the topic's partitioner; @p headers owned on
 * success; @p header_bytes their size on the wire), or hold it while a
 * commit runs.  Waits while librdkafka's queue is full.
 */
rd_kafka_resp_err_t kafka_producer_send(kafka_producer *p, rd_kafka_topic_t *rkt,
					int32_t partition, const void *key,
					size_t klen, const void *value,
					size_t vlen, int64_t timestamp,
					rd_kafka_headers_t *headers,
					size_t header_bytes);

/* Fill @p err for the producer's fatal error; SL_ERR. */
int kafka_txn_fatal(kafka_producer *p, const char *what, sl_error *err);

#endif
