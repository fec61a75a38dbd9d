/*
 * kafka_source.c - the Kafka source: options, the consumer, closing.
 *
 * One high-level consumer per source stage, subscribed to `topics` or
 * the topics `topic.pattern` matches (kafka_source_pattern.c) in the
 * group `group.id`.  Offsets are committed by the engine's commit cycle
 * (kafka_source_commit.c), never automatically, except under job
 * delivery `none`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_source_shared.h"

/* Kafka's own limit; longer names are refused by the broker. */
#define TOPIC_NAME_MAX 249

static const kafka_managed source_managed[] = {
	{ "group.id", "use the option group.id" },
	{ "enable.auto.commit", "follows job.delivery: offsets are committed "
	  "once the sinks have the records, automatically only under "
	  "delivery = none" },
	{ "enable.auto.offset.store", "follows job.delivery" },
	{ "enable.partition.eof", "is how the source finds the end of each "
	  "partition (stop = end, offsets past transaction markers)" },
	{ NULL, NULL }
};

static int topic_name_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > TOPIC_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '.' || p[i] == '_' ||
		      p[i] == '-'))
			return 0;
	return 1;
}

/* `topics = a, b`: one subscription entry per name. */
static int add_topics(sl_stage *stage, const char *list,
		      rd_kafka_topic_partition_list_t *sub, sl_error *err)
{
	const char *p = list;
	char name[TOPIC_NAME_MAX + 1];

	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!topic_name_ok(p, n))
			return sl_config_error(stage, "topics", err,
				"'%.*s' is not a topic name (1 to %d of "
				"[A-Za-z0-9._-]; use topic.pattern for a regular "
				"expression)", (int)n, p, TOPIC_NAME_MAX);
		memcpy(name, p, n);
		name[n] = '\0';
		rd_kafka_topic_partition_list_add(sub, name, RD_KAFKA_PARTITION_UA);
		if (end == NULL)
			return SL_OK;
		p = end + 1;
	}
}

/*
 * `topic.pattern`: checked, and standing in @p sub as "^" and its text
 * for what reads the request before the consumer exists (the prefetch
 * budget).  The consumer subscribes to the names it matches
 * (kafka_source_pattern.c), never to this entry.
 */
