/*
 * kafka_source_txn.c - the source's part in exactly-once (KIP-447).
 *
 * The transactional sink commits this source's positions inside the
 * job's transaction, with the consumer's group metadata, so that the
 * broker refuses the offsets of a zombie whose generation is gone.  The
 * metadata is taken fresh for every transaction: a rebalance changes the
 * generation.  After an abort the engine rewinds the source: every
 * partition it holds goes back to the last position a transaction
 * committed, or to the group's committed offset when none was committed
 * in this run, and what was fetched beyond it is read again.
 */
#include <stdio.h>
#include <string.h>

#include "kafka_source_shared.h"

#define QUERY_TIMEOUT_MS 30000

void *kafka_source_txn_group(void *self)
{
	kafka_source *s = self;

	if (s->group != NULL)
		rd_kafka_consumer_group_metadata_destroy(s->group);
	s->group = rd_kafka_consumer_group_metadata(s->client.rk);
	return s->group;
}

static const sl_position *find(const sl_position *positions, size_t count,
			       const char *topic, int32_t partition)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (positions[i].partition == partition && positions[i].topic != NULL &&
		    strcmp(positions[i].topic, topic) == 0)
			return &positions[i];
	return NULL;
}

/*
 * For the partitions of @p seek without a position (offset INVALID): the
 * group's committed offset, else where the partition first started.
 */
static int from_group(kafka_source *s, rd_kafka_topic_partition_list_t *seek,
		      sl_error *err)
{
	rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_new(seek->cnt);
	rd_kafka_resp_err_t code;
	int i, j;

	for (i = 0; i < seek->cnt; i++)
		if (seek->elems[i].offset == RD_KAFKA_OFFSET_INVALID)
			rd_kafka_topic_partition_list_add(q, seek->elems[i].topic,
							  seek->elems[i].partition);
	code = q->cnt ? rd_kafka_committed(s->client.rk, q, QUERY_TIMEOUT_MS)
		      : RD_KAFKA_RESP_ERR_NO_ERROR;
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_topic_partition_list_destroy(q);
		return kafka_error_code(err, code, "cannot read the committed "
					"offsets to rewind to");
	}
	for (j = 0; j < q->cnt; j++) {
		const rd_kafka_topic_partition_t *c = &q->elems[j];
		kafka_part *p = kafka_source_part(s, c->topic, c->partition, 0);
		int64_t to = c->offset;

		if (to < 0)
			to = p != NULL && p->start != RD_KAFKA_OFFSET_INVALID ? p->start :
			     s->start == KAFKA_START_LATEST ? RD_KAFKA_OFFSET_END :
			     RD_KAFKA_OFFSET_BEGINNING;
		rd_kafka_topic_partition_list_find(seek, c->topic, c->partition)
			->offset = to;
	}
	rd_kafka_topic_partition_list_destroy(q);
	return SL_OK;
}

/* stop = end: a partition moved back before its end is not done any more. */
static void reopen(kafka_source *s, const rd_kafka_topic_partition_list_t *seek)
{
	rd_kafka_topic_partition_list_t *resume = rd_kafka_topic_partition_list_new(0);
	int i;

	for (i = 0; i < seek->cnt; i++) {
		kafka_part *p = kafka_source_part(s, seek->elems[i].topic,
						  seek->elems[i].partition, 0);
		if (p != NULL && p->done && !p->held_back &&
		    (seek->elems[i].offset < 0 || seek->elems[i].offset < p->end)) {
			p->done = 0;
			rd_kafka_topic_partition_list_add(resume, p->topic, p->partition);
		}
	}
	if (resume->cnt > 0)
		rd_kafka_resume_partitions(s->client.rk, resume);
	rd_kafka_topic_partition_list_destroy(resume);
}

void kafka_source_txn_committed(void *self, const sl_position *positions,
				size_t count)
{
	kafka_source *s = self;
	size_t i;

	for (i = 0; i < count; i++) {
		kafka_part *p = positions[i].topic == NULL ? NULL :
			kafka_source_part(s, positions[i].topic,
					  positions[i].partition, 0);

		if (p != NULL && p->assigned)
			p->committed = positions[i].next_offset;
	}
}

int kafka_source_rewind(void *self, const sl_position *positions, size_t count,
			sl_error *err)
{
	kafka_source *s = self;
	rd_kafka_topic_partition_list_t *seek = NULL;
	rd_kafka_error_t *error;
	rd_kafka_resp_err_t code;
	int i, rc;

	/* a rewind inside poll (a revocation's commit was aborted): what
	 * the batch holds is read again */
	if (s->batch != NULL)
		s->batch->count = s->batch_start;
	if ((code = rd_kafka_assignment(s->client.rk, &seek)) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return kafka_error_code(err, code, "cannot read the assignment");
	for (i = 0; i < seek->cnt; i++) {
		const sl_position *at = find(positions, count, seek->elems[i].topic,
					     seek->elems[i].partition);

		seek->elems[i].offset = at ? at->next_offset : RD_KAFKA_OFFSET_INVALID;
	}
	rc = from_group(s, seek, err);
	if (rc == SL_OK && seek->cnt > 0) {
		error = rd_kafka_seek_partitions(s->client.rk, seek, QUERY_TIMEOUT_MS);
		if (error != NULL)
			rc = kafka_error_take(err, error, "cannot rewind");
		for (i = 0; rc == SL_OK && i < seek->cnt; i++) {
			char ctx[400];

			if (seek->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
				continue;
			snprintf(ctx, sizeof ctx, "cannot rewind topic %s partition %d",
				 seek->elems[i].topic, (int)seek->elems[i].partition);
			rc = kafka_error_code(err, seek->elems[i].err, ctx);
			/* a partition librdkafka is taking away (the group
			 * dropped this member: its loss is on its way) cannot
			 * be sought; what was read of it was aborted, so
			 * opening the job again from its last commit reads it
			 * again, here or wherever the group puts it */
			if (seek->elems[i].err == RD_KAFKA_RESP_ERR__STATE)
				err->kind = SL_ERR_RESTART;
		}
	}
	if (rc == SL_OK) {
		reopen(s, seek);
		sl_log(s->client.stage, SL_LOG_INFO, "rewound %d partition(s) to the "
		       "last committed positions", seek->cnt);
	}
	rd_kafka_topic_partition_list_destroy(seek);
	return rc;
}
