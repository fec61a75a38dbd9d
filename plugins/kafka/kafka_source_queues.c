/*
 * kafka_source_queues.c - a queue per partition, read in turn.
 *
 * librdkafka puts what it fetches for each partition in the partition's
 * queue and, by default, forwards that queue into the consumer queue,
 * where the partitions mix in fetch order.  Here each partition's queue
 * is taken out of the consumer queue before it is first assigned (so no
 * record of it ever goes there), and poll reads the queues in turn.
 * That is what lets the engine hold a partition that runs ahead in event
 * time: a held partition's queue is simply not read.  librdkafka goes on
 * fetching into it until its prefetch bounds (queued.min.messages,
 * queued.max.messages.kbytes, which count each partition's queue on its
 * own) and stops there; letting it go reads on from where it stood, with
 * nothing fetched twice (kafka_source_prefetch.c gets the fetching going
 * again).  rd_kafka_pause_partitions would have dropped what was fetched
 * and fetched it again on resume.
 *
 * The consumer queue still carries the group's events (rebalances,
 * errors); both kinds of queue wake the poll through one pipe, and the
 * engine's run loop, which then waits for all of a job's sources at
 * once, through sl_wake(): librdkafka calls on_queue_event from its own
 * threads when a queue that was empty gets something.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "kafka_source_shared.h"

static void on_queue_event(rd_kafka_t *rk, void *opaque)
{
	kafka_source *s = opaque;

	(void)rk;
	if (write(s->wake[1], "w", 1) < 0) {
		/* a full pipe is awake already */
	}
	if (SL_HOST_HAS(wake))
		sl_wake(s->client.stage);
}

int kafka_source_queues_open(kafka_source *s, sl_error *err)
{
	int i;

	if (pipe(s->wake) != 0) {
		s->wake[0] = s->wake[1] = -1;
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot make a pipe: %s",
				    strerror(errno));
	}
	for (i = 0; i < 2; i++)
		if (fcntl(s->wake[i], F_SETFL, O_NONBLOCK) != 0 ||
		    fcntl(s->wake[i], F_SETFD, FD_CLOEXEC) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME,
					    "cannot set up a pipe: %s", strerror(errno));
	rd_kafka_queue_cb_event_enable(s->queue, on_queue_event, s);
	return SL_OK;
}

int kafka_source_queue_take(kafka_source *s, kafka_part *p)
{
	if (p->queue != NULL)
		return 1;
	p->queue = rd_kafka_queue_get_partition(s->client.rk, p->topic, p->partition);
	if (p->queue == NULL)
		return 0;
	/* From now on librdkafka leaves the forwarding of this queue to us:
	 * it stays out of the consumer queue across revocations. */
	rd_kafka_queue_forward(p->queue, NULL);
	rd_kafka_queue_cb_event_enable(p->queue, on_queue_event, s);
	return 1;
}

ssize_t kafka_source_queues_read(kafka_source *s, rd_kafka_message_t **msgs,
				 size_t max)
{
	size_t k;

	for (k = 0; k < s->part_count; k++) {
		kafka_part *p = &s->parts[(s->next_queue + k) % s->part_count];
		ssize_t n;
		size_t len;

		if (p->queue == NULL || p->held_back)
			continue;
		/* a look at the length costs a lock; a read of an empty
		 * queue, two clock readings as well */
		len = rd_kafka_queue_length(p->queue);
		kafka_source_prefetch_check(s, p, len);
		if (len == 0)
			continue;
		n = rd_kafka_consume_batch_queue(p->queue, 0, msgs, max);
		if (n > 0)
			kafka_source_prefetch_read(s, msgs, (size_t)n);
		if (!p->assigned) {
			/* given up: what it still holds is stale */
			while (n-- > 0)
				rd_kafka_message_destroy(msgs[n]);
			continue;
		}
		if (n > 0) {
			/* the next read starts with the next partition */
			s->next_queue = (s->next_queue + k + 1) % s->part_count;
			return n;
		}
	}
	return 0;
}

void kafka_source_queues_wait(kafka_source *s, int timeout_ms)
{
	struct pollfd pfd = { .fd = s->wake[0], .events = POLLIN };
	char drain[64];

	if (poll(&pfd, 1, timeout_ms) > 0)
		while (read(s->wake[0], drain, sizeof drain) > 0)
			;
}

void kafka_source_queues_close(kafka_source *s)
{
	size_t i;

	for (i = 0; i < s->part_count; i++)
		if (s->parts[i].queue != NULL) {
			rd_kafka_queue_cb_event_enable(s->parts[i].queue, NULL, NULL);
			rd_kafka_queue_destroy(s->parts[i].queue);
			s->parts[i].queue = NULL;
		}
	if (s->queue != NULL)
		rd_kafka_queue_cb_event_enable(s->queue, NULL, NULL);
}
