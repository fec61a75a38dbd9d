/*
 * kafka_source_rebalance.c - partitions coming and going.
 *
 * Called by librdkafka inside poll.  On assignment: where each partition
 * starts (the `start` option applies to the process's first assignment,
 * as Flink's OffsetsInitializer does at job start; partitions handed over
 * later resume from the group's committed offset) and, for stop = end,
 * where it ends.  On revocation: everything handed out so far is
 * committed first, through the engine, so that the next owner starts
 * exactly after it; then the engine forgets the partitions' positions, so
 * that no later commit can move another owner's offset.  Lost partitions
 * (the session expired, another consumer may already own them) are not
 * committed at all.
 */
#include <stdio.h>
#include <string.h>

#include "kafka_source_shared.h"

/* Offset look-ups block the poll; a broker that does not answer in this
 * time is not going to. */
#define QUERY_TIMEOUT_MS 30000

/*
 * The group's rebalance protocol.  Inside rd_kafka_consumer_close(),
 * asking librdkafka 2.0 for it waits on the main thread, which waits on
 * the close: a deadlock when a join finishes during close (a job that
 * failed before its first poll).  There the configured assignor answers.
 */
static int is_cooperative(const kafka_source *s, rd_kafka_t *rk)
{
	const char *protocol;
	char assignor[256];
	size_t size = sizeof assignor;

	if (s->closing)
		return rd_kafka_conf_get(rd_kafka_conf(rk),
					 "partition.assignment.strategy", assignor,
					 &size) == RD_KAFKA_CONF_OK &&
		       strstr(assignor, "cooperative") != NULL;
	/* NULL outside a group generation */
	protocol = rd_kafka_rebalance_protocol(rk);
	return protocol != NULL && strcmp(protocol, "COOPERATIVE") == 0;
}

static const char *start_name(const kafka_source *s)
{
	static const char *const names[] = { "committed", "earliest", "latest",
					     "timestamp" };
	return names[s->start];
}

int kafka_source_offsets_for_times(kafka_source *s,
				   rd_kafka_topic_partition_list_t *q,
				   const char *what, sl_error *err)
{
	rd_kafka_resp_err_t code;
	int i;

	if (q->cnt == 0)
		return SL_OK;
	code = rd_kafka_offsets_for_times(s->client.rk, q, QUERY_TIMEOUT_MS);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		return kafka_error_code(err, code, what);
	for (i = 0; i < q->cnt; i++) {
		char ctx[400];

		if (q->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
			continue;
		snprintf(ctx, sizeof ctx, "%s of topic %s partition %d", what,
			 q->elems[i].topic, (int)q->elems[i].partition);
		return kafka_error_code(err, q->elems[i].err, ctx);
	}
	return SL_OK;
}

/* Set the offset each of @p parts starts at (kafka_source_start_at),
 * looking it up by time where `start` asks for that. */
/*
 * Exactly-once into a sink that keeps the positions with its writes (a
 * database): each partition starts where the sink says, whatever the
 * group's offsets, which only follow the sink's for monitoring.
 */
static int stored_starts(kafka_source *s, rd_kafka_topic_partition_list_t *parts,
			 sl_error *err)
{
	int64_t at;
	int i, found;

	if (!SL_HOST_HAS(stored_position) || s->delivery != SL_DELIVERY_EXACTLY_ONCE)
		return SL_OK;
	for (i = 0; i < parts->cnt; i++) {
		found = sl_stored_position(s->client.stage, parts->elems[i].topic,
					   parts->elems[i].partition, &at, err);
		if (found < 0)
			return SL_ERR;
		if (found) {
			parts->elems[i].offset = at;
			s->stored_starts++;
		}
	}
	return SL_OK;
}

static int set_starts(kafka_source *s, rd_kafka_topic_partition_list_t *parts,
		      sl_error *err)
{
	rd_kafka_topic_partition_list_t *q;
	int64_t at;
	int i, rc;

	if (!kafka_source_start_at(s, &at)) {
		for (i = 0; i < parts->cnt; i++)
			parts->elems[i].offset = at;
		return stored_starts(s, parts, err);
	}
	if (parts->cnt == 0)
		return SL_OK;
	q = rd_kafka_topic_partition_list_copy(parts);
	for (i = 0; i < q->cnt; i++)
		q->elems[i].offset = at;
	rc = kafka_source_offsets_for_times(s, q, "cannot find where to start", err);
	for (i = 0; rc == SL_OK && i < q->cnt; i++)
		parts->elems[i].offset = kafka_source_start_found(q->elems[i].offset);
	rd_kafka_topic_partition_list_destroy(q);
	return rc == SL_OK ? stored_starts(s, parts, err) : rc;
}

/*
 * stop = end: the end of each partition new to this process.  A query
 * for the latest time returns the log end, or under read_committed the
 * last stable offset, as the Java consumer's endOffsets() does.
 */
static int query_ends(kafka_source *s, rd_kafka_topic_partition_list_t *parts,
		      sl_error *err)
{
	rd_kafka_topic_partition_list_t *q = kafka_source_unknown_ends(s, parts);
	int i, rc;

	rc = kafka_source_offsets_for_times(s, q, "cannot find the end for stop = end", err);
	for (i = 0; rc == SL_OK && i < q->cnt; i++) {
		kafka_part *p = kafka_source_part(s, q->elems[i].topic,
						  q->elems[i].partition, 0);
		p->end = q->elems[i].offset;
		sl_log(s->client.stage, SL_LOG_DEBUG,
		       "topic %s partition %d: stops before offset %lld",
		       p->topic, (int)p->partition, (long long)p->end);
	}
	rd_kafka_topic_partition_list_destroy(q);
	return rc;
}

/* "t[0] t[1] ..." for the log, cut short for large assignments. */
static void describe(const rd_kafka_topic_partition_list_t *parts, char *buf,
		     size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < parts->cnt && n + 1 < size; i++) {
		int w = snprintf(buf + n, size - n, "%s%s[%d]", i ? " " : "",
				 parts->elems[i].topic, (int)parts->elems[i].partition);
		if (w < 0 || (size_t)w >= size - n) {
			if (size > 4)
				memcpy(buf + size - 4, "...", 4);
			return;
		}
		n += (size_t)w;
	}
}

