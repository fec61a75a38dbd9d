/*
 * kafka_source_budget.c - the source's read-ahead, held within its share
 * of the job's memory.limit.
 *
 * librdkafka bounds each partition's prefetch queue on its own: it
 * fetches for a partition while its queue holds fewer than
 * queued.min.messages records and queued.max.messages.kbytes of them,
 * and each fetch brings up to max.partition.fetch.bytes on top.  So what
 * a consumer holds grows with the partitions it reads, and librdkafka
 * 2.0.2 fixes the bounds when the client is created: they are sized
 * here, before, from the partitions the subscribed topics have (all of
 * them: this instance may be handed every one), the share divided among
 * them: half for the queue's bytes, a quarter for its records (at
 * RECORD_OVERHEAD each), a quarter for one fetch.  A share large enough
 * for the defaults leaves them as they are; kafka.* settings of the
 * user's win.
 *
 * A fetch's bytes are the records as the broker sends them, and they
 * cost more once fetched: librdkafka allocates some 200 bytes for each
 * record (heaptrack: 192, one allocation a record) besides the fetched
 * batch its records point into, and holds a compressed batch
 * decompressed.  Measured on 200 partitions of 1.5 M records of ~20
 * bytes read from their start, each byte fetched held about 10 (16 with
 * lz4): budgeted at its bytes, a 163 KB fetch a partition took the job
 * to 330 MB at memory.limit = 128MB, the whole input queued at once.  So
 * the fetch is budgeted at FETCH_EXPANSION bytes held per byte: 40 KB
 * there, 95 MB (146 MB with lz4).  Not the full 10 to 16, as smaller
 * fetches cost speed where partitions are held back in event time (more
 * fetch rounds for the same records): the two-source
 * event-time job of idle_many_partitions, lz4 JSON, ran in 9-13 s with
 * 16-20 KB fetches, 19 s with 12 KB and 70-88 s with 8 KB.  That is
 * also why the fetch's floor stays at 16 KB; below the floors
 * memory.limit is not kept.
 */
#include <stdio.h>

#include "kafka_source_shared.h"

#define METADATA_MS 2000
#define RECORD_OVERHEAD 600
/* bytes held per byte fetched, budgeted (see above) */
#define FETCH_EXPANSION 4
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

/*
 * Set librdkafka property @p names[0] to @p *value unless the job sets it
 * under one of @p names (librdkafka's aliases of it); then *@p value is
 * what holds, the job's or the budget's.
 */
static int bound(sl_stage *stage, rd_kafka_conf_t *conf,
		 const char *const *names, long long *value, sl_error *err)
{
	char key[128], text[32];
	const char *mine;
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		snprintf(key, sizeof key, "kafka.%s", names[i]);
		mine = sl_option(stage, key);
		if (mine != NULL && *mine != '\0') {
			*value = kafka_conf_number(conf, names[0]);
			return SL_OK;
		}
	}
	snprintf(text, sizeof text, "%lld", *value);
	return kafka_conf_set(stage, conf, NULL, names[0], text, err);
}

int kafka_source_budget(sl_stage *stage,
			const rd_kafka_topic_partition_list_t *sub,
			rd_kafka_conf_t *conf, sl_error *err)
{
	static const char *const queue_names[] = { "queued.max.messages.kbytes", NULL };
	static const char *const records_names[] = { "queued.min.messages", NULL };
	static const char *const fetch_names[] = {
		"max.partition.fetch.bytes", "fetch.message.max.bytes", NULL
	};
	int64_t share, parts, each;
	long long queue_kb, records, fetch;

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
	queue_kb = clamp(each / 2, QUEUE_MIN, QUEUE_MAX) / 1024;
	records = clamp(each / 4 / RECORD_OVERHEAD, RECORDS_MIN, RECORDS_MAX);
	fetch = clamp(each / 4 / FETCH_EXPANSION, FETCH_MIN, FETCH_MAX);
	if (queue_kb == QUEUE_MAX / 1024 && fetch == FETCH_MAX &&
	    records == RECORDS_MAX) {
		sl_log(stage, SL_LOG_DEBUG, "read-ahead: %lld partition(s) in "
		       "%lld KB: the default bounds", (long long)parts,
		       (long long)(share / 1024));
		return SL_OK;
	}
	if (bound(stage, conf, queue_names, &queue_kb, err) != SL_OK ||
	    bound(stage, conf, records_names, &records, err) != SL_OK ||
	    bound(stage, conf, fetch_names, &fetch, err) != SL_OK)
		return SL_ERR;
	sl_log(stage, SL_LOG_INFO, "read-ahead: %lld partition(s) share "
	       "%lld KB of memory.limit: %lld KB, %lld records queued and a "
	       "%lld KB fetch a partition", (long long)parts,
	       (long long)(share / 1024), queue_kb, records, fetch / 1024);
	return SL_OK;
}
