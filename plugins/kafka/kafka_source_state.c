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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_source_shared.h"

#define METADATA_TIMEOUT_MS 10000
#define METADATA_DEADLINE_MS 30000
#define METADATA_PAUSE_MS 500

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
			    kafka_source_subscribed(sub->elems[j].topic, md->topics[i].topic) &&
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
	/* none: topic.pattern matches nothing yet */
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR && sub == NULL)
		sub = rd_kafka_topic_partition_list_new(0);
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

/* @p parts as inputs for the engine, with their topics' sizes. */
static sl_input *inputs_of(kafka_source *s,
			   const rd_kafka_topic_partition_list_t *parts)
{
	sl_input *in = malloc(((size_t)parts->cnt + 1) * sizeof *in);
	int i;

	for (i = 0; in != NULL && i < parts->cnt; i++) {
		in[i].topic = parts->elems[i].topic;
		in[i].partition = parts->elems[i].partition;
		in[i].partitions = kafka_source_topic_partitions(s,
							     parts->elems[i].topic);
	}
	return in;
}

/* A host from before sl_inputs_assigned: partition numbers only. */
static void assigned_numbers(kafka_source *s,
			     const rd_kafka_topic_partition_list_t *parts)
{
	int32_t *p;
	size_t n;
	sl_error e;

	if (!SL_HOST_HAS(partitions_assigned))
		return;
	if ((p = malloc((size_t)parts->cnt * sizeof *p)) == NULL) {
		sl_error_set(&e, SL_ERR_RUNTIME, "out of memory");
		kafka_source_fail(s, &e);
		return;
	}
	n = numbers(parts, p);
	if (sl_partitions_assigned(s->client.stage, p, n, &e) != SL_OK)
		kafka_source_fail(s, &e);
	free(p);
}

void kafka_source_state_assigned(kafka_source *s,
				 const rd_kafka_topic_partition_list_t *parts)
{
	sl_input *in;
	sl_error e;

	/* an assignment served inside close: the engine is done */
	if (s->closing || parts->cnt == 0)
		return;
	if (!SL_HOST_HAS(inputs_assigned)) {
		assigned_numbers(s, parts);
		return;
	}
	if ((in = inputs_of(s, parts)) == NULL) {
		sl_error_set(&e, SL_ERR_RUNTIME, "out of memory");
		kafka_source_fail(s, &e);
		return;
	}
	/* restores their state: an error stops the job at the next poll */
	if (sl_inputs_assigned(s->client.stage, in, (size_t)parts->cnt, &e) != SL_OK)
		kafka_source_fail(s, &e);
	free(in);
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

/* A host from before sl_inputs_revoked: partition numbers only. */
static void revoked_numbers(kafka_source *s,
			    const rd_kafka_topic_partition_list_t *parts)
{
	int32_t *p;
	size_t n, i, kept = 0;

	if (!SL_HOST_HAS(partitions_revoked) ||
	    (p = malloc(((size_t)parts->cnt + 1) * sizeof *p)) == NULL)
		return; /* the state stays; the next assignment redoes it */
	n = numbers(parts, p);
	for (i = 0; i < n; i++)
		if (!still_held(s, p[i]))
			p[kept++] = p[i];
	if (kept > 0)
		sl_partitions_revoked(s->client.stage, p, kept);
	free(p);
}

void kafka_source_state_revoked(kafka_source *s,
				const rd_kafka_topic_partition_list_t *parts)
{
	rd_kafka_topic_partition_list_t *held = NULL;
	sl_input *in;
	size_t i;

	if (s->closing)
		return;
	if (parts == NULL) {
		held = rd_kafka_topic_partition_list_new((int)s->part_count);
		for (i = 0; i < s->part_count; i++)
			if (s->parts[i].assigned)
				rd_kafka_topic_partition_list_add(held, s->parts[i].topic,
								  s->parts[i].partition);
		parts = held;
	}
	if (!SL_HOST_HAS(inputs_revoked)) {
		revoked_numbers(s, parts);
	} else if ((in = inputs_of(s, parts)) != NULL) {
		/* the engine keeps the state of numbers still held */
		sl_inputs_revoked(s->client.stage, in, (size_t)parts->cnt);
		free(in);
	}
	if (held != NULL)
		rd_kafka_topic_partition_list_destroy(held);
}
