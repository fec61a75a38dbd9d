/*
 * kafka_source_pattern.c - topic.pattern: the consumer subscribes to the
 * names of the topics the pattern matches, not to the pattern.
 *
 * librdkafka would match a `^...` subscription itself, with a POSIX
 * extended expression; topic.pattern is PCRE2 (kafka_topic_pattern.h),
 * so the source lists the cluster's topics when it opens and, in an
 * unbounded run, again every topic.metadata.refresh.interval.ms (the
 * interval at which librdkafka refreshes its own metadata, and so found
 * new topics for its pattern subscriptions).  When the matches change it
 * subscribes to the new list, and the group rebalances as it does when
 * librdkafka's pattern picks up a topic.  A bounded run (stop = end)
 * reads the topics matched when it opened: its ends are taken then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_source_shared.h"
#include "kafka_topic_pattern.h"

/* How long open waits for the cluster's topic list (stop-aware), and the
 * one request of a later check (on the job's thread, so short). */
#define OPEN_WAIT_MS 30000
#define CHECK_WAIT_MS 1000
/* A check the cluster did not answer is made again this soon at most. */
#define RETRY_MS 5000
/* Topics named in one log line. */
#define LOG_TOPICS 8

int kafka_source_pattern_check(const sl_stage *stage, const char *text,
			       sl_error *err)
{
	kafka_topic_pattern *pattern;
	char why[256];
	size_t at;

	if (*text == '\0')
		return sl_config_error(stage, "topic.pattern", err, "is empty");
	pattern = kafka_topic_pattern_new(text, why, sizeof why, &at);
	if (pattern == NULL && at == KAFKA_PATTERN_NO_OFFSET)
		return sl_error_set(err, SL_ERR_RUNTIME, "topic.pattern: %s", why);
	if (pattern == NULL)
		return sl_config_error(stage, "topic.pattern", err,
				       "'%s' is not a PCRE2 regular expression: "
				       "%s at offset %zu", text, why, at);
	kafka_topic_pattern_free(pattern);
	return SL_OK;
}

/* Whether topic @p t, as metadata listed it, exists to be read: a topic
 * whose leader moves or is being elected (a new one) is still there. */
static int listed(const struct rd_kafka_metadata_topic *t)
{
	return t->err == RD_KAFKA_RESP_ERR_NO_ERROR ||
	       (t->err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
		kafka_code_is_transient(t->err));
}

/* The topics of @p md that the pattern matches, sorted by name. */
static rd_kafka_topic_partition_list_t *matches(kafka_source *s,
						const struct rd_kafka_metadata *md)
{
	rd_kafka_topic_partition_list_t *list =
		rd_kafka_topic_partition_list_new(md->topic_cnt > 0 ? md->topic_cnt : 1);
	int i;

	for (i = 0; i < md->topic_cnt; i++)
		if (listed(&md->topics[i]) &&
		    kafka_topic_pattern_matches(s->pattern, md->topics[i].topic))
			rd_kafka_topic_partition_list_add(list, md->topics[i].topic,
							  RD_KAFKA_PARTITION_UA);
	rd_kafka_topic_partition_list_sort(list, NULL, NULL);
	return list;
}

static int same(const rd_kafka_topic_partition_list_t *a,
		const rd_kafka_topic_partition_list_t *b)
{
	int i;

	if (a->cnt != b->cnt)
		return 0;
	for (i = 0; i < a->cnt; i++)
		if (strcmp(a->elems[i].topic, b->elems[i].topic) != 0)
			return 0;
	return 1;
}

/* ", "-separated names of @p list not in @p other (NULL: all of them),
 * the first LOG_TOPICS; how many there are in all into *@p count. */
static void names(const rd_kafka_topic_partition_list_t *list,
		  const rd_kafka_topic_partition_list_t *other, char *buf,
		  size_t size, int *count)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	*count = 0;
	for (i = 0; i < list->cnt; i++) {
		const char *t = list->elems[i].topic;

		if (other != NULL &&
		    rd_kafka_topic_partition_list_find(other, t, RD_KAFKA_PARTITION_UA))
			continue;
		if (++*count <= LOG_TOPICS && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? ", " : "", t);
	}
	if (*count > LOG_TOPICS && len < size)
		snprintf(buf + len, size - len, ", ...");
}

