/*
 * kafka_source_align.c - the engine's event-time alignment, in Kafka
 * terms: partitions that run ahead are paused, and resumed (unless a
 * bounded run has finished them, which keeps them paused).
 */
#include "kafka_source_shared.h"

/* Pause or resume @p inputs; librdkafka's per-partition errors are the
 * caller's.  SL_OK or SL_ERR. */
static int hold(kafka_source *s, const sl_input *inputs, size_t count,
		int back, sl_error *err)
{
	rd_kafka_topic_partition_list_t *list =
		rd_kafka_topic_partition_list_new((int)count);
	rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
	size_t i;
	int j;

	for (i = 0; i < count; i++) {
		kafka_part *p = inputs[i].topic == NULL ? NULL :
			kafka_source_part(s, inputs[i].topic, inputs[i].partition, 0);

		if (p == NULL || !p->assigned || p->held_back == back)
			continue;
		p->held_back = back;
		if (!p->done)
			rd_kafka_topic_partition_list_add(list, p->topic, p->partition);
	}
	if (list->cnt > 0)
		code = back ? rd_kafka_pause_partitions(s->client.rk, list) :
			      rd_kafka_resume_partitions(s->client.rk, list);
	for (j = 0; code == RD_KAFKA_RESP_ERR_NO_ERROR && j < list->cnt; j++)
		code = list->elems[j].err;
	rd_kafka_topic_partition_list_destroy(list);
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
		return SL_OK;
	return kafka_error_code(err, code, back ? "cannot pause partitions" :
				"cannot resume partitions");
}

int kafka_source_pause_inputs(void *self, const sl_input *inputs, size_t count,
			      sl_error *err)
{
	return hold(self, inputs, count, 1, err);
}

int kafka_source_resume_inputs(void *self, const sl_input *inputs, size_t count,
			       sl_error *err)
{
	return hold(self, inputs, count, 0, err);
}