static void assign(kafka_source *s, rd_kafka_t *rk,
		   rd_kafka_topic_partition_list_t *parts)
{
	rd_kafka_topic_partition_list_t *finished = rd_kafka_topic_partition_list_new(0);
	sl_error e;
	char list[400];
	int i, rc = SL_OK, first = !s->assigned_once;

	for (i = 0; i < parts->cnt && rc == SL_OK; i++) {
		kafka_part *p = kafka_source_part(s, parts->elems[i].topic,
						  parts->elems[i].partition, 1);
		if (p == NULL) {
			rc = sl_error_set(&e, SL_ERR_RUNTIME, "out of memory");
			break;
		}
		if (!kafka_source_queue_take(s, p)) {
			rc = sl_error_set(&e, SL_ERR_RUNTIME, "topic %s partition %d: "
					  "librdkafka gave no queue for it",
					  p->topic, (int)p->partition);
			break;
		}
		if (kafka_source_part_assigned(s, p))
			rd_kafka_topic_partition_list_add(finished, p->topic, p->partition);
	}
	if (rc == SL_OK)
		rc = set_starts(s, parts, &e);
	/* where an exactly-once rewind goes when nothing was committed */
	for (i = 0; first && rc == SL_OK && i < parts->cnt; i++)
		kafka_source_part(s, parts->elems[i].topic, parts->elems[i].partition,
				  0)->start = parts->elems[i].offset;
	if (rc == SL_OK && s->stop_at_end)
		rc = query_ends(s, parts, &e);
	if (rc != SL_OK)
		kafka_source_fail(s, &e); /* assigned all the same: the group
					   * protocol must go on until close */
	else
		kafka_source_state_assigned(s, parts); /* before any record */
	if (is_cooperative(s, rk)) {
		rd_kafka_error_t *error = rd_kafka_incremental_assign(rk, parts);

		if (error != NULL) {
			kafka_error_take(&e, error, "cannot take the assigned partitions");
			kafka_source_fail(s, &e);
		}
	} else {
		rd_kafka_resp_err_t code = rd_kafka_assign(rk, parts);

		if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
			kafka_error_code(&e, code, "cannot take the assigned partitions");
			kafka_source_fail(s, &e);
		}
	}
	/* finishing paused them, which would outlive the assignment */
	if (finished->cnt > 0)
		rd_kafka_resume_partitions(rk, finished);
	rd_kafka_topic_partition_list_destroy(finished);
	s->assigned_once = 1;
	s->rejoining = 0;
	describe(parts, list, sizeof list);
	sl_log(s->client.stage, SL_LOG_INFO, "assigned %d partition(s)%s%s, starting at %s",
	       parts->cnt, parts->cnt ? ": " : "", list,
	       s->stored_starts ? "the positions the job's sink keeps" :
	       first ? start_name(s) : "the group's committed offsets");
	s->stored_starts = 0;
}

