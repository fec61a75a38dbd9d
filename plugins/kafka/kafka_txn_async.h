/*
 * kafka_txn_async.h - exactly-once commits on a thread of their own,
 * and the records held while one runs (kafka_txn_async.c).
 */
#ifndef SL_KAFKA_TXN_ASYNC_H
#define SL_KAFKA_TXN_ASYNC_H

#include "kafka_delivery.h"

/* Run @p j on a thread of its own (with none to spare: here and now);
 * the producer owns it until kafka_txn_commit_finish. */
void kafka_txn_async_run(kafka_producer *p, kafka_commit_job *j);
/* The sink class's txn_commit_finish: the outcome of the commit that
 * kafka_txn_async_run started, SL_OK when there was none. */
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

#endif
