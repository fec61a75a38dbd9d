/*
 * kafka_source_budget.c - the source's read-ahead, held within its share
 * of the job's memory.limit.
 *
 * librdkafka bounds each partition's prefetch queue on its own
 * (queued.min.messages, queued.max.messages.kbytes, plus a fetch of up to
 * max.partition.fetch.bytes on top), so what a consumer holds grows with
 * the partitions it reads: at this source's defaults some 1.5 MB a
 * partition, 300 MB for 200 partitions.  librdkafka 2.0.2 fixes the bounds
 * when the client is created, so they are sized here, before, from the
 * partitions the subscribed topics have (all of them: this instance may
 * be handed every one): the share divided among them, split between the
 * queue, one fetch, and the records' count (librdkafka keeps some 600
 * bytes for each record besides its bytes).  A share large enough for
 * the defaults leaves them as they are; kafka.* settings of the user's
 * win.
 */
#include <stdio.h>

#include "kafka_source_shared.h"

#define METADATA_MS 2000
#define RECORD_OVERHEAD 600
/* the defaults (kafka_source.c) and the least a partition gets */
#define QUEUE_MAX (1024 * 1024)
#define QUEUE_MIN (32 * 1024)
#define FETCH_MAX (256 * 1024)
#define FETCH_MIN (16 * 1024)
#define RECORDS_MAX 2000
#define RECORDS_MIN 50

/* Partitions of the topics @p sub names, summed; -1 when the cluster
 * cannot say within METADATA_MS. */
static int64_t subscribed_partitions(sl_stage *stage,
				     const rd_kafka_topic_partition_list_t *sub)
{
	const struct rd_kafka_metadata *md = NULL;
	kafka_client client;
	sl_error err;
	int64_t n = -1;
	int i, j;

	if (kafka_helper_open(stage, &client, NULL, "to count the input's "
			      "partitions", &err) != SL_OK)
		return -1;
	if (kafka_metadata_wait(stage, client.rk, NULL, METADATA_MS, &md) ==
	    RD_KAFKA_RESP_ERR_NO_ERROR) {
		n = 0;
		for (i = 0; i < md->topic_cnt; i++)
			for (j = 0; j < sub->cnt; j++)
				if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
				    kafka_source_subscribed(sub->elems[j].topic,
							    md->topics[i].topic)) {
					n += md->topics[i].partition_cnt;
					break;
				}
		rd_kafka_metadata_destroy(md);
	}
	kafka_helper_close(&client);
	return n;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Set librdkafka property @p name to @p value unless the job sets it. */
static int bound(sl_stage *stage, rd_kafka_conf_t *conf, const char *name,
		 int64_t value, sl_error *err)
{
	char key[128], text[32];
	const char *mine;

	snprintf(key, sizeof key, "kafka.%s", name);
	mine = sl_option(stage, key);
	if (mine != NULL && *mine != '\0')
		return SL_OK;
	snprintf(text, sizeof text, "%lld", (long long)value);
	return kafka_conf_set(stage, conf, NULL, name, text, err);
}

int kafka_source_budget(sl_stage *stage,
			const rd_kafka_topic_partition_list_t *sub,
			rd_kafka_conf_t *conf, sl_error *err)
{
	int64_t share, parts, each, queue, fetch, records;

	if (!SL_HOST_HAS(source_memory) || (share = sl_source_memory(stage)) <= 0)
		return SL_OK;
	if ((parts = subscribed_partitions(stage, sub)) < 0) {
		sl_log(stage, SL_LOG_INFO, "read-ahead: the cluster did not say "
		       "how many partitions the input has within %d ms; each "
		       "partition's prefetch keeps its default bounds, whatever "
		       "memory.limit says", METADATA_MS);
		return SL_OK;
	}
	if (parts == 0)
		return SL_OK; /* topics not there yet: open says so */
	each = share / parts;
	queue = clamp(each / 2, QUEUE_MIN, QUEUE_MAX);
	fetch = clamp(each / 4, FETCH_MIN, FETCH_MAX);
	records = clamp(each / 4 / RECORD_OVERHEAD, RECORDS_MIN, RECORDS_MAX);
	if (queue == QUEUE_MAX && fetch == FETCH_MAX && records == RECORDS_MAX) {
		sl_log(stage, SL_LOG_DEBUG, "read-ahead: %lld partition(s) in "
		       "%lld KB: the default bounds", (long long)parts,
		       (long long)(share / 1024));
		return SL_OK;
	}
	sl_log(stage, SL_LOG_INFO, "read-ahead: %lld partition(s) share "
	       "%lld KB of memory.limit: %lld KB, %lld records queued and a "
	       "%lld KB fetch a partition", (long long)parts,
	       (long long)(share / 1024), (long long)(queue / 1024),
	       (long long)records, (long long)(fetch / 1024));
	if (bound(stage, conf, "queued.max.messages.kbytes", queue / 1024, err) != SL_OK ||
	    bound(stage, conf, "queued.min.messages", records, err) != SL_OK ||
	    bound(stage, conf, "max.partition.fetch.bytes", fetch, err) != SL_OK)
		return SL_ERR;
	return SL_OK;
}
