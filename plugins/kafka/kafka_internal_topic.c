/*
 * kafka_internal_topic.c - the job's own topics: each stateful stage's
 * changelog and each repartition hop's topic, created when missing,
 * checked when present; and dead-letter topics, created when missing.
 *
 * A changelog is compacted: it keeps the latest value of every key, so it
 * holds the whole state however long the job runs.  A repartition topic
 * keeps records until the job has read them, whatever their timestamps
 * (retention.ms = -1: records replayed with old event times would
 * otherwise be deleted before they are read); the job deletes what it
 * has committed itself (kafka_source_hop.c).
 *
 * Its configuration is looked up first (DescribeConfigs), which also says
 * whether it exists, so that nothing touches a missing topic by name
 * before it is created compacted: a metadata request or a topic object
 * for a missing topic can make a broker with auto.create.topics.enable
 * create it, with the broker's defaults (not compacted).  librdkafka 2.0
 * has no DescribeTopics, so the partition count comes from metadata once
 * the topic exists.
 *
 * The calls go through the shared producer's client: no connection of
 * their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_changelog.h"
#include "kafka_sink_pack.h"

/* Per Admin API request; the broker's own default is 60 s. */
#define ADMIN_TIMEOUT_MS 30000
/* A topic just created takes a moment to appear in every broker's
 * metadata. */
#define PROPAGATION_MS 30000
#define PROPAGATION_PAUSE_MS 100

/* What a topic is for, and the settings it gets. */
typedef struct topic_kind {
	const char *what;       /* "changelog topic" */
	const char *policy;     /* cleanup.policy */
	const char *retention;  /* retention.ms, NULL: the broker's default */
} topic_kind;

static const topic_kind changelog = { "changelog topic", "compact", NULL };
static const topic_kind repartition = { "repartition topic", "delete", "-1" };
/* As Kafka Connect does for its dead-letter queue: created when missing,
 * with one partition and the broker's retention. */
static const topic_kind dead_letter = { "dead-letter topic", "delete", NULL };

/* A topic's settings as the broker has them. */
typedef struct topic_config {
	int exists;
	char policy[128];
	char retention[32];
	size_t max_message_bytes; /* 0: not said */
} topic_config;

/* "KIND T: WHY: DETAIL" in @p err; SL_ERR. */
static int fail_on(sl_error *err, sl_error_kind kind, const topic_kind *tk,
		   const char *topic, const char *why, const char *detail)
{
	return sl_error_set(err, kind, "%s %s: %s%s%s", tk->what, topic, why,
			    detail ? ": " : "", detail ? detail : "");
}

/* The result event of the request sent to @p q, or NULL after a timeout. */
static rd_kafka_event_t *wait_result(rd_kafka_queue_t *q, rd_kafka_event_type_t type)
{
	int64_t deadline = kafka_now_ms() + ADMIN_TIMEOUT_MS + 5000;
	int64_t left;

	while ((left = deadline - kafka_now_ms()) > 0) {
		rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)left);

		if (ev == NULL)
			continue;
		if (rd_kafka_event_type(ev) == type)
			return ev;
		rd_kafka_event_destroy(ev);
	}
	return NULL;
}

static rd_kafka_AdminOptions_t *options(rd_kafka_t *rk, rd_kafka_admin_op_t op)
{
	rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
	char why[256];

	if (o != NULL)
		rd_kafka_AdminOptions_set_request_timeout(o, ADMIN_TIMEOUT_MS, why,
							  sizeof why);
	return o;
}

/* The topic's settings into @p c; c->exists = 0 when the broker does
 * not know it. */
