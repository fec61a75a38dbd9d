/*
 * kafka_txn.h - the job's Kafka transaction: the sink class's
 * transaction calls (kafka_txn.c), under exactly-once.
 */
#ifndef SL_KAFKA_TXN_H
#define SL_KAFKA_TXN_H

#include "kafka_delivery.h"

int kafka_txn_begin(kafka_producer *p, sl_error *err);
int kafka_txn_commit(kafka_producer *p, const sl_txn *txn, sl_error *err);
/* txn_commit_start: the commit goes on on a thread of its own. */
int kafka_txn_commit_start(kafka_producer *p, const sl_txn *txn, sl_error *err);
int kafka_txn_abort(kafka_producer *p, sl_error *err);

#endif
