/*
 * kafka_store.c - the Kafka plugin's state store (sluice/store.h).
 *
 * A stateful stage's table is the compacted topic `<job>-<stage>-changelog`,
 * created or checked when the stage's state is prepared
 * (kafka_internal_topic.c).  Changes go through the producer the job's
 * Kafka sinks share (kafka_producer.c): with the same cluster and
 * global settings as the sinks, the store shares it, so under
 * exactly-once a commit's state changes are in the same transaction as
 * its outputs and offsets; a store with other settings is refused then.
 * A restore reads the topic with a consumer of its own
 * (kafka_changelog_read.c).  The store is a kafka_sink without a topic
 * of its own, so the sink's changelog code serves it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kafka_changelog.h"
#include "kafka_producer.h"
#include "kafka_sink.h"

static void store_close(void *self)
{
	kafka_sink *k = self;

	if (k == NULL)
		return;
	kafka_changelog_close(k);
	kafka_producer_put(k->p);
	free(k);
}

static int store_open(sl_stage *stage, void **self, sl_error *err)
{
	kafka_sink *k = calloc(1, sizeof *k);

	if (k == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	k->stage = stage;
	k->name = sl_stage_name(stage);
	if ((k->p = kafka_producer_get(stage, err)) == NULL) {
		free(k);
		return SL_ERR;
	}
	*self = k;
	return SL_OK;
}

static int store_prepare(void *self, const char *owner, int32_t partitions,
			 void **table, sl_error *err)
{
	kafka_sink *k = self;
	char topic[512];

	snprintf(topic, sizeof topic, "%s-%s-changelog", sl_job_name(k->stage),
		 owner);
	if (kafka_changelog_prepare(k, topic, partitions, err) != SL_OK)
		return SL_ERR;
	*table = kafka_changelog_topic(k, topic, err);
	return *table != NULL ? SL_OK : SL_ERR;
}

static int store_write(void *self, void *table, int32_t partition,
		       const void *key, size_t klen, const void *value,
		       size_t vlen, sl_error *err)
{
	return kafka_changelog_write(self, table, partition, key, klen, value,
				     vlen, err);
}

static int store_flush(void *self, int timeout_ms, sl_error *err)
{
	kafka_sink *k = self;

	return kafka_producer_flush(k->p, k->name, timeout_ms, err);
}

static int store_read(void *self, void *table, const int32_t *partitions,
		      size_t count,
		      int (*apply)(void *ctx, int32_t partition, const void *key,
				   size_t klen, const void *value, size_t vlen),
		      void *ctx, sl_error *err)
{
	return kafka_changelog_read(self, rd_kafka_topic_name(table), partitions,
				    count, apply, ctx, err);
}

static const char *store_table_name(void *self, void *table)
{
	(void)self;
	return rd_kafka_topic_name(table);
}

const sl_store_class kafka_store_class = {
	.struct_size = sizeof(sl_store_class),
	.open = store_open,
	.close = store_close,
	.prepare = store_prepare,
	.write = store_write,
	.flush = store_flush,
	.read = store_read,
	.table_name = store_table_name,
	.mark = kafka_sink_mark,
	.durable = kafka_sink_durable,
};
