/*
 * kafka_source_parts.c - what the source knows about each partition it
 * has been assigned: whether it holds it now and, for stop = end, where
 * its end is and whether it has been reached.
 *
 * Entries outlive a revocation, so that a partition handed back keeps the
 * end seen at its first assignment.  And the first failure the source
 * met inside a librdkafka callback, which the next poll reports.
 */
#include <stdlib.h>
#include <string.h>

#include "kafka_source_shared.h"
#include "kafka_topic_pattern.h"

static int same(const kafka_part *p, const char *topic, int32_t partition)
{
	return p->partition == partition && strcmp(p->topic, topic) == 0;
}

kafka_part *kafka_source_part(kafka_source *s, const char *topic,
			      int32_t partition, int add)
{
	kafka_part *p;
	size_t i;

	if (s->last_part < s->part_count &&
	    same(&s->parts[s->last_part], topic, partition))
		return &s->parts[s->last_part];
	for (i = 0; i < s->part_count; i++) {
		if (same(&s->parts[i], topic, partition)) {
			s->last_part = i;
			return &s->parts[i];
		}
	}
	if (!add)
		return NULL;
	if (s->part_count == s->part_cap) {
		size_t cap = s->part_cap ? s->part_cap * 2 : 16;
		kafka_part *grown = realloc(s->parts, cap * sizeof *grown);

		if (grown == NULL)
			return NULL;
		s->parts = grown;
		s->part_cap = cap;
	}
	p = &s->parts[s->part_count];
	memset(p, 0, sizeof *p);
	if ((p->topic = strdup(topic)) == NULL)
		return NULL;
	p->partition = partition;
	p->end = -1;
	p->start = RD_KAFKA_OFFSET_INVALID;
	p->committed = -1;
	p->sent = -1;
	p->reached = -1;
	s->last_part = s->part_count++;
	return p;
}

void kafka_source_part_done(kafka_source *s, kafka_part *p)
{
	rd_kafka_topic_partition_list_t *one;

	if (p->done)
		return;
	p->done = 1;
	sl_log(s->client.stage, SL_LOG_DEBUG,
	       "topic %s partition %d: read to offset %lld, its end at start",
	       p->topic, (int)p->partition, (long long)p->end);
	/* Nothing more is read from it: no need to fetch what would be
	 * dropped.  Paused, it brings no end event either, so its end is
	 * told here: for this run it has nothing more to read. */
	if (p->assigned && SL_HOST_HAS(partition_finished))
		sl_partition_finished(s->client.stage, p->topic, p->partition,
				      p->end);
	else if (p->assigned && SL_HOST_HAS(partition_end))
		sl_partition_end(s->client.stage, p->topic, p->partition, p->end);
	one = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(one, p->topic, p->partition);
	rd_kafka_pause_partitions(s->client.rk, one);
	rd_kafka_topic_partition_list_destroy(one);
}

int kafka_source_subscribed(const char *sub, const char *topic)
{
	kafka_topic_pattern *pattern;
	char why[256];
	size_t at;
	int match;

	if (sub[0] != '^')
		return strcmp(sub, topic) == 0;
	/* a pattern that does not compile was refused when the job was
	 * checked: here it matches nothing */
	if ((pattern = kafka_topic_pattern_new(sub + 1, why, sizeof why, &at)) == NULL)
		return 0;
	match = kafka_topic_pattern_matches(pattern, topic);
	kafka_topic_pattern_free(pattern);
	return match;
}

void kafka_source_note_size(kafka_source *s, const char *topic, int32_t partitions)
{
	kafka_topic_size *grown;
	size_t i;

	for (i = 0; i < s->size_count; i++) {
		if (strcmp(s->sizes[i].topic, topic) == 0) {
			s->sizes[i].partitions = partitions;
			return;
		}
	}
	grown = realloc(s->sizes, (s->size_count + 1) * sizeof *grown);
	if (grown == NULL)
		return; /* asked again next time */
	s->sizes = grown;
	if ((grown[s->size_count].topic = strdup(topic)) == NULL)
		return;
	grown[s->size_count++].partitions = partitions;
}

#define SIZE_TIMEOUT_MS 10000

int32_t kafka_source_topic_partitions(kafka_source *s, const char *topic)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_t *rkt;
	int32_t n = 1;
	size_t i;

	for (i = 0; i < s->size_count; i++)
		if (strcmp(s->sizes[i].topic, topic) == 0)
			return s->sizes[i].partitions;
	/* the topic is one the consumer reads: asking for it creates nothing */
	if ((rkt = rd_kafka_topic_new(s->client.rk, topic, NULL)) == NULL)
		return n;
	if (rd_kafka_metadata(s->client.rk, 0, rkt, &md, SIZE_TIMEOUT_MS) ==
	    RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
	    md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
	    md->topics[0].partition_cnt > 0) {
		n = md->topics[0].partition_cnt;
		kafka_source_note_size(s, topic, n);
	} else {
		sl_log(s->client.stage, SL_LOG_WARN, "cannot learn how many "
		       "partitions topic %s has; counting 1", topic);
	}
	if (md != NULL)
		rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	return n;
}

void kafka_source_fail(kafka_source *s, const sl_error *err)
{
	if (!s->failed) {
		s->failed = 1;
		s->failure = *err;
	}
}

void kafka_source_book_free(kafka_source *s)
{
	size_t i;

	for (i = 0; i < s->part_count; i++)
		free(s->parts[i].topic);
	free(s->parts);
	for (i = 0; i < s->size_count; i++)
		free(s->sizes[i].topic);
	free(s->sizes);
	s->parts = NULL;
	s->sizes = NULL;
	s->part_count = s->part_cap = s->size_count = 0;
}