static int describe(rd_kafka_t *rk, rd_kafka_queue_t *q, const topic_kind *tk,
		    const char *topic, topic_config *c, sl_error *err)
{
	rd_kafka_ConfigResource_t *res =
		rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
	rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
	const rd_kafka_ConfigResource_t **got;
	const rd_kafka_ConfigEntry_t **entries;
	rd_kafka_event_t *ev;
	rd_kafka_resp_err_t code;
	size_t n, i;
	int rc = SL_OK;

	rd_kafka_DescribeConfigs(rk, &res, 1, o, q);
	rd_kafka_AdminOptions_destroy(o);
	rd_kafka_ConfigResource_destroy(res);
	if ((ev = wait_result(q, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT)) == NULL)
		return fail_on(err, SL_ERR_RETRIABLE, tk, topic, "cannot read its "
			       "configuration", "no answer from the cluster");
	if ((code = rd_kafka_event_error(ev)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rc = fail_on(err, kafka_code_is_transient(code) ? SL_ERR_RETRIABLE :
			     SL_ERR_RUNTIME, tk, topic, "cannot read its configuration",
			     rd_kafka_event_error_string(ev));
		goto out;
	}
	got = rd_kafka_DescribeConfigs_result_resources(
		rd_kafka_event_DescribeConfigs_result(ev), &n);
	c->exists = 1;
	c->policy[0] = c->retention[0] = '\0';
	c->max_message_bytes = 0;
	if (n < 1 || (code = rd_kafka_ConfigResource_error(got[0])) ==
	    RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
		c->exists = 0;
		goto out;
	}
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rc = fail_on(err, SL_ERR_RUNTIME, tk, topic,
			     "cannot read its configuration",
			     rd_kafka_ConfigResource_error_string(got[0]) ?
			     rd_kafka_ConfigResource_error_string(got[0]) :
			     rd_kafka_err2str(code));
		goto out;
	}
	entries = rd_kafka_ConfigResource_configs(got[0], &n);
	for (i = 0; i < n; i++) {
		const char *name = rd_kafka_ConfigEntry_name(entries[i]);
		const char *value = rd_kafka_ConfigEntry_value(entries[i]);

		if (value == NULL)
			continue;
		if (strcmp(name, "cleanup.policy") == 0)
			snprintf(c->policy, sizeof c->policy, "%s", value);
		else if (strcmp(name, "retention.ms") == 0)
			snprintf(c->retention, sizeof c->retention, "%s", value);
		else if (strcmp(name, "max.message.bytes") == 0 &&
			 strtoll(value, NULL, 10) > 0)
			c->max_message_bytes = (size_t)strtoll(value, NULL, 10);
	}
out:
	rd_kafka_event_destroy(ev);
	return rc;
}

/* One CreateTopics attempt: the topic's own error code, or the request's. */
static rd_kafka_resp_err_t create_once(rd_kafka_t *rk, rd_kafka_queue_t *q,
				       const topic_kind *tk, const char *topic,
				       int32_t partitions, int replication,
				       char *why, size_t size)
{
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions,
							replication, why, size);
	rd_kafka_AdminOptions_t *o;
	const rd_kafka_topic_result_t **res;
	rd_kafka_event_t *ev;
	rd_kafka_resp_err_t code;
	size_t n;

	if (nt == NULL)
		return RD_KAFKA_RESP_ERR__INVALID_ARG;
	rd_kafka_NewTopic_set_config(nt, "cleanup.policy", tk->policy);
	if (tk->retention != NULL)
		rd_kafka_NewTopic_set_config(nt, "retention.ms", tk->retention);
	o = options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
	rd_kafka_AdminOptions_set_operation_timeout(o, ADMIN_TIMEOUT_MS, why, size);
	rd_kafka_CreateTopics(rk, &nt, 1, o, q);
	rd_kafka_AdminOptions_destroy(o);
	rd_kafka_NewTopic_destroy(nt);
	if ((ev = wait_result(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT)) == NULL) {
		snprintf(why, size, "no answer from the cluster");
		return RD_KAFKA_RESP_ERR__TIMED_OUT;
	}
	if ((code = rd_kafka_event_error(ev)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		snprintf(why, size, "%s", rd_kafka_event_error_string(ev));
	} else {
		res = rd_kafka_CreateTopics_result_topics(
			rd_kafka_event_CreateTopics_result(ev), &n);
		code = n ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
		snprintf(why, size, "%s", n && rd_kafka_topic_result_error_string(res[0]) ?
			 rd_kafka_topic_result_error_string(res[0]) :
			 rd_kafka_err2str(code));
	}
	rd_kafka_event_destroy(ev);
	return code;
}