static void log_change(kafka_source *s, const rd_kafka_topic_partition_list_t *now)
{
	char added[1024], gone[1024];
	int n_added, n_gone;

	if (s->matched == NULL) {
		names(now, NULL, added, sizeof added, &n_added);
		sl_log(s->client.stage, SL_LOG_INFO, "topic.pattern matches %d "
		       "topic(s)%s%s", n_added, n_added ? ": " : "", added);
		return;
	}
	names(now, s->matched, added, sizeof added, &n_added);
	names(s->matched, now, gone, sizeof gone, &n_gone);
	sl_log(s->client.stage, SL_LOG_INFO, "topic.pattern matches %d topic(s) "
	       "now; new: %s; gone: %s; subscribing again (the group rebalances)",
	       now->cnt, n_added ? added : "none", n_gone ? gone : "none");
}

/* Subscribe to @p now (taken) when it differs from what is subscribed. */
static int apply(kafka_source *s, rd_kafka_topic_partition_list_t *now,
		 sl_error *err)
{
	rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;

	if (s->matched != NULL && same(s->matched, now)) {
		rd_kafka_topic_partition_list_destroy(now);
		return SL_OK;
	}
	log_change(s, now);
	/* librdkafka refuses an empty subscription: none is no subscription */
	if (now->cnt > 0)
		code = rd_kafka_subscribe(s->client.rk, now);
	else if (s->matched != NULL && s->matched->cnt > 0)
		code = rd_kafka_unsubscribe(s->client.rk);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_topic_partition_list_destroy(now);
		return kafka_error_code(err, code, "cannot subscribe to the "
					"topics topic.pattern matches");
	}
	if (s->matched != NULL)
		rd_kafka_topic_partition_list_destroy(s->matched);
	s->matched = now;
	return SL_OK;
}

int kafka_source_pattern_open(kafka_source *s, const char *text, sl_error *err)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t code;
	char why[256];
	size_t at;
	int rc;

	if ((s->pattern = kafka_topic_pattern_new(text, why, sizeof why, &at)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "topic.pattern: %s", why);
	/* every topic: asking for missing ones by name could create them */
	code = kafka_metadata_wait(s->client.stage, s->client.rk, NULL,
				   OPEN_WAIT_MS, &md);
	if (code == RD_KAFKA_RESP_ERR__INTR)
		return sl_error_set(err, SL_ERR_RUNTIME, "stopped while waiting "
				    "for the cluster to list the topics "
				    "topic.pattern is matched against");
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		return kafka_error_code(err, code, "cannot list the cluster's "
					"topics to match topic.pattern against");
	s->next_pattern_check = kafka_now_ms() + s->pattern_every_ms;
	rc = apply(s, matches(s, md), err);
	rd_kafka_metadata_destroy(md);
	return rc;
}

int kafka_source_pattern_tick(kafka_source *s, sl_error *err)
{
	const struct rd_kafka_metadata *md = NULL;
	int64_t now = kafka_now_ms();
	rd_kafka_resp_err_t code;
	int rc;

	if (s->pattern == NULL || s->stop_at_end || s->pattern_every_ms <= 0 ||
	    now < s->next_pattern_check)
		return SL_OK;
	s->next_pattern_check = now + s->pattern_every_ms;
	/* one short request, not kafka_metadata_wait: that serves the
	 * consumer's queue, whose rebalances poll serves in its own time */
	code = rd_kafka_metadata(s->client.rk, 1, NULL, &md, CHECK_WAIT_MS);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
		sl_log(s->client.stage, SL_LOG_DEBUG, "topic.pattern: cannot list "
		       "the cluster's topics now: %s", rd_kafka_err2str(code));
		if (s->pattern_every_ms > RETRY_MS)
			s->next_pattern_check = now + RETRY_MS;
		return SL_OK;
	}
	rc = apply(s, matches(s, md), err);
	rd_kafka_metadata_destroy(md);
	return rc;
}

void kafka_source_pattern_close(kafka_source *s)
{
	kafka_topic_pattern_free(s->pattern);
	if (s->matched != NULL)
		rd_kafka_topic_partition_list_destroy(s->matched);
	s->pattern = NULL;
	s->matched = NULL;
}
