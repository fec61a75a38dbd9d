/*
 * kafka_source_prefetch.c - keep a partition's prefetch flowing once its
 * queue has filled.
 *
 * librdkafka fetches for a partition until its queue holds
 * queued.min.messages records or queued.max.messages.kbytes of them, and
 * then stops.  Version 2.0 (Debian bookworm's) looks at the queue again
 * only when the broker's thread wakes: for an answer, a request to send,
 * or its one-second timer.  When every partition on a broker is full,
 * nothing else wakes it, so a job that drains its queues in less than a
 * second waits out the rest (2.3 added fetch.queue.backoff.ms for this).
 * The prefetch bounds therefore had to be large enough to last a second
 * at full speed: 250,000 records a partition, hundreds of MB for a job
 * with two consumers, none of it needed.
 *
 * Here the bounds are small and the source wakes the thread itself: when
 * a partition's queue has reached one of its bounds and the job has read
 * it down to half, it asks the partition's leader for the partition's
 * end offset, without waiting for the answer.  Sending that
 * request is what wakes the leader's thread, which then finds the queue
 * short and fetches.  A seek would wake it too, but drops what is queued;
 * the request costs the broker one offset lookup per half a queue read.
 * If it does not get through (no leader known yet), the thread's own
 * timer still fetches within a second, as before.
 */

#include "kafka_source_shared.h"

/* A queue counts as full from this share of a bound (per mille): the
 * byte bound is judged from the size of the records read so far. */
#define FULL_PER_MILLE 900

void kafka_source_prefetch_init(kafka_source *s, rd_kafka_conf_t *conf)
{
	s->prefetch_records = kafka_conf_number(conf, "queued.min.messages");
	s->prefetch_bytes = kafka_conf_number(conf, "queued.max.messages.kbytes") * 1024;
}

void kafka_source_prefetch_read(kafka_source *s, rd_kafka_message_t **msgs,
				size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		s->read_bytes += msgs[i]->len + msgs[i]->key_len;
	s->read_records += n;
}

/* Whether a queue of @p len records is (near) one of librdkafka's bounds. */
static int full(const kafka_source *s, size_t len)
{
	long long avg;

	if (s->prefetch_records > 0 &&
	    (long long)len * 1000 >= s->prefetch_records * FULL_PER_MILLE)
		return 1;
	if (s->prefetch_bytes <= 0 || s->read_records == 0)
		return 0;
	avg = (long long)(s->read_bytes / s->read_records);
	return (long long)len * avg * 1000 >= s->prefetch_bytes * FULL_PER_MILLE;
}

/* Ask @p p's leader for its end offset, not waiting for the answer. */
static void wake_fetcher(kafka_source *s, kafka_part *p)
{
	rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);

	/* "the offset of the first record at or after timestamp -1": the
	 * end, which the broker answers without reading its log */
	rd_kafka_topic_partition_list_add(one, p->topic, p->partition)->offset =
		RD_KAFKA_OFFSET_END;
	(void)rd_kafka_offsets_for_times(s->client.rk, one, 0);
	rd_kafka_topic_partition_list_destroy(one);
	sl_metric_add(s->client.stage, "prefetch wake-ups", 1);
}

void kafka_source_prefetch_check(kafka_source *s, kafka_part *p, size_t len)
{
	if (len > p->queue_peak)
		p->queue_peak = len;
	if (len * 2 > p->queue_peak || !full(s, p->queue_peak))
		return;
	wake_fetcher(s, p);
	p->queue_peak = len;
}
