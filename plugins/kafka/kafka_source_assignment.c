/*
 * kafka_source_assignment.c - what partitions coming and going change in
 * the source's books: where a new one starts, which ends are still to be
 * learnt, what a partition handed back forgets, which records of a
 * revoked partition the batch being filled must drop.
 *
 * Decisions only, with no call to the cluster or the engine, so that
 * tests can drive them with any state; kafka_source_rebalance.c makes
 * the calls around them inside librdkafka's rebalance callback.
 */
#include "kafka_source_shared.h"

int kafka_source_start_at(const kafka_source *s, int64_t *offset)
{
	/* `start` is for the process's first assignment, as Flink's
	 * OffsetsInitializer is for the job's start: partitions handed over
	 * later resume from the group's committed offset */
	if (s->assigned_once || s->start == KAFKA_START_COMMITTED) {
		*offset = RD_KAFKA_OFFSET_INVALID;
		return 0;
	}
	if (s->start == KAFKA_START_EARLIEST) {
		*offset = RD_KAFKA_OFFSET_BEGINNING;
		return 0;
	}
	/* the latest time: the end at assignment, not whenever the fetcher
	 * gets round to resolving a logical end offset */
	*offset = s->start == KAFKA_START_LATEST ? RD_KAFKA_OFFSET_END : s->start_ts;
	return 1;
}

int64_t kafka_source_start_found(int64_t offset)
{
	/* -1: every record is older than the timestamp; start at the end */
	return offset >= 0 ? offset : RD_KAFKA_OFFSET_END;
}

int kafka_source_part_assigned(kafka_source *s, kafka_part *p)
{
	int was_done = p->done;

	p->assigned = 1;
	s->ends_committed = 0;
	p->committed = -1; /* another owner may have moved it since */
	p->sent = -1;
	/* Finished before, but what was read since the last commit may have
	 * been lost with the partition (an aborted transaction): read on
	 * from the committed offset, and the end of the run finishes it
	 * again. */
	p->done = 0;
	return was_done;
}

void kafka_source_parts_revoked(kafka_source *s,
				const rd_kafka_topic_partition_list_t *parts)
{
	int i;

	for (i = 0; i < parts->cnt; i++) {
		kafka_part *p = kafka_source_part(s, parts->elems[i].topic,
						  parts->elems[i].partition, 0);
		if (p != NULL)
			p->assigned = 0, p->held_back = 0;
	}
}

rd_kafka_topic_partition_list_t *
kafka_source_unknown_ends(kafka_source *s,
			  const rd_kafka_topic_partition_list_t *parts)
{
	rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_new(parts->cnt);
	int i;

	/* a partition handed back keeps the end seen the first time: the
	 * run's bound does not move with the writers */
	for (i = 0; i < parts->cnt; i++) {
		kafka_part *p = kafka_source_part(s, parts->elems[i].topic,
						  parts->elems[i].partition, 0);
		if (p != NULL && p->end < 0)
			rd_kafka_topic_partition_list_add(q, p->topic, p->partition)
				->offset = RD_KAFKA_OFFSET_END;
	}
	return q;
}

uint32_t kafka_source_drop_revoked(kafka_source *s,
				   const rd_kafka_topic_partition_list_t *parts)
{
	sl_batch *b = s->batch;
	uint32_t i, kept, dropped;

	if (b == NULL)
		return 0;
	kept = s->batch_start;
	for (i = s->batch_start; i < b->count; i++) {
		const sl_record *r = &b->records[i];

		if (rd_kafka_topic_partition_list_find(parts, r->origin.topic,
						       r->origin.partition) == NULL)
			b->records[kept++] = *r;
	}
	dropped = b->count - kept;
	b->count = kept;
	return dropped;
}
