/*
 * kafka_producer.h - the producer that the Kafka sinks of a job share:
 * finding or creating it, flushing it, closing it.
 *
 * As in Kafka Streams' exactly-once v2 (KIP-447), a process runs one
 * producer per job, not one per sink: under exactly-once every record the
 * job writes (to any of its sinks, and its dead letters) and the sources'
 * offsets go into one transaction of one transactional.id.  Under the
 * other guarantees sinks share a producer when their librdkafka settings
 * allow it, which only saves connections.
 *
 * The producer's files, each calling only those below it, each with
 * its own header:
 *
 *   kafka_producer.c    the registry of shared producers, their creation,
 *                       flushing and closing
 *   kafka_txn.c         the sink class's transaction calls
 *   kafka_txn_async.c   commits on a thread of their own while the job
 *                       goes on, and the records held meanwhile
 *   kafka_txn_job.c     one commit (a kafka_commit_job), whichever
 *                       thread runs it; retries of transactional calls
 *   kafka_delivery.c    delivery reports and failures
 *   kafka_topic_watch.c the sinks' topics: there at open, and whether
 *                       one went away
 */
#ifndef SL_KAFKA_PRODUCER_H
#define SL_KAFKA_PRODUCER_H

#include "kafka_delivery.h"

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

/* The properties a producer of @p delivery sets itself (kafka_conf.h). */
const kafka_managed *kafka_producer_managed(int delivery);

/*
 * Whether option @p name (a librdkafka property, "linger.ms") is a
 * per-topic property, which each sink sets on its own topic.
 */
int kafka_producer_topic_property(const char *name);

/*
 * Wait until every record produced so far is acknowledged (at-least-once)
 * or serve delivery reports without waiting (none; exactly-once, whose
 * commit flushes, after a pipelined commit has settled).  Fails when a
 * record could not be delivered, naming the topic and partition,
 * librdkafka's reason and the sink that wrote it unless that is @p self,
 * the sink flushing.
 */
int kafka_producer_flush(kafka_producer *p, const char *self, int timeout_ms,
			 sl_error *err);

#endif
