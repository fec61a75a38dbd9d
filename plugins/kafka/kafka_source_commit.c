/*
 * kafka_source_commit.c - the engine's commit cycle, in Kafka offsets.
 *
 * The engine calls this only once every record before the positions has
 * been acknowledged by every sink, so committing them makes the job
 * at-least-once.  The commit is sent without waiting for the
 * coordinator's answer, which the next commit collects: a commit that
 * fails only means reading some records again.  Giving partitions up and
 * closing wait for every answer (kafka_source_commits_wait).  Only
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
		if (p != NULL && (p->committed == at->next_offset ||
				  p->sent == at->next_offset))
			continue;
		rd_kafka_topic_partition_list_add(list, at->topic, at->partition)
			->offset = at->next_offset;
	}
	return list;
}

/*
 * The answer to one commit: on success remember what was committed.  The
 * error code, with @p e filled when not NO_ERROR.
 */
static rd_kafka_resp_err_t answered(kafka_source *s, rd_kafka_event_t *ev,
				    sl_error *e)
{
	const rd_kafka_topic_partition_list_t *done;
	rd_kafka_resp_err_t code = rd_kafka_event_error(ev);
	int i;

	done = rd_kafka_event_topic_partition_list(ev);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		kafka_error_code(e, code, "cannot commit offsets");
	for (i = 0; done != NULL && i < done->cnt; i++) {
		const rd_kafka_topic_partition_t *t = &done->elems[i];
		kafka_part *p = kafka_source_part(s, t->topic, t->partition, 0);
		char ctx[400];

		if (code == RD_KAFKA_RESP_ERR_NO_ERROR &&
		    t->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			snprintf(ctx, sizeof ctx,
				 "cannot commit offset %lld of topic %s partition %d",
				 (long long)t->offset, t->topic, (int)t->partition);
			kafka_error_code(e, t->err, ctx);
			code = t->err;
		}
		if (p == NULL)
			continue;
		if (t->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
		    rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR)
			p->committed = t->offset;
		else if (p->sent == t->offset)
			p->sent = -1; /* the next cycle sends it again */
	}
	return code;
}

/* A commit answered: transient failures are retried by the next cycle,
 * others are the job's.  SL_OK or SL_ERR. */
static int settle(kafka_source *s, rd_kafka_resp_err_t code, sl_error *e,
		  sl_error *err)
{
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
		if (s->commit_failures > 0)
			sl_log(s->client.stage, SL_LOG_INFO,
			       "offsets committed again after %d failure(s)",
			       s->commit_failures);
		s->commit_failures = 0;
		return SL_OK;
	}
	if (kafka_code_is_transient(code)) {
		transient(s, e);
		return SL_OK;
	}
	*err = *e;
	return SL_ERR;
}

int kafka_source_commits_wait(kafka_source *s, int timeout_ms, sl_error *err)
{
	int64_t deadline = kafka_now_ms() + timeout_ms;
	int rc = SL_OK;

	while (s->commits_in_flight > 0) {
		int64_t left = deadline - kafka_now_ms();
		rd_kafka_event_t *ev = rd_kafka_queue_poll(s->commits,
						left > 0 ? (int)left : 0);
		sl_error e;

		if (ev == NULL) {
			if (left <= 0 && timeout_ms > 0) {
				sl_error_set(&e, SL_ERR_RETRIABLE, "cannot commit "
					     "offsets: no answer from the group "
					     "coordinator within %d s",
					     timeout_ms / 1000);
				transient(s, &e);
			}
			break;
		}
		s->commits_in_flight--;
		if (settle(s, answered(s, ev, &e), &e, err) != SL_OK)
			rc = SL_ERR;
		rd_kafka_event_destroy(ev);
	}
	return rc;
}

/* What a commit on its way carries, so that it is not sent twice. */
static void note_sent(kafka_source *s, const rd_kafka_topic_partition_list_t *list)
{
	int i;

	for (i = 0; i < list->cnt; i++) {
		kafka_part *p = kafka_source_part(s, list->elems[i].topic,
						  list->elems[i].partition, 0);

		if (p != NULL)
			p->sent = list->elems[i].offset;
	}
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
	/* the answers to earlier commits, without waiting */
	if (kafka_source_commits_wait(s, 0, err) != SL_OK) {
		rd_kafka_topic_partition_list_destroy(list);
		return SL_ERR;
	}
	code = list->cnt > 0 ? rd_kafka_commit_queue(s->client.rk, list,
						     s->commits, NULL, NULL) :
		RD_KAFKA_RESP_ERR_NO_ERROR;
	if (list->cnt > 0 && code == RD_KAFKA_RESP_ERR_NO_ERROR) {
		s->commits_in_flight++;
		note_sent(s, list);
	}
	rd_kafka_topic_partition_list_destroy(list);
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
		return SL_OK;
	kafka_error_code(&e, code, "cannot commit offsets");
	return settle(s, code, &e, err);
}
