/*
 * kafka_source_commit.c - the engine's commit cycle, in Kafka offsets.
 *
 * The engine calls this only once every record before the positions has
 * been acknowledged by every sink, so committing them and waiting for the
 * coordinator's answer is what makes the job at-least-once.  Only
 * partitions this consumer holds are committed: a position left over
 * from a partition that went to another consumer must never move that
 * consumer's offset.  Positions unchanged since this consumer's last
 * commit are not sent again: an idle job sends no commits at all.
 *
 * A commit that fails for a transient reason (the coordinator moved, the
 * broker restarts, the group rebalances) is logged and left to the next
 * cycle, which commits the same positions or later ones: nothing is lost,
 * at worst records are read twice after a crash.  The wait is bounded
 * (librdkafka's own commit waits for a missing coordinator until the
 * session times out), so that a job whose broker is gone still stops
 * promptly on SIGTERM.
 */
#include <stdio.h>

#include "kafka_source_shared.h"

#define COMMIT_TIMEOUT_MS 10000

/* Positions not committed yet are logged once per streak of failures. */
static void transient(kafka_source *s, const sl_error *e)
{
	if (s->commit_failures++ == 0)
		sl_log(s->client.stage, SL_LOG_WARN,
		       "%s (will retry with the next commit)", e->message);
	sl_metric_add(s->client.stage, "commit failures", 1);
}

/* The partitions of @p positions this consumer holds and has not committed. */
static rd_kafka_topic_partition_list_t *
to_commit(kafka_source *s, const sl_position *positions, size_t count,
	  const rd_kafka_topic_partition_list_t *owned)
{
	rd_kafka_topic_partition_list_t *list =
		rd_kafka_topic_partition_list_new((int)count);
	size_t i;

	for (i = 0; i < count; i++) {
		const sl_position *at = &positions[i];
		kafka_part *p;

		if (at->topic == NULL ||
		    rd_kafka_topic_partition_list_find(owned, at->topic,
						       at->partition) == NULL)
			continue;
		p = kafka_source_part(s, at->topic, at->partition, 0);
		if (p != NULL && p->committed == at->next_offset)
			continue;
		rd_kafka_topic_partition_list_add(list, at->topic, at->partition)
			->offset = at->next_offset;
	}
	return list;
}

/*
 * Commit @p list and wait for the answer; on success remember what was
 * committed.  The error code, with @p e filled when not NO_ERROR.
 */
static rd_kafka_resp_err_t commit_wait(kafka_source *s,
				       rd_kafka_topic_partition_list_t *list,
				       sl_error *e)
{
	rd_kafka_queue_t *q = rd_kafka_queue_new(s->client.rk);
	const rd_kafka_topic_partition_list_t *done;
	rd_kafka_event_t *ev;
	rd_kafka_resp_err_t code;
	int i;

	code = rd_kafka_commit_queue(s->client.rk, list, q, NULL, NULL);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_queue_destroy(q);
		kafka_error_code(e, code, "cannot commit offsets");
		return code;
	}
	ev = rd_kafka_queue_poll(q, COMMIT_TIMEOUT_MS);
	if (ev == NULL) {
		rd_kafka_queue_destroy(q);
		sl_error_set(e, SL_ERR_RETRIABLE, "cannot commit offsets: no answer "
			     "from the group coordinator within %d s",
			     COMMIT_TIMEOUT_MS / 1000);
		return RD_KAFKA_RESP_ERR__TIMED_OUT;
	}
	code = rd_kafka_event_error(ev);
	done = rd_kafka_event_topic_partition_list(ev);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		kafka_error_code(e, code, "cannot commit offsets");
	for (i = 0; done != NULL && i < done->cnt; i++) {
		const rd_kafka_topic_partition_t *t = &done->elems[i];
		char ctx[400];

		if (code == RD_KAFKA_RESP_ERR_NO_ERROR &&
		    t->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			snprintf(ctx, sizeof ctx,
				 "cannot commit offset %lld of topic %s partition %d",
				 (long long)t->offset, t->topic, (int)t->partition);
			kafka_error_code(e, t->err, ctx);
			code = t->err;
		} else if (t->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			kafka_part *p = kafka_source_part(s, t->topic, t->partition, 0);

			if (p != NULL)
				p->committed = t->offset;
		}
	}
	rd_kafka_event_destroy(ev);
	rd_kafka_queue_destroy(q);
	return code;
}

int kafka_source_commit(void *self, const sl_position *positions, size_t count,
			sl_error *err)
{
	kafka_source *s = self;
	rd_kafka_topic_partition_list_t *owned = NULL, *list;
	rd_kafka_resp_err_t code;
	sl_error e;

	/* auto-commit does it under delivery none */
	if (s->delivery == SL_DELIVERY_NONE || count == 0)
		return SL_OK;
	code = rd_kafka_assignment(s->client.rk, &owned);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		return kafka_error_code(err, code, "cannot read the assignment");
	list = to_commit(s, positions, count, owned);
	rd_kafka_topic_partition_list_destroy(owned);
	code = list->cnt > 0 ? commit_wait(s, list, &e) : RD_KAFKA_RESP_ERR_NO_ERROR;
	rd_kafka_topic_partition_list_destroy(list);
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
		if (s->commit_failures > 0)
			sl_log(s->client.stage, SL_LOG_INFO,
			       "offsets committed again after %d failure(s)",
			       s->commit_failures);
		s->commit_failures = 0;
		return SL_OK;
	}
	if (kafka_code_is_transient(code)) {
		transient(s, &e);
		return SL_OK;
	}
	*err = e;
	return SL_ERR;
}
