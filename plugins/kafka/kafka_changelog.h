/*
 * kafka_changelog.h - Kafka as the state backend: the plugin's store
 * (sluice/store.h, kafka_store.c) keeps each stateful stage's keyed
 * state in a compacted topic `<job>-<stage>-changelog` with as many
 * partitions as the stage's input, through the job's shared producer:
 *
 *   kafka_internal_topic.c   create the topic, or check the one there is
 *                            (Admin API: DescribeConfigs, CreateTopics);
 *                            the same for a repartition hop's topic
 *   kafka_changelog.c        changes into the shared producer: under
 *                            exactly-once they join the job's transaction
 *   kafka_changelog_read.c   read partitions back to their committed end
 *                            with a short-lived consumer of its own
 */
#ifndef SL_KAFKA_CHANGELOG_H
#define SL_KAFKA_CHANGELOG_H

#include "kafka_sink_handle.h"

int kafka_changelog_prepare(void *self, const char *topic, int32_t partitions,
			    sl_error *err);
int kafka_changelog_write(kafka_sink *k, rd_kafka_topic_t *rkt,
			  int32_t partition, const void *key, size_t klen,
			  const void *value, size_t vlen, sl_error *err);
int kafka_changelog_read(void *self, const char *topic,
			 const int32_t *partitions, size_t count,
			 int (*apply)(void *ctx, int32_t partition,
				      const void *key, size_t klen,
				      const void *value, size_t vlen),
			 void *ctx, sl_error *err);

/* A repartition hop's sink (role SL_ROLE_REPARTITION_SINK): its topic,
 * created or checked, and its control data. */
int kafka_repartition_prepare(void *self, int32_t partitions, sl_error *err);

/*
 * Dead-letter topic @p topic, created when missing (one partition, the
 * cluster's replication and retention; kafka_internal_topic.c) and
 * waited for until it has partitions; its max.message.bytes in
 * *@p max_message_bytes (0: the broker did not say).  SL_OK, or SL_ERR
 * with @p err.
 */
int kafka_dead_letter_topic_prepare(kafka_sink *k, const char *topic,
				    size_t *max_message_bytes, sl_error *err);
int kafka_repartition_control(void *self, int32_t partition, const void *data,
			      size_t len, sl_error *err);

/* The store class (kafka_store.c). */
extern const sl_store_class kafka_store_class;

/* The sink's topic object for changelog @p topic, opened on first use. */
rd_kafka_topic_t *kafka_changelog_topic(kafka_sink *k, const char *topic,
					sl_error *err);

/* Close the sink's changelog topics (before its producer goes). */
void kafka_changelog_close(kafka_sink *k);

#endif
