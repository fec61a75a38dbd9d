/*
 * kafka_source_bounds.c - a bounded run (stop = end) is the group's, not
 * one consumer's.
 *
 * When the source opens it takes the end of every partition of its input
 * (the last stable offset: what is committed at that moment).  It reads
 * the partitions it is assigned up to those ends, and then it does not
 * stop: other members of the group may hold partitions not read yet, or
 * may die and leave theirs to be handed over, so it stays in the group,
 * idle, until the group's committed offsets have reached the ends on
 * every partition, whoever read them.  Only then does poll say SL_EOF,
 * so a run that exits 0 has processed the whole input.  While it waits
 * it says, every so often, which partitions are missing and which member
 * holds them.
 *
 * A repartition topic's end is not known when the run starts: it is
 * whatever the instances upstream write.  The engine calls end_input
 * once everything upstream has ended; the ends are then the topics' high
 * watermarks (records of transactions still open included: a crashed
 * writer's transaction must be resolved, by its timeout, before what was
 * committed after it is visible), and the run ends the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_source_shared.h"

#define BOUNDS_DEADLINE_MS 30000
/* How often the group's committed offsets are asked for while waiting. */
#define GROUP_CHECK_MS 500
#define COMMITTED_TIMEOUT_MS 10000
/* Waiting is normal for a moment: say so only after this, then this often. */
#define FIRST_WAIT_LOG_MS 5000
#define WAIT_LOG_MS 10000
#define DESCRIBE_TIMEOUT_MS 5000
/* Partitions named in one waiting message. */
#define WAIT_LOG_PARTS 8

/* The subscribed topics that exist, with their partition counts. */
static int input_topics(kafka_source *s, rd_kafka_topic_partition_list_t *all,
			sl_error *err)
{
	rd_kafka_topic_partition_list_t *sub = NULL;
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t code;
	int i, j, k, found;

	if ((code = rd_kafka_subscription(s->client.rk, &sub)) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return kafka_error_code(err, code, "cannot read the subscription");
	/* none: topic.pattern matched nothing */
	if (sub == NULL)
		sub = rd_kafka_topic_partition_list_new(0);
	/* every topic: asking for missing ones by name could create them */
	code = kafka_metadata_wait(s->client.stage, s->client.rk, NULL,
				   BOUNDS_DEADLINE_MS, &md);
	if (code == RD_KAFKA_RESP_ERR__INTR) {
		rd_kafka_topic_partition_list_destroy(sub);
		return sl_error_set(err, SL_ERR_RUNTIME, "stopped while waiting "
				    "for the cluster to list the input");
	}
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_topic_partition_list_destroy(sub);
		return kafka_error_code(err, code, "stop = end: cannot list the "
					"partitions whose ends bound the run");
	}
	for (j = 0; j < sub->cnt; j++) {
		found = 0;
		for (i = 0; i < md->topic_cnt; i++) {
			const struct rd_kafka_metadata_topic *t = &md->topics[i];

			if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR ||
			    !kafka_source_subscribed(sub->elems[j].topic, t->topic))
				continue;
			found = 1;
			kafka_source_note_size(s, t->topic, t->partition_cnt);
			for (k = 0; k < t->partition_cnt; k++)
				if (rd_kafka_topic_partition_list_find(
					    all, t->topic, t->partitions[k].id) == NULL)
					rd_kafka_topic_partition_list_add(
						all, t->topic, t->partitions[k].id)
						->offset = RD_KAFKA_OFFSET_END;
		}
		if (!found) {
			sl_error_set(err, SL_ERR_RUNTIME, "topic %s does not exist "
				     "(stop = end: nothing to wait for)",
				     sub->elems[j].topic);
			rd_kafka_metadata_destroy(md);
			rd_kafka_topic_partition_list_destroy(sub);
			return SL_ERR;
		}
	}
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_partition_list_destroy(sub);
	return SL_OK;
}

