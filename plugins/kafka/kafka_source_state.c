/*
 * kafka_source_state.c - the source's part in Kafka as the state backend.
 *
 * Keyed state is partitioned like the input: what a record's key holds
 * lives in the changelog partition numbered like the record's input
 * partition, and moves with that partition from one instance to another.
 * The partition number alone names it, so when a source reads several
 * topics they are assumed co-partitioned (as many partitions each, keyed
 * alike, as Kafka Streams requires of inputs that share state): the
 * range assignor then gives the same partition numbers of every topic to
 * one instance.
 *
 * The engine restores a partition's state when the source reports it
 * assigned, inside the rebalance callback, before any record of it is
 * handed out; it drops it when the source reports it gone, after the
 * commit that a revocation makes.
 */
#include <regex.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_source.h"

#define METADATA_TIMEOUT_MS 10000
#define METADATA_DEADLINE_MS 30000
#define METADATA_PAUSE_MS 500

/* Whether the host has @p member: a plugin may run on an older host. */
#define HOST_HAS(member) \
	(sl_host_api->struct_size >= offsetof(sl_host, member) + \
	 sizeof sl_host_api->member && sl_host_api->member != NULL)

/* Whether subscription entry @p sub ("name", or "^regex" as librdkafka
 * takes patterns) names @p topic. */
static int subscribed(const char *sub, const char *topic)
{
	regex_t re;
	int match;

	if (sub[0] != '^')
		return strcmp(sub, topic) == 0;
	/* Kafka's own topics (__consumer_offsets) are nobody's input */
	if (strncmp(topic, "__", 2) == 0 ||
	    regcomp(&re, sub, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	match = regexec(&re, topic, 0, NULL, 0) == 0;
	regfree(&re);
	return match;
}

/* The most partitions among the subscribed topics that exist, into *@p n. */
static rd_kafka_resp_err_t count_partitions(kafka_source *s,
					    const rd_kafka_topic_partition_list_t *sub,
					    int32_t *n)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t code;
	int i, j;

	/* every topic: asking for missing ones by name could create them */
	code = rd_kafka_metadata(s->client.rk, 1, NULL, &md, METADATA_TIMEOUT_MS);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		return code;
	*n = 0;
	for (i = 0; i < md->topic_cnt; i++)
		for (j = 0; j < sub->cnt; j++)
			if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
			    subscribed(sub->elems[j].topic, md->topics[i].topic) &&
			    md->topics[i].partition_cnt > *n)
				*n = md->topics[i].partition_cnt;
	rd_kafka_metadata_destroy(md);
	return RD_KAFKA_RESP_ERR_NO_ERROR;
}

int32_t kafka_source_partition_count(void *self)
{
	kafka_source *s = self;
	rd_kafka_topic_partition_list_t *sub = NULL;
	int64_t deadline = kafka_now_ms() + METADATA_DEADLINE_MS;
	rd_kafka_resp_err_t code;
	int32_t n = 0;
	sl_error e;

	code = rd_kafka_subscription(s->client.rk, &sub);
	while (code == RD_KAFKA_RESP_ERR_NO_ERROR &&
	       (code = count_partitions(s, sub, &n)) != RD_KAFKA_RESP_ERR_NO_ERROR &&
	       kafka_code_is_transient(code) && kafka_now_ms() < deadline) {
		rd_kafka_poll(s->client.rk, METADATA_PAUSE_MS);
		code = RD_KAFKA_RESP_ERR_NO_ERROR;
	}
	if (sub != NULL)
		rd_kafka_topic_partition_list_destroy(sub);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		kafka_error_code(&e, code, "cannot learn how many partitions the "
				 "input topics have, which keyed state is "
				 "partitioned by");
	else if (n == 0)
		sl_error_set(&e, SL_ERR_CONFIG, "none of the input topics exists "
			     "yet: keyed state is partitioned like the input, so a "
			     "job with keyed state needs them created first");
	else
		return n;
	/* the engine stops on -1; poll says why too, should it be called */
	sl_log(s->client.stage, SL_LOG_ERROR, "%s", e.message);
	kafka_source_fail(s, &e);
	return -1;
}

/* The distinct partition numbers of @p parts, into @p out (room for all). */
static size_t numbers(const rd_kafka_topic_partition_list_t *parts, int32_t *out)
{
	size_t n = 0, k;
	int i;

	for (i = 0; i < parts->cnt; i++) {
		for (k = 0; k < n && out[k] != parts->elems[i].partition; k++)
			;
		if (k == n)
			out[n++] = parts->elems[i].partition;
	}
	return n;
}

void kafka_source_state_assigned(kafka_source *s,
				 const rd_kafka_topic_partition_list_t *parts)
{
	int32_t *p;
	size_t n;
	sl_error e;

	/* an assignment served inside close: the engine is done */
	if (!HOST_HAS(partitions_assigned) || s->closing || parts->cnt == 0)
		return;
	if ((p = malloc((size_t)parts->cnt * sizeof *p)) == NULL) {
		sl_error_set(&e, SL_ERR_RUNTIME, "out of memory");
		kafka_source_fail(s, &e);
		return;
	}
	n = numbers(parts, p);
	/* restores their state: an error stops the job at the next poll */
	if (sl_partitions_assigned(s->client.stage, p, n, &e) != SL_OK)
		kafka_source_fail(s, &e);
	free(p);
}

/* Whether another topic's partition @p partition is still assigned. */
static int still_held(const kafka_source *s, int32_t partition)
{
	size_t i;

	for (i = 0; i < s->part_count; i++)
		if (s->parts[i].assigned && s->parts[i].partition == partition)
			return 1;
	return 0;
}

void kafka_source_state_revoked(kafka_source *s,
				const rd_kafka_topic_partition_list_t *parts)
{
	int32_t *p;
	size_t n = 0, i, kept = 0;

	if (!HOST_HAS(partitions_revoked) || s->closing)
		return;
	if (parts == NULL) {
		if ((p = malloc((s->part_count + 1) * sizeof *p)) == NULL)
			return; /* the state stays; the next assignment redoes it */
		for (i = 0; i < s->part_count; i++)
			if (s->parts[i].assigned)
				p[n++] = s->parts[i].partition;
	} else {
		if ((p = malloc(((size_t)parts->cnt + 1) * sizeof *p)) == NULL)
			return;
		n = numbers(parts, p);
		for (i = 0; i < n; i++)
			if (!still_held(s, p[i]))
				p[kept++] = p[i];
		n = kept;
	}
	if (n > 0)
		sl_partitions_revoked(s->client.stage, p, n);
	free(p);
}