static int create(kafka_sink *k, rd_kafka_queue_t *q, const topic_kind *tk,
		  const char *topic, int32_t partitions, sl_error *err)
{
	rd_kafka_t *rk = k->p->client.rk;
	char why[512];
	rd_kafka_resp_err_t code;

	/* -1: the cluster's default.replication.factor (brokers >= 2.4) */
	code = create_once(rk, q, tk, topic, partitions, -1, why, sizeof why);
	if (code == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR ||
	    code == RD_KAFKA_RESP_ERR_INVALID_REQUEST ||
	    code == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION) {
		sl_log(k->stage, SL_LOG_WARN, "%s %s: the cluster's default "
		       "replication factor is refused (%s); creating it with "
		       "replication factor 1, so it has no copy on another broker",
		       tk->what, topic, why);
		code = create_once(rk, q, tk, topic, partitions, 1, why, sizeof why);
	}
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
		sl_log(k->stage, SL_LOG_INFO, "created %s %s (%d partition(s), "
		       "cleanup.policy=%s%s%s)", tk->what, topic, (int)partitions,
		       tk->policy, tk->retention ? ", retention.ms=" : "",
		       tk->retention ? tk->retention : "");
		return SL_OK;
	}
	/* another instance of the job was quicker: check its topic */
	if (code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
		return SL_OK;
	if (code == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
	    code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED)
		return sl_error_set(err, SL_ERR_CONFIG, "%s %s: cannot create it: "
			"%s. Create it yourself with %d partition(s) and "
			"cleanup.policy=%s%s%s, or let the job's principal create "
			"topics", tk->what, topic, why, (int)partitions, tk->policy,
			tk->retention ? " and retention.ms=" : "",
			tk->retention ? tk->retention : "");
	return sl_error_set(err, kafka_code_is_transient(code) ? SL_ERR_RETRIABLE :
			    SL_ERR_RUNTIME, "%s %s: cannot create it: %s",
			    tk->what, topic, why);
}

/*
 * The topic's partition count from metadata, waiting until the topic is
 * there (just created, it may not be yet).
 */
static int partition_count(kafka_sink *k, const topic_kind *tk, const char *topic,
			   int32_t *count, sl_error *err)
{
	rd_kafka_t *rk = k->p->client.rk;
	int64_t deadline = kafka_now_ms() + PROPAGATION_MS;
	rd_kafka_topic_t *rkt = kafka_changelog_topic(k, topic, err);
	rd_kafka_resp_err_t code;

	if (rkt == NULL)
		return SL_ERR;
	for (;;) {
		const struct rd_kafka_metadata *md = NULL;

		code = rd_kafka_metadata(rk, 0, rkt, &md, ADMIN_TIMEOUT_MS);
		if (code == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1)
			code = md->topics[0].err;
		if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
			*count = md->topics[0].partition_cnt;
		if (md != NULL)
			rd_kafka_metadata_destroy(md);
		if (code == RD_KAFKA_RESP_ERR_NO_ERROR && *count > 0)
			return SL_OK;
		if (kafka_now_ms() >= deadline)
			break;
		rd_kafka_poll(rk, PROPAGATION_PAUSE_MS);
	}
	return fail_on(err, SL_ERR_RETRIABLE, tk, topic, "cannot learn its partitions",
		       rd_kafka_err2str(code));
}

/* Whether a cleanup.policy list ("compact,delete") holds @p word. */
static int has_policy(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(list, word); p != NULL; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
	return 0;
}

static int check_changelog(kafka_sink *k, const char *topic, const char *policy,
			   int32_t want, int32_t have, sl_error *err)
{
	if (!has_policy(policy, "compact"))
		return sl_error_set(err, SL_ERR_CONFIG, "changelog topic %s has "
			"cleanup.policy=%s, so old changes of state are deleted "
			"instead of kept per key and a restore would miss them: set "
			"cleanup.policy=compact (kafka-configs.sh --alter "
			"--entity-type topics --entity-name %s --add-config "
			"cleanup.policy=compact), or delete the topic to start the "
			"job's state over", topic, policy[0] ? policy : "(unknown)",
			topic);
	if (have != want)
		return sl_error_set(err, SL_ERR_CONFIG, "changelog topic %s has %d "
			"partition(s) but the job's input has %d: keyed state is "
			"partitioned like the input, so they must match. Delete the "
			"topic (the job's state starts over) or give the input %d "
			"partition(s) again; adding partitions to the changelog would "
			"put the state it holds in the wrong ones",
			topic, (int)have, (int)want, (int)have);
	if (has_policy(policy, "delete"))
		sl_log(k->stage, SL_LOG_WARN, "changelog topic %s has cleanup.policy="
		       "%s: state not changed within retention.ms is deleted and "
		       "will be missing after a restore; cleanup.policy=compact "
		       "keeps it", topic, policy);
	return SL_OK;
}