int kafka_source_bounds_open(kafka_source *s, sl_error *err)
{
	rd_kafka_topic_partition_list_t *all = rd_kafka_topic_partition_list_new(8);
	int i, rc;

	rc = input_topics(s, all, err);
	if (rc == SL_OK && all->cnt > 0)
		rc = kafka_source_offsets_for_times(s, all, "cannot find the end "
						    "for stop = end", err);
	for (i = 0; rc == SL_OK && i < all->cnt; i++) {
		kafka_part *p = kafka_source_part(s, all->elems[i].topic,
						  all->elems[i].partition, 1);

		if (p == NULL) {
			rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			break;
		}
		p->end = all->elems[i].offset;
	}
	if (rc == SL_OK && all->cnt == 0) {
		sl_log(s->client.stage, SL_LOG_WARN,
		       "topic.pattern matches no topic: nothing to read");
		s->ended = 1;
	} else if (rc == SL_OK) {
		sl_log(s->client.stage, SL_LOG_DEBUG, "stop = end: the run ends once "
		       "the group has read %d partition(s) to their ends now",
		       all->cnt);
	}
	rd_kafka_topic_partition_list_destroy(all);
	return rc;
}

/* ---- who holds what --------------------------------------------------------- */

/* "client-id on host" of the member holding @p topic / @p partition. */
static void holder(const rd_kafka_ConsumerGroupDescription_t *g,
		   const char *topic, int32_t partition, char *buf, size_t size)
{
	size_t i, n = g ? rd_kafka_ConsumerGroupDescription_member_count(g) : 0;

	snprintf(buf, size, "not assigned: the group is rebalancing or waits "
		 "for a member that left");
	for (i = 0; i < n; i++) {
		const rd_kafka_MemberDescription_t *m =
			rd_kafka_ConsumerGroupDescription_member(g, i);
		const rd_kafka_topic_partition_list_t *a =
			rd_kafka_MemberAssignment_partitions(
				rd_kafka_MemberDescription_assignment(m));

		if (a != NULL && rd_kafka_topic_partition_list_find(a, topic,
								    partition)) {
			snprintf(buf, size, "held by %s on %s",
				 rd_kafka_MemberDescription_client_id(m),
				 rd_kafka_MemberDescription_host(m));
			return;
		}
	}
}

/* Say which partitions the group has not committed to their ends yet. */
static void log_waiting(kafka_source *s, const rd_kafka_topic_partition_list_t *q)
{
	char group[256], text[2048], who[300];
	size_t size = sizeof group, len = 0;
	const char *groups[1] = { group };
	rd_kafka_queue_t *rq = rd_kafka_queue_new(s->client.rk);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConsumerGroupDescription_t *g = NULL;
	int i, listed = 0, missing = 0;

	if (rd_kafka_conf_get(rd_kafka_conf(s->client.rk), "group.id", group,
			      &size) == RD_KAFKA_CONF_OK) {
		const rd_kafka_ConsumerGroupDescription_t **gs;
		size_t n = 0;

		rd_kafka_DescribeConsumerGroups(s->client.rk, groups, 1, NULL, rq);
		ev = rd_kafka_queue_poll(rq, DESCRIBE_TIMEOUT_MS);
		if (ev != NULL && rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR &&
		    rd_kafka_event_DescribeConsumerGroups_result(ev) != NULL) {
			gs = rd_kafka_DescribeConsumerGroups_result_groups(
				rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
			g = n > 0 ? gs[0] : NULL;
		}
	}
	text[0] = '\0';
	for (i = 0; i < q->cnt; i++) {
		const rd_kafka_topic_partition_t *t = &q->elems[i];
		kafka_part *p = kafka_source_part(s, t->topic, t->partition, 0);

		if (p == NULL || (t->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
				  t->offset >= p->end))
			continue;
		if (missing++ >= WAIT_LOG_PARTS || len >= sizeof text - 1)
			continue;
		holder(g, t->topic, t->partition, who, sizeof who);
		len += (size_t)snprintf(text + len, sizeof text - len,
					"%s%s[%d] at %lld of %lld (%s)", listed++ ? ", " : "",
					t->topic, (int)t->partition,
					(long long)(t->offset >= 0 ? t->offset : 0),
					(long long)p->end, who);
	}
	if (ev != NULL)
		rd_kafka_event_destroy(ev);
	rd_kafka_queue_destroy(rq);
	if (len >= sizeof text)
		len = sizeof text - 1;
	sl_log(s->client.stage, SL_LOG_INFO, "stop = end: read to the end here; "
	       "waiting for the group to commit %d more partition(s): %s%s",
	       missing, text, missing > listed ? ", ..." : "");
}

/*
 * Everything read and every partition held here: commit it at once,
 * rather than up to a commit interval and a group check later.  Under
 * delivery = none that is librdkafka's auto-commit, made synchronous;
 * otherwise the job's commit cycle (sinks flushed, or the transaction
 * committed), after which this consumer's committed offsets are at the
 * ends.  Poll calls it before it reads more: every record handed out so
 * far has gone through the job.
 */
int kafka_source_commit_ends(kafka_source *s, sl_error *err)
{
	rd_kafka_resp_err_t code;

	if (!kafka_source_ends_to_commit(s))
		return SL_OK;
	s->ends_committed = 1;
	s->next_group_check = 0;
	if (s->delivery != SL_DELIVERY_NONE)
		return sl_commit_now(s->client.stage, err);
	code = rd_kafka_commit(s->client.rk, NULL, 0);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR &&
	    code != RD_KAFKA_RESP_ERR__NO_OFFSET)
		sl_log(s->client.stage, SL_LOG_DEBUG, "stop = end: committing "
		       "what was read: %s", rd_kafka_err2str(code));
	return SL_OK;
}

