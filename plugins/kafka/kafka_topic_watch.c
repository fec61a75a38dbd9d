/*
 * kafka_topic_watch.c - see kafka_topic_watch.h.
 *
 * librdkafka does not tell: records for a deleted topic wait and time out
 * (message.timeout.ms, five minutes by default) and a transaction that
 * holds them aborts, again after every rewind.  So a failure of that kind,
 * and records waiting at all, are occasions to ask the cluster.
 */
#include <stdlib.h>
#include <string.h>

#include "kafka_topic_watch.h"

/* How long a sink's open waits for the cluster to say whether its topic
 * exists (stop-aware, kafka_metadata_wait); a failure's check; a tick's. */
#define OPEN_WAIT_MS 30000
#define LOST_WAIT_MS 5000
#define TICK_WAIT_MS 500
/* A tick looks this often at most. */
#define TICK_EVERY_MS 3000

static int code_unknown(rd_kafka_resp_err_t code)
{
	return code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	       code == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
	       code == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
	       code == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT ||
	       /* what a partition that vanished still held */
	       code == RD_KAFKA_RESP_ERR__DESTROY;
}

/* @p rkt's partition count from the cluster: >0, 0 when the topic does
 * not exist, or -1 when the cluster did not say. */
static int32_t partitions(kafka_producer *p, sl_stage *stage,
			  rd_kafka_topic_t *rkt, int wait_ms,
			  rd_kafka_resp_err_t *code)
{
	const struct rd_kafka_metadata *md = NULL;
	int32_t n = -1;

	/* by name: allow.auto.create.topics is off, nothing is created */
	*code = kafka_metadata_wait(stage, p->client.rk, rkt, wait_ms, &md);
	if (*code != RD_KAFKA_RESP_ERR_NO_ERROR)
		return -1;
	if (md->topic_cnt == 1) {
		*code = md->topics[0].err;
		if (*code == RD_KAFKA_RESP_ERR_NO_ERROR)
			n = md->topics[0].partition_cnt;
		else if (*code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
			n = 0;
	}
	rd_kafka_metadata_destroy(md);
	return n;
}

static kafka_known_topic *find(kafka_producer *p, const char *topic)
{
	size_t i;

	for (i = 0; i < p->known_count; i++)
		if (strcmp(p->known[i].name, topic) == 0)
			return &p->known[i];
	return NULL;
}

int kafka_topic_watch_open(kafka_producer *p, sl_stage *stage, const char *topic,
			   sl_error *err)
{
	kafka_known_topic *grown, *k;
	rd_kafka_resp_err_t code;
	rd_kafka_topic_t *rkt;
	int32_t n;

	if (find(p, topic) != NULL)
		return SL_OK;
	if ((rkt = rd_kafka_topic_new(p->client.rk, topic, NULL)) == NULL)
		return kafka_error_code(err, rd_kafka_last_error(), "cannot use topic");
	n = partitions(p, stage, rkt, OPEN_WAIT_MS, &code);
	if (n <= 0) {
		rd_kafka_topic_destroy(rkt);
		if (n < 0)
			return kafka_error_code(err, code, "cannot learn whether "
						"the topic exists");
		return sl_error_set(err, SL_ERR_RUNTIME, "topic '%s' does not "
				    "exist: a sink never creates its topic (the "
				    "broker would choose its partitions); create it, "
				    "e.g. kafka-topics.sh --create --topic %s "
				    "--partitions N", topic, topic);
	}
	grown = realloc(p->known, (p->known_count + 1) * sizeof *grown);
	if (grown == NULL) {
		rd_kafka_topic_destroy(rkt);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	p->known = grown;
	k = &grown[p->known_count];
	if ((k->name = strdup(topic)) == NULL) {
		rd_kafka_topic_destroy(rkt);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	k->rkt = rkt;
	k->partitions = n;
	p->known_count++;
	return SL_OK;
}

/* Whether @p k is gone or changed, with the error in p->lost; a check
 * that gets no answer says nothing. */
static int look(kafka_producer *p, kafka_known_topic *k, int wait_ms)
{
	rd_kafka_resp_err_t code;
	int32_t n = partitions(p, p->client.stage, k->rkt, wait_ms, &code);

	if (n < 0 || n == k->partitions)
		return 0;
	if (n == 0)
		sl_error_set(&p->lost, SL_ERR_FATAL, "topic '%s' no longer "
			     "exists (deleted while the job ran); a sink never "
			     "creates its topic: create it again (%d partitions) "
			     "and start the job, which goes on from its last "
			     "commit", k->name, (int)k->partitions);
	else
		sl_error_set(&p->lost, SL_ERR_FATAL, "topic '%s' has %d "
			     "partitions, %d when the job started: it was deleted "
			     "and created again, and keys would no longer go to "
			     "the partitions they went to", k->name, (int)n,
			     (int)k->partitions);
	return 1;
}

int kafka_topic_watch_lost(kafka_producer *p, const char *topic,
			   rd_kafka_resp_err_t code, sl_error *err)
{
	kafka_known_topic *k;

	if (p->lost.kind == SL_ERR_NONE) {
		k = topic != NULL ? find(p, topic) : NULL;
		if (k == NULL || !code_unknown(code) || !look(p, k, LOST_WAIT_MS))
			return 0;
	}
	*err = p->lost;
	return 1;
}

int kafka_topic_watch_tick(kafka_producer *p, sl_error *err)
{
	int64_t now = kafka_now_ms();
	size_t i;

	if (p->lost.kind == SL_ERR_NONE) {
		/* a deletion matters once records wait for the topic */
		if (p->known_count == 0 || p->committing != NULL ||
		    now < p->watch_next_ms ||
		    rd_kafka_outq_len(p->client.rk) == 0)
			return 0;
		p->watch_next_ms = now + TICK_EVERY_MS;
		for (i = 0; i < p->known_count; i++)
			if (look(p, &p->known[i], TICK_WAIT_MS))
				break;
		if (i == p->known_count)
			return 0;
	}
	if (err != NULL)
		*err = p->lost;
	return 1;
}

void kafka_topic_watch_free(kafka_producer *p)
{
	size_t i;

	for (i = 0; i < p->known_count; i++) {
		rd_kafka_topic_destroy(p->known[i].rkt);
		free(p->known[i].name);
	}
	free(p->known);
	p->known = NULL;
	p->known_count = 0;
}