static int check_repartition(kafka_sink *k, const char *topic,
			     const topic_config *c, int32_t want, int32_t have,
			     sl_error *err)
{
	if (have != want)
		return sl_error_set(err, SL_ERR_CONFIG, "repartition topic %s has %d "
			"partition(s) but the job wants %d (repartition.partitions, "
			"else as many as its input): the keys would reach the wrong "
			"instances' state. Stop every instance, let them finish "
			"what the topic holds or accept to lose it, delete the "
			"topic, and start again; or set repartition.partitions = %d",
			topic, (int)have, (int)want, (int)have);
	if (has_policy(c->policy, "compact"))
		return sl_error_set(err, SL_ERR_CONFIG, "repartition topic %s has "
			"cleanup.policy=%s: compaction would drop records of the "
			"same key before they are read. Set cleanup.policy=delete "
			"and retention.ms=-1", topic, c->policy);
	if (strcmp(c->retention, "-1") != 0)
		sl_log(k->stage, SL_LOG_WARN, "repartition topic %s has "
		       "retention.ms=%s: records older than that are deleted "
		       "even when the job has not read them yet (old event times "
		       "replayed, a job stopped for long); retention.ms=-1 keeps "
		       "them until the job deletes what it has read", topic,
		       c->retention[0] ? c->retention : "(unknown)");
	return SL_OK;
}

static int prepare(kafka_sink *k, const topic_kind *tk, const char *topic,
		   int32_t partitions, sl_error *err)
{
	rd_kafka_queue_t *q = rd_kafka_queue_new(k->p->client.rk);
	topic_config c;
	int32_t have = 0;
	int rc;

	rc = describe(k->p->client.rk, q, tk, topic, &c, err);
	if (rc == SL_OK && !c.exists) {
		rc = create(k, q, tk, topic, partitions, err);
		/* what the broker made of it, defaults included */
		if (rc == SL_OK)
			rc = describe(k->p->client.rk, q, tk, topic, &c, err);
		/* a brand-new topic may not be described yet: it is ours */
		if (rc == SL_OK && !c.exists) {
			snprintf(c.policy, sizeof c.policy, "%s", tk->policy);
			snprintf(c.retention, sizeof c.retention, "%s",
				 tk->retention ? tk->retention : "");
		}
	}
	rd_kafka_queue_destroy(q);
	if (rc == SL_OK)
		rc = partition_count(k, tk, topic, &have, err);
	if (rc != SL_OK)
		return SL_ERR;
	return tk == &changelog ? check_changelog(k, topic, c.policy, partitions,
						  have, err)
				: check_repartition(k, topic, &c, partitions, have, err);
}

int kafka_dead_letter_topic_prepare(kafka_sink *k, const char *topic,
				    size_t *max_message_bytes, sl_error *err)
{
	rd_kafka_queue_t *q = rd_kafka_queue_new(k->p->client.rk);
	topic_config c;
	int32_t have = 0;
	int rc;

	rc = describe(k->p->client.rk, q, &dead_letter, topic, &c, err);
	/* created: what the broker gave it, defaults included */
	if (rc == SL_OK && !c.exists &&
	    (rc = create(k, q, &dead_letter, topic, 1, err)) == SL_OK)
		rc = describe(k->p->client.rk, q, &dead_letter, topic, &c, err);
	rd_kafka_queue_destroy(q);
	*max_message_bytes = rc == SL_OK ? c.max_message_bytes : 0;
	if (rc == SL_OK)
		rc = partition_count(k, &dead_letter, topic, &have, err);
	return rc;
}

int kafka_changelog_prepare(void *self, const char *topic, int32_t partitions,
			    sl_error *err)
{
	return prepare(self, &changelog, topic, partitions, err);
}

int kafka_repartition_prepare(void *self, int32_t partitions, sl_error *err)
{
	kafka_sink *k = self;
	const char *topic = sl_stage_storage(k->stage);

	if (prepare(k, &repartition, topic, partitions, err) != SL_OK)
		return SL_ERR;
	/* only now: a producer's topic object for a missing topic can make
	 * the broker create it with its defaults */
	k->rkt = rd_kafka_topic_new(k->p->client.rk, topic, k->tc);
	k->tc = NULL; /* taken, also when it fails */
	if (k->rkt == NULL)
		return kafka_error_code(err, rd_kafka_last_error(),
					"cannot use the repartition topic");
	return kafka_sink_packs_open(k, partitions, err);
}
