/*
 * kafka_delivery.h - the state of a shared producer (kafka_producer.h
 * tells how the files that use it are layered; this is the lowest), and
 * what became of the records it was given (kafka_delivery.c).
 */
#ifndef SL_KAFKA_DELIVERY_H
#define SL_KAFKA_DELIVERY_H

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

/* One commit of the job's transaction (kafka_txn_job.h). */
typedef struct kafka_commit_job kafka_commit_job;

/* A record written while a commit runs, produced once it is over
 * (kafka_txn_async.c). */
typedef struct kafka_held kafka_held;

/* A topic a sink of the producer writes to, as it was when the sink
 * opened (kafka_topic_watch.h). */
typedef struct kafka_known_topic {
	char *name;
	rd_kafka_topic_t *rkt;   /* a reference of its own */
	int32_t partitions;
} kafka_known_topic;

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
	int doomed_next;         /* ... one held for the next transaction did */
	sl_error doom_next;
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
	struct kafka_packs *packs;    /* its repartition sinks' (kafka_pack.h) */
	size_t max_message_bytes;     /* message.max.bytes */

	kafka_known_topic *known;     /* its sinks' topics */
	size_t known_count;
	int64_t watch_next_ms;        /* when to look at them again */
	sl_error lost;                /* kind set: one of them went away */
	int64_t txn_begun_ms;         /* when the open transaction began */
	int txn_id_unique;            /* transactional.id is this process's */
} kafka_producer;

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

/* After a poll or a flush: the producer failed for good (@p doing says
 * while doing what), or records of @p self (NULL: any sink) were refused,
 * which are then forgotten.  1 with @p err filled, else 0. */
int kafka_producer_delivery_failed(kafka_producer *p, const char *self,
				   const char *doing, sl_error *err);

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

/* Fill @p err for the producer's fatal error; SL_ERR. */
int kafka_producer_fatal(kafka_producer *p, const char *what, sl_error *err);

#endif
