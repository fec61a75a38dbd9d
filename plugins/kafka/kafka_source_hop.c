/*
 * kafka_source_hop.c - the source's part in a repartition hop (role
 * SL_ROLE_REPARTITION_SOURCE): the engine's control data among the
 * records, and deleting what the group has committed.
 *
 * The topic is the job's own storage between two of its parts: once the
 * group has committed a record, no instance will read it again, so it
 * is deleted (DeleteRecords up to the committed offsets), as Kafka
 * Streams purges its repartition topics, and the topic does not grow
 * with the job's age.  Each instance deletes in the partitions it holds,
 * every PURGE_MS; at the end of a bounded run, in every partition.
 */
#include <stdio.h>
#include <string.h>

#include "kafka_source_shared.h"

#define PURGE_MS 30000
#define PURGE_TIMEOUT_MS 10000

int kafka_source_control(kafka_source *s, const rd_kafka_message_t *m)
{
	sl_origin origin;

	if (s->role != SL_ROLE_REPARTITION_SOURCE ||
	    m->key_len < KAFKA_CONTROL_KEY_LEN ||
	    memcmp(m->key, KAFKA_CONTROL_KEY, KAFKA_CONTROL_KEY_LEN) != 0)
		return 0;
	origin.stage = sl_stage_name(s->client.stage);
	origin.topic = rd_kafka_topic_name(m->rkt);
	origin.partition = m->partition;
	origin.offset = m->offset;
	sl_control_received(s->client.stage, &origin, m->payload, m->len);
	return 1;
}

/* The partitions to purge: those held, or (@p all) every one known. */
static rd_kafka_topic_partition_list_t *purgeable(kafka_source *s, int all)
{
	rd_kafka_topic_partition_list_t *list = NULL;
	size_t i;

	if (!all) {
		if (rd_kafka_assignment(s->client.rk, &list) != RD_KAFKA_RESP_ERR_NO_ERROR)
			return NULL;
		return list;
	}
	list = rd_kafka_topic_partition_list_new((int)s->part_count);
	for (i = 0; i < s->part_count; i++)
		rd_kafka_topic_partition_list_add(list, s->parts[i].topic,
						  s->parts[i].partition);
	return list;
}

/* Wait for the DeleteRecords result and report what failed. */
static void purge_result(kafka_source *s, rd_kafka_queue_t *q)
{
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, PURGE_TIMEOUT_MS + 5000);
	const rd_kafka_topic_partition_list_t *done;
	int i;

	if (ev == NULL) {
		sl_log(s->client.stage, SL_LOG_WARN, "deleting committed records: "
		       "no answer from the cluster (tried again later)");
		return;
	}
	if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		sl_log(s->client.stage, SL_LOG_WARN, "deleting committed records: "
		       "%s (tried again later)", rd_kafka_event_error_string(ev));
	} else if (rd_kafka_event_DeleteRecords_result(ev) != NULL) {
		done = rd_kafka_DeleteRecords_result_offsets(
			rd_kafka_event_DeleteRecords_result(ev));
		for (i = 0; done != NULL && i < done->cnt; i++)
			if (done->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
				sl_log(s->client.stage, SL_LOG_WARN, "deleting "
				       "committed records of %s partition %d: %s",
				       done->elems[i].topic,
				       (int)done->elems[i].partition,
				       rd_kafka_err2str(done->elems[i].err));
			else
				sl_log(s->client.stage, SL_LOG_DEBUG, "%s partition "
				       "%d: records before %lld deleted",
				       done->elems[i].topic,
				       (int)done->elems[i].partition,
				       (long long)done->elems[i].offset);
	}
	rd_kafka_event_destroy(ev);
}

void kafka_source_purge(kafka_source *s, int all)
{
	rd_kafka_topic_partition_list_t *list, *del;
	rd_kafka_DeleteRecords_t *req;
	rd_kafka_AdminOptions_t *o;
	rd_kafka_queue_t *q;
	int64_t now = kafka_now_ms();
	char why[256];
	int i;

	if (s->role != SL_ROLE_REPARTITION_SOURCE || (!all && now < s->next_purge))
		return;
	s->next_purge = now + PURGE_MS;
	if ((list = purgeable(s, all)) == NULL)
		return;
	if (list->cnt == 0 ||
	    rd_kafka_committed(s->client.rk, list, PURGE_TIMEOUT_MS) !=
	    RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_topic_partition_list_destroy(list);
		return;
	}
	del = rd_kafka_topic_partition_list_new(list->cnt);
	for (i = 0; i < list->cnt; i++)
		if (list->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
		    list->elems[i].offset > 0)
			rd_kafka_topic_partition_list_add(del, list->elems[i].topic,
							  list->elems[i].partition)
				->offset = list->elems[i].offset;
	rd_kafka_topic_partition_list_destroy(list);
	if (del->cnt == 0) {
		rd_kafka_topic_partition_list_destroy(del);
		return;
	}
	req = rd_kafka_DeleteRecords_new(del);
	rd_kafka_topic_partition_list_destroy(del);
	q = rd_kafka_queue_new(s->client.rk);
	o = rd_kafka_AdminOptions_new(s->client.rk, RD_KAFKA_ADMIN_OP_DELETERECORDS);
	rd_kafka_AdminOptions_set_request_timeout(o, PURGE_TIMEOUT_MS, why, sizeof why);
	rd_kafka_AdminOptions_set_operation_timeout(o, PURGE_TIMEOUT_MS, why, sizeof why);
	rd_kafka_DeleteRecords(s->client.rk, &req, 1, o, q);
	rd_kafka_AdminOptions_destroy(o);
	rd_kafka_DeleteRecords_destroy(req);
	purge_result(s, q);
	rd_kafka_queue_destroy(q);
}
