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
 * kafka_txn_producer.c: the registry of shared producers and their
 * creation; kafka_txn_delivery.c: delivery reports, flushes and failures;
 * kafka_txn.c: the transaction calls.
 */
#ifndef SL_KAFKA_TXN_H
#define SL_KAFKA_TXN_H

#include "kafka_conf.h"

/* Epochs a producer tells apart: commit cycles waiting for their
 * records' delivery (the engine waits for at most 32). */
#define KAFKA_EPOCHS 64

/* A `kafka.*` option that sets a global (not per-topic) property. */
typedef struct kafka_global {
	char *key;   /* "kafka.linger.ms", as in the job file */
	char *value;
} kafka_global;

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

/* Fill @p err for the producer's fatal error; SL_ERR. */
int kafka_txn_fatal(kafka_producer *p, const char *what, sl_error *err);

#endif