int kafka_source_group_done(kafka_source *s)
{
	int64_t now = kafka_now_ms();
	rd_kafka_topic_partition_list_t *q;
	rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;

	if (s->ended)
		return 1;
	if (kafka_source_all_held_here(s) && kafka_source_committed_to_ends(s)) {
		s->ended = 1;
		sl_log(s->client.stage, SL_LOG_INFO, "every partition was "
		       "read and committed here to the end it had when "
		       "the run started");
		return 1;
	}
	if (now < s->next_group_check)
		return 0;
	s->next_group_check = now + GROUP_CHECK_MS;
	if (s->next_wait_log == 0)
		s->next_wait_log = now + FIRST_WAIT_LOG_MS;
	q = kafka_source_ends_query(s);
	if (q->cnt > 0)
		code = rd_kafka_committed(s->client.rk, q, COMMITTED_TIMEOUT_MS);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
		sl_log(s->client.stage, SL_LOG_DEBUG, "stop = end: cannot read the "
		       "group's committed offsets yet: %s", rd_kafka_err2str(code));
		rd_kafka_topic_partition_list_destroy(q);
		return 0;
	}
	if (kafka_source_ends_missing(s, q) == 0) {
		s->ended = 1;
		sl_log(s->client.stage, SL_LOG_INFO, "the group has read every "
		       "partition (%d) to the end it had when the run started",
		       q->cnt);
	} else if (now >= s->next_wait_log) {
		s->next_wait_log = now + WAIT_LOG_MS;
		log_waiting(s, q);
	}
	rd_kafka_topic_partition_list_destroy(q);
	return s->ended;
}

/* ---- the end of a repartition topic ---------------------------------------- */

int kafka_source_end_input(void *self, sl_error *err)
{
	kafka_source *s = self;
	const char *topic = sl_stage_storage(s->client.stage);
	int32_t n, i, *numbers;
	int64_t *lo, *hi;
	int rc;

	if (topic == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "end_input: the source "
				    "reads no topic of the engine's");
	n = kafka_source_topic_partitions(s, topic);
	numbers = malloc((size_t)n * sizeof *numbers);
	lo = malloc((size_t)n * sizeof *lo);
	hi = malloc((size_t)n * sizeof *hi);
	if (numbers == NULL || lo == NULL || hi == NULL) {
		rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		numbers[i] = i;
	rc = kafka_watermarks(s->client.stage, topic, numbers, (size_t)n, lo, hi,
			      kafka_now_ms() + BOUNDS_DEADLINE_MS, err);
	for (i = 0; rc == SL_OK && i < n; i++) {
		kafka_part *p = kafka_source_part(s, topic, i, 1);

		if (p == NULL) {
			rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			break;
		}
		p->end = hi[i];
		/* one read to its end already sees no new end event */
		if (p->assigned && p->reached >= p->end)
			kafka_source_part_done(s, p);
	}
	if (rc == SL_OK) {
		s->stop_at_end = 1;
		s->next_group_check = 0;
	}
out:
	free(numbers);
	free(lo);
	free(hi);
	return rc;
}
