/*
 * kafka_source_lag.c - where the source stands in each partition it
 * reads, for the job's metrics (http.listen): assigned, the position of
 * the next record it reads, the high watermark (under read_committed,
 * the last stable offset, as librdkafka reports it) and the lag between
 * them.  Both come from librdkafka's local state (rd_kafka_position,
 * rd_kafka_get_watermark_offsets: the watermarks of the latest fetch
 * response), so no request goes to a broker; reported at most once a
 * second, and at once after partitions move.
 */
#include "kafka_source_shared.h"

#define REPORT_MS 1000

static void report_part(kafka_source *s, const rd_kafka_topic_partition_t *t)
{
	sl_stage *stage = s->client.stage;
	int64_t low = -1, high = -1;

	sl_gauge_set(stage, "assigned", t->topic, t->partition, 1);
	if (rd_kafka_get_watermark_offsets(s->client.rk, t->topic, t->partition,
					   &low, &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
	    high < 0)
		return; /* no fetch response yet */
	sl_gauge_set(stage, "high-watermark", t->topic, t->partition, high);
	if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR || t->offset < 0)
		return; /* nothing read yet: no position */
	sl_gauge_set(stage, "position", t->topic, t->partition, t->offset);
	sl_gauge_set(stage, "lag", t->topic, t->partition,
		     high > t->offset ? high - t->offset : 0);
}

void kafka_source_report(kafka_source *s)
{
	rd_kafka_topic_partition_list_t *list;
	int64_t now = kafka_now_ms();
	size_t i;
	int j;

	if (!SL_HOST_HAS(gauge_set) || !SL_HOST_HAS(gauge_drop) ||
	    now < s->next_report)
		return;
	s->next_report = now + REPORT_MS;
	list = rd_kafka_topic_partition_list_new((int)s->part_count + 1);
	for (i = 0; i < s->part_count; i++) {
		if (s->parts[i].assigned)
			rd_kafka_topic_partition_list_add(list, s->parts[i].topic,
							  s->parts[i].partition);
		else /* moved away, or read to its end under stop = end */
			sl_gauge_drop(s->client.stage, s->parts[i].topic,
				      s->parts[i].partition);
	}
	if (list->cnt > 0 && rd_kafka_position(s->client.rk, list) ==
	    RD_KAFKA_RESP_ERR_NO_ERROR)
		for (j = 0; j < list->cnt; j++)
			report_part(s, &list->elems[j]);
	rd_kafka_topic_partition_list_destroy(list);
}