/* The batch poll is filling loses the records of partitions given up. */
static void drop_in_flight(kafka_source *s, const rd_kafka_topic_partition_list_t *parts)
{
	uint32_t dropped = kafka_source_drop_revoked(s, parts);

	if (dropped > 0)
		sl_log(s->client.stage, SL_LOG_DEBUG,
		       "%u record(s) of given-up partitions dropped before "
		       "processing", dropped);
}

static void revoke(kafka_source *s, rd_kafka_t *rk,
		   rd_kafka_topic_partition_list_t *parts)
{
	int lost = rd_kafka_assignment_lost(rk);
	sl_stage *stage = s->client.stage;
	char list[400];
	sl_error e;
	int i;

	/* Lost under exactly-once: forgetting their uncommitted positions
	 * (below) dooms the open transaction, which the engine aborts and
	 * rewinds at its next cycle. */
	if (!lost && !s->closing && s->delivery != SL_DELIVERY_NONE &&
	    (sl_commit_now(stage, &e) != SL_OK ||
	     kafka_source_commits_wait(s, COMMIT_TIMEOUT_MS, &e) != SL_OK)) {
		sl_error ctx;

		sl_error_set(&ctx, e.kind, "committing before giving up %d "
			     "partition(s): %s", parts->cnt, e.message);
		kafka_source_fail(s, &ctx);
	}
	drop_in_flight(s, parts);
	kafka_source_parts_revoked(s, parts);
	for (i = 0; i < parts->cnt && !s->closing; i++)
		sl_forget_position(stage, parts->elems[i].topic,
				   parts->elems[i].partition);
	kafka_source_state_revoked(s, parts);
	if (is_cooperative(s, rk)) {
		rd_kafka_error_t *error = rd_kafka_incremental_unassign(rk, parts);

		if (error != NULL) {
			kafka_error_take(&e, error, "cannot give up partitions");
			kafka_source_fail(s, &e);
		}
	} else {
		rd_kafka_assign(rk, NULL);
		s->rejoining = !s->closing;
	}
	describe(parts, list, sizeof list);
	sl_log(stage, lost ? SL_LOG_WARN : s->closing ? SL_LOG_DEBUG : SL_LOG_INFO,
	       "%s %d partition(s): %s%s",
	       lost ? "lost" : "gave up", parts->cnt, list,
	       lost ? " (not committed: another consumer may own them already; "
		      "records since the last commit will be read again)" : "");
}

void kafka_source_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t code,
			    rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	kafka_source *s = opaque;
	size_t i;

	s->next_report = 0; /* the metrics show the new assignment at once */
	if (code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		sl_metric_add(s->client.stage, "rebalances", 1);
		assign(s, rk, parts);
	} else if (code == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
		revoke(s, rk, parts);
	} else {
		/* librdkafka's contract: clear the assignment to resync */
		sl_log(s->client.stage, SL_LOG_WARN, "rebalance failed: %s",
		       rd_kafka_err2str(code));
		if (s->batch != NULL)
			s->batch->count = s->batch_start; /* nothing is ours */
		kafka_source_state_revoked(s, NULL);
		for (i = 0; i < s->part_count; i++) {
			if (s->parts[i].assigned && !s->closing)
				sl_forget_position(s->client.stage, s->parts[i].topic,
						   s->parts[i].partition);
			s->parts[i].assigned = 0;
		}
		rd_kafka_assign(rk, NULL);
		s->rejoining = !s->closing;
	}
}