static int add_pattern(sl_stage *stage, const char *pattern,
		       rd_kafka_topic_partition_list_t *sub, sl_error *err)
{
	size_t n = strlen(pattern);
	char *entry;

	if (kafka_source_pattern_check(stage, pattern, err) != SL_OK)
		return SL_ERR;
	if ((entry = malloc(n + 2)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	snprintf(entry, n + 2, "^%s", pattern);
	rd_kafka_topic_partition_list_add(sub, entry, RD_KAFKA_PARTITION_UA);
	free(entry);
	return SL_OK;
}

static int parse_start(kafka_source *s, sl_stage *stage, sl_error *err)
{
	const char *v = sl_option(stage, "start");
	const char *ts;
	char *end;

	/* a repartition topic is read from the group's offsets, however
	 * the job's own source starts */
	if (v == NULL || strcmp(v, "committed") == 0 || s->role != SL_ROLE_JOB)
		s->start = KAFKA_START_COMMITTED;
	else if (strcmp(v, "earliest") == 0)
		s->start = KAFKA_START_EARLIEST;
	else if (strcmp(v, "latest") == 0)
		s->start = KAFKA_START_LATEST;
	else if (strncmp(v, "timestamp:", 10) == 0) {
		ts = v + 10;
		errno = 0;
		s->start_ts = strtoll(ts, &end, 10);
		if (*ts < '0' || *ts > '9' || *end != '\0' || errno != 0)
			return sl_config_error(stage, "start", err,
				"'%s' is not timestamp:<ms since the epoch>", v);
		s->start = KAFKA_START_TIMESTAMP;
	} else
		return sl_config_error(stage, "start", err,
			"'%s': expected earliest, latest, committed or "
			"timestamp:<ms>", v);
	return SL_OK;
}

static int parse_stop(kafka_source *s, sl_stage *stage, sl_error *err)
{
	const char *v = sl_option(stage, "stop");

	/* a repartition topic ends when the engine says (end_input) */
	if (v == NULL || strcmp(v, "never") == 0 || s->role != SL_ROLE_JOB)
		s->stop_at_end = 0;
	else if (strcmp(v, "end") == 0)
		s->stop_at_end = 1;
	else
		return sl_config_error(stage, "stop", err,
				       "'%s': expected never or end", v);
	return SL_OK;
}

/* Exactly one of topics and topic.pattern; a repartition source reads
 * the engine's topic. */
static int subscription(kafka_source *s, sl_stage *stage,
			rd_kafka_topic_partition_list_t *sub, sl_error *err)
{
	const char *topics = sl_option(stage, "topics");
	const char *pattern = sl_option(stage, "topic.pattern");

	if (s->role != SL_ROLE_JOB)
		return add_topics(stage, sl_stage_storage(stage), sub, err);
	if (topics != NULL && pattern != NULL)
		return sl_config_error(stage, "topic.pattern", err,
				       "give either topics or topic.pattern, not both");
	if (topics == NULL && pattern == NULL)
		return sl_config_error(stage, "topics", err,
				       "give topics (a list) or topic.pattern (a "
				       "regular expression)");
	return topics ? add_topics(stage, topics, sub, err)
		      : add_pattern(stage, pattern, sub, err);
}

/*
 * Cooperative rebalancing moves only the partitions that change owner,
 * but librdkafka before 2.8.0 treats a manual commit that races the
 * group's next generation as losing the whole assignment (librdkafka
 * issue #4059), so records are read twice after every such rebalance.
 * There the eager protocol, which revokes everything (committing first)
 * before rejoining, is the safe default.  Both are handled by the
 * rebalance callback; kafka.partition.assignment.strategy overrides.
 */
static const char *kafka_default_assignor(void)
{
	return rd_kafka_version() >= 0x02080000 ? "cooperative-sticky" : "range";
}

/*
 * Static membership (kafka.group.instance.id): the instance's stable name
 * in the group, from which its sinks' transactional id follows.  A
 * repartition source is a second member of the same group in the same
 * process, so it takes the name with its stage's appended.
 */
static int static_member(kafka_source *s, rd_kafka_conf_t *conf, sl_error *err)
{
	char id[256], own[512];
	size_t size = sizeof id;

	if (rd_kafka_conf_get(conf, "group.instance.id", id, &size) !=
	    RD_KAFKA_CONF_OK || id[0] == '\0')
		return SL_OK;
	if (s->role == SL_ROLE_JOB) {
		kafka_static_member_note(id);
		return SL_OK;
	}
	snprintf(own, sizeof own, "%s-%s", id, sl_stage_name(s->client.stage));
	return kafka_conf_set(s->client.stage, conf, NULL, "group.instance.id",
			      own, err);
}

static rd_kafka_conf_t *consumer_conf(kafka_source *s, sl_stage *stage,
				      sl_error *err)
{
	const char *group = sl_option(stage, "group.id");
	const char *autocommit = s->delivery == SL_DELIVERY_NONE ? "true" : "false";
	char client_id[256], interval[32];
	const char *defaults[] = {
		"client.id", client_id,
		"group.id", group && *group ? group : sl_job_name(stage),
		"isolation.level", "read_committed",
		"partition.assignment.strategy", kafka_default_assignor(),
		/* where `committed` falls back to, and where partitions
		 * handed over later start when the group has no offset */
		"auto.offset.reset", s->start == KAFKA_START_LATEST ? "latest" : "earliest",
		"enable.auto.commit", autocommit,
		"enable.auto.offset.store", autocommit,
		"enable.partition.eof", "true",
		/* Each partition's prefetch (the source reads a queue per
		 * partition, and librdkafka bounds each on its own): what a
		 * partition that runs ahead in event time holds while it
		 * waits.  With librdkafka's 100,000 records and 64 MB a
		 * partition a job with two consumers took hundreds of MB.  A
		 * queue is refilled as it is read down
		 * (kafka_source_prefetch.c), so small bounds cost little
		 * speed; a fetch brings a quarter of librdkafka's 1 MB a
		 * partition, as it may bring that much on top of a queue just
		 * short of its bounds.  librdkafka holds some 600 bytes for
		 * each record besides its bytes, so for small records the
		 * count is the bound that matters. */
		"queued.min.messages", "2000",
		"queued.max.messages.kbytes", "1024",
		"max.partition.fetch.bytes", "262144",
		/* How long the broker may hold a fetch that finds too
		 * little: librdkafka's 500 ms left a job waiting on fetches
		 * with several partitions on one broker (one fetch in flight
		 * per broker, queues refilled only as it returns).  Measured
		 * (plugins/kafka/bench/kafka.sh's job, run alone): a bounded
		 * pass-through of 1 M records on 4 partitions took 2.1-3.0 s
		 * with 500, 1.0-1.2 s with 50 (1.3 with 10), the bare loop
		 * 1.1 s; 300 k records on 2 partitions 0.85-0.9 s against
		 * 0.41; the dense user-behaviour job at-least-once 5.3 s
		 * against 3.5-4.2, at the same CPU.  The price: an idle
		 * consumer asks each broker 20 times a second, not twice. */
		"fetch.wait.max.ms", "50",
		/* A member learns that its group rebalances from a heartbeat
		 * answer.  A job with a repartition topic has two members in
		 * one process, whose second join rebalances the first: with
		 * librdkafka's 3 s this held every start (and every instance
		 * joining or leaving) up to 3 s.  250 ms, four small requests
		 * a second, took the event-time job's first window from
		 * 0.76-1.02 s after the start to 0.48-0.81 s (500 ms: the
		 * second member was assigned 0.5 s after the first, now
		 * 0.31 s). */
		"heartbeat.interval.ms", "250",
		/* delivery = none: offsets committed as often as the job
		 * commits, so a bounded run sees its end committed soon */
		"auto.commit.interval.ms", interval,
		NULL
	};
	rd_kafka_conf_t *conf;

	snprintf(client_id, sizeof client_id, "sluice-%s-%s", sl_job_name(stage),
		 sl_stage_name(stage));
	snprintf(interval, sizeof interval, "%lld", (long long)
		 (SL_HOST_HAS(job_commit_interval_ms) ?
		  sl_job_commit_interval_ms(stage) : 5000));
	conf = kafka_conf_new(&s->client, defaults, source_managed, err);
	if (conf == NULL || static_member(s, conf, err) != SL_OK) {
		if (conf != NULL)
			rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_rebalance_cb(conf, kafka_source_rebalance);
	return conf;
}

static void source_close(void *self)
{
	kafka_source *s = self;

	if (s == NULL)
		return;
	/* The engine made its final commit; the revocation that closing
	 * triggers must not reach back into it. */
	s->closing = 1;
	/* Leaving the group: with the coordinator unreachable librdkafka
	 * waits up to session.timeout.ms, and no destroy flag avoids it. */
	if (s->commits != NULL) {
		sl_error e;

		if (kafka_source_commits_wait(s, COMMIT_TIMEOUT_MS, &e) != SL_OK)
			sl_log(s->client.stage, SL_LOG_WARN, "%s", e.message);
		rd_kafka_queue_destroy(s->commits);
	}
	if (s->client.rk != NULL) {
		rd_kafka_resp_err_t code = rd_kafka_consumer_close(s->client.rk);

		if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
			sl_log(s->client.stage, SL_LOG_WARN,
			       "closing the consumer: %s", rd_kafka_err2str(code));
	}
	/* after closing: an assignment served inside it takes queues too */
	kafka_source_queues_close(s);
	if (s->queue != NULL)
		rd_kafka_queue_destroy(s->queue);
	if (s->client.rk != NULL)
		rd_kafka_destroy(s->client.rk);
	if (s->group != NULL)
		rd_kafka_consumer_group_metadata_destroy(s->group);
	if (s->wake[0] >= 0)
		close(s->wake[0]), close(s->wake[1]);
	kafka_source_pattern_close(s);
	kafka_source_book_free(s);
	free(s);
}

static int source_check(const sl_stage *stage, sl_error *err)
{
	const char *pattern = sl_option(stage, "topic.pattern");

	if (kafka_stage_check(stage, source_managed, err) != SL_OK)
		return SL_ERR;
	return pattern != NULL ? kafka_source_pattern_check(stage, pattern, err)
			       : SL_OK;
}

static int source_open(sl_stage *stage, void **self, sl_error *err)
{
	kafka_source *s = calloc(1, sizeof *s);
	rd_kafka_topic_partition_list_t *sub = NULL;
	const char *pattern = NULL;
	rd_kafka_conf_t *conf;
	rd_kafka_resp_err_t code;
	char why[512];

	if (s == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	s->wake[0] = s->wake[1] = -1;
	s->client.stage = stage;
	s->delivery = sl_job_delivery(stage);
	s->role = SL_HOST_HAS(stage_role) ? sl_stage_role(stage) : SL_ROLE_JOB;
	if (s->role == SL_ROLE_JOB)
		pattern = sl_option(stage, "topic.pattern");
	sub = rd_kafka_topic_partition_list_new(4);
	if (subscription(s, stage, sub, err) != SL_OK ||
	    parse_start(s, stage, err) != SL_OK ||
	    parse_stop(s, stage, err) != SL_OK ||
	    (conf = consumer_conf(s, stage, err)) == NULL)
		goto fail;
	if (kafka_source_budget(stage, sub, conf, err) != SL_OK) {
		rd_kafka_conf_destroy(conf);
		goto fail;
	}
	kafka_source_prefetch_init(s, conf);
	/* topic.pattern's matches are checked as often as librdkafka
	 * refreshes its metadata (-1: never) */
	s->pattern_every_ms = kafka_conf_number(conf,
						"topic.metadata.refresh.interval.ms");
	s->client.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
	if (s->client.rk == NULL) {
		rd_kafka_conf_destroy(conf);
		sl_error_set(err, SL_ERR_RUNTIME, "cannot create a Kafka consumer: %s",
			     why);
		goto fail;
	}
	kafka_conf_route_logs(&s->client);
	/* callbacks and logs are served by poll, in the engine's thread */
	rd_kafka_poll_set_consumer(s->client.rk);
	s->queue = rd_kafka_queue_get_consumer(s->client.rk);
	s->commits = rd_kafka_queue_new(s->client.rk);
	if (kafka_source_queues_open(s, err) != SL_OK)
		goto fail;
	if (pattern != NULL) {
		if (kafka_source_pattern_open(s, pattern, err) != SL_OK)
			goto fail;
	} else if ((code = rd_kafka_subscribe(s->client.rk, sub)) !=
		   RD_KAFKA_RESP_ERR_NO_ERROR) {
		kafka_error_code(err, code, "cannot subscribe");
		goto fail;
	}
	/* a bounded run's ends: taken now, for every partition */
	if (s->stop_at_end && kafka_source_bounds_open(s, err) != SL_OK)
		goto fail;
	rd_kafka_topic_partition_list_destroy(sub);
	*self = s;
	return SL_OK;
fail:
	rd_kafka_topic_partition_list_destroy(sub);
	source_close(s);
	return SL_ERR;
}

/* Designated: the class grows at the end (exactly-once hooks). */
const sl_source_class kafka_source_class = {
	.struct_size = sizeof(sl_source_class),
	.open = source_open,
	.poll = kafka_source_poll,
	.commit = kafka_source_commit,
	.close = source_close,
	.txn_group = kafka_source_txn_group,
	.rewind = kafka_source_rewind,
	.partition_count = kafka_source_partition_count,
	.end_input = kafka_source_end_input,
	.pause_inputs = kafka_source_pause_inputs,
	.resume_inputs = kafka_source_resume_inputs,
	.txn_committed = kafka_source_txn_committed,
	.reports_ends = 1,
	.wakes = 1,
	.check = source_check,
};
