/*
 * kafka_topic_watch.h - the topics a producer's sinks write to: each must
 * exist when its sink opens, and one that goes away while the job runs
 * (deleted, or deleted and created again with other partitions) stops
 * the job within seconds with an error that says so, instead of
 * transactions aborting in a loop, records waiting for minutes, or
 * records landing in a topic the broker made up.
 *
 * The producer never asks the broker to create a topic
 * (allow.auto.create.topics is off, kafka_producer.c): the sink's topic is
 * the user's to create, with the partitions they chose.
 */
#ifndef SL_KAFKA_TOPIC_WATCH_H
#define SL_KAFKA_TOPIC_WATCH_H

#include "kafka_delivery.h"

/*
 * Sink @p stage's @p topic must exist: learn its partition count and
 * remember it.  SL_OK, or SL_ERR with @p err (missing: a runtime error
 * that names the topic and how to create it).
 */
int kafka_topic_watch_open(kafka_producer *p, sl_stage *stage, const char *topic,
			   sl_error *err);

/*
 * After records to @p topic failed with @p code (a topic or partition
 * unknown, or records timed out waiting for one): when @p topic is one of
 * the sinks' and no longer exists, or has another partition count than
 * when its sink opened, fill @p err (SL_ERR_FATAL, naming the topic) and
 * return 1; else 0 (the failure is something else).
 */
int kafka_topic_watch_lost(kafka_producer *p, const char *topic,
			   rd_kafka_resp_err_t code, sl_error *err);

/*
 * While records wait to be delivered, look at the sinks' topics every
 * few seconds (on the job's thread, with no commit running): 1 with
 * @p err (may be NULL) filled when one went away, else 0.  Cheap to call
 * often.
 */
int kafka_topic_watch_tick(kafka_producer *p, sl_error *err);

/* Forget the topics (the producer closes). */
void kafka_topic_watch_free(kafka_producer *p);

#endif
