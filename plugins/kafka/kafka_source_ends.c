/*
 * kafka_source_ends.c - what the partition book says about a bounded
 * run (stop = end): whether everything held here is read, whether it is
 * committed, what the group still misses, where a record stands against
 * its partition's end.
 *
 * Decisions only, on the book and on lists librdkafka filled: no call
 * to the cluster or the engine, so that tests can hand them any state.
 * kafka_source_bounds.c and kafka_source_poll.c act on the answers.
 */
#include "kafka_source_shared.h"

int kafka_source_all_read(const kafka_source *s)
{
	size_t i;

	/* not before the first assignment, nor between an eager protocol's
	 * revocation of everything and the assignment that follows it */
	if (!s->stop_at_end || !s->assigned_once || s->rejoining)
		return 0;
	for (i = 0; i < s->part_count; i++)
		if (s->parts[i].assigned && !s->parts[i].done)
			return 0;
	return 1;
}

int kafka_source_all_held_here(const kafka_source *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->part_count; i++) {
		if (s->parts[i].end <= 0)
			continue;
		if (!s->parts[i].assigned)
			return 0;
		n++;
	}
	return n > 0;
}

int kafka_source_committed_to_ends(const kafka_source *s)
{
	size_t i;

	for (i = 0; i < s->part_count; i++)
		if (s->parts[i].end > 0 && s->parts[i].committed < s->parts[i].end)
			return 0;
	return 1;
}

int kafka_source_ends_to_commit(const kafka_source *s)
{
	return !s->ends_committed && !s->closing &&
	       kafka_source_all_held_here(s) && !kafka_source_committed_to_ends(s);
}

rd_kafka_topic_partition_list_t *kafka_source_ends_query(const kafka_source *s)
{
	rd_kafka_topic_partition_list_t *q =
		rd_kafka_topic_partition_list_new((int)s->part_count);
	size_t i;

	/* an empty partition (end 0) has nothing to commit */
	for (i = 0; i < s->part_count; i++)
		if (s->parts[i].end > 0)
			rd_kafka_topic_partition_list_add(q, s->parts[i].topic,
							  s->parts[i].partition);
	return q;
}

int kafka_source_ends_missing(kafka_source *s,
			      const rd_kafka_topic_partition_list_t *committed)
{
	int j, missing = 0;

	for (j = 0; j < committed->cnt; j++) {
		const rd_kafka_topic_partition_t *t = &committed->elems[j];
		kafka_part *p = kafka_source_part(s, t->topic, t->partition, 0);

		/* an error: a transaction's offsets not committed yet */
		missing += t->err != RD_KAFKA_RESP_ERR_NO_ERROR || p == NULL ||
			   t->offset < p->end;
	}
	return missing;
}

enum kafka_end_step kafka_part_end_step(kafka_part *p, int64_t offset)
{
	if (offset + 1 > p->reached)
		p->reached = offset + 1;
	if (p->end < 0 || offset + 1 < p->end)
		return KAFKA_BEFORE_END;
	return offset + 1 == p->end ? KAFKA_LAST_BEFORE_END : KAFKA_PAST_END;
}
