/*
 * kafka_sink.c - the Kafka sink: options, its topic, the class.
 *
 * The sink writes through the producer its job's kafka sinks share
 * (kafka_producer.h).  What is per sink lives on its topic object: acks, the
 * partitioner and the per-topic `kafka.*` properties.  Delivery follows
 * job.delivery: none is fire and forget with acks=1; at-least-once uses
 * the idempotent producer and a flush that fails if any record failed;
 * exactly-once the transactional producer.
 */
#include <stdlib.h>
#include <string.h>

#include "kafka_changelog.h"
#include "kafka_producer.h"
#include "kafka_sink.h"
#include "kafka_sink_pack.h"
#include "kafka_txn.h"
#include "kafka_txn_async.h"

typedef struct topic_ctx {
	sl_stage *stage;
	rd_kafka_topic_conf_t *tc;
	int delivery;
	sl_error *err;
} topic_ctx;

static int is_acks(const char *name)
{
	return strcmp(name, "acks") == 0 || strcmp(name, "request.required.acks") == 0;
}

/* A per-topic `kafka.*` option onto the sink's topic configuration. */
static int topic_option(void *arg, const char *key, const char *value)
{
	topic_ctx *c = arg;
	const char *name = key + strlen("kafka.");
	char why[512];

	if (!kafka_producer_topic_property(name))
		return 0;
	/* the idempotent producer cannot keep its promise with fewer acks */
	if (c->delivery != SL_DELIVERY_NONE && is_acks(name) &&
	    strcmp(value, "all") != 0 && strcmp(value, "-1") != 0)
		return sl_config_error(c->stage, key, c->err,
			"must be all under delivery = %s (the idempotent producer "
			"needs every in-sync replica's ack); remove it or use "
			"delivery = none", c->delivery == SL_DELIVERY_EXACTLY_ONCE ?
			"exactly-once" : "at-least-once");
	if (rd_kafka_topic_conf_set(c->tc, name, value, why, sizeof why) !=
	    RD_KAFKA_CONF_OK)
		return sl_config_error(c->stage, key, c->err, "%s", why);
	return 0;
}

static rd_kafka_topic_conf_t *topic_conf(sl_stage *stage, int role,
					 sl_error *err)
{
	topic_ctx c = { stage, rd_kafka_topic_conf_new(), sl_job_delivery(stage), err };
	/* a repartition topic is partitioned by key as Kafka's producers do */
	const char *partitioner = role == SL_ROLE_REPARTITION_SINK ?
		"murmur2_random" : sl_option(stage, "partitioner");
	char why[512];

	if (c.tc == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	if (rd_kafka_topic_conf_set(c.tc, "acks", c.delivery == SL_DELIVERY_NONE ?
				    "1" : "all", why, sizeof why) != RD_KAFKA_CONF_OK) {
		sl_error_set(err, SL_ERR_RUNTIME, "librdkafka refuses acks: %s", why);
		goto fail;
	}
	if (partitioner != NULL &&
	    rd_kafka_topic_conf_set(c.tc, "partitioner", partitioner, why,
				    sizeof why) != RD_KAFKA_CONF_OK) {
		sl_config_error(stage, "partitioner", err, "%s", why);
		goto fail;
	}
	if (sl_option_each(stage, "kafka.", topic_option, &c) != 0)
		goto fail;
	return c.tc;
fail:
	rd_kafka_topic_conf_destroy(c.tc);
	return NULL;
}

static void sink_close(void *self)
{
	kafka_sink *k = self;

	if (k == NULL)
		return;
	if (k->rkt != NULL)
		rd_kafka_topic_destroy(k->rkt);
	kafka_sink_routes_close(k);
	if (k->tc != NULL)
		rd_kafka_topic_conf_destroy(k->tc);
	kafka_changelog_close(k);
	kafka_sink_dead_letter_close(k);
	kafka_sink_packs_close(k);
	kafka_producer_put(k->p);
	free(k);
}

static int sink_check(const sl_stage *stage, sl_error *err)
{
	int role = SL_HOST_HAS(stage_role) ? sl_stage_role(stage) : SL_ROLE_JOB;
	int fixed = sl_option(stage, "topic") != NULL;

	if (role == SL_ROLE_JOB && fixed == (sl_option(stage, "topic.expr") != NULL))
		return sl_config_error(stage, fixed ? "topic.expr" : "topic", err,
				       fixed ? "and topic both name the topic: "
				       "keep one" : "is required (or topic.expr, "
				       "the topic computed per record)");
	return kafka_stage_check(stage, kafka_producer_managed(sl_job_delivery(stage)),
				 err);
}

static int sink_open(sl_stage *stage, void **self, sl_error *err)
{
	kafka_sink *k = calloc(1, sizeof *k);
	int role = SL_HOST_HAS(stage_role) ? sl_stage_role(stage) : SL_ROLE_JOB;
	const char *topic = role == SL_ROLE_JOB ? sl_option(stage, "topic") :
		sl_stage_storage(stage);
	rd_kafka_topic_conf_t *tc;

	if (k == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	k->stage = stage;
	k->name = sl_stage_name(stage);
	if (role == SL_ROLE_JOB && topic == NULL &&
	    sl_option(stage, "topic.expr") != NULL)
		topic = ""; /* each record's (kafka_sink_route.c) */
	else if (topic == NULL || *topic == '\0') {
		sl_config_error(stage, "topic", err, "names no topic");
		goto fail;
	}
	if ((tc = topic_conf(stage, role, err)) == NULL)
		goto fail;
	/* delivery failures name the sink (kafka_delivery.c) */
	rd_kafka_topic_conf_set_opaque(tc, (void *)k->name);
	if ((k->p = kafka_producer_get(stage, err)) == NULL) {
		rd_kafka_topic_conf_destroy(tc);
		goto fail;
	}
	if (kafka_sink_routes_open(k, err) != SL_OK) {
		rd_kafka_topic_conf_destroy(tc);
		goto fail;
	}
	/* the engine prepares a repartition topic before anything uses it;
	 * a computed topic is made per record, from the same settings */
	if (role == SL_ROLE_REPARTITION_SINK || kafka_sink_routed(k)) {
		k->topic_known = 1;
		k->tc = tc;
		*self = k;
		return SL_OK;
	}
	/* takes tc, also when it fails */
	k->rkt = rd_kafka_topic_new(k->p->client.rk, topic, tc);
	if (k->rkt == NULL) {
		kafka_error_code(err, rd_kafka_last_error(), "cannot use topic");
		goto fail;
	}
	*self = k;
	return SL_OK;
fail:
	sink_close(k);
	return SL_ERR;
}

static int sink_txn_begin(void *self, sl_error *err)
{
	if (kafka_sink_topic_known(self, err) != SL_OK)
		return SL_ERR;
	return kafka_txn_begin(((kafka_sink *)self)->p, err);
}

static int sink_txn_commit(void *self, const sl_txn *txn, sl_error *err)
{
	return kafka_txn_commit(((kafka_sink *)self)->p, txn, err);
}

static int sink_txn_commit_start(void *self, const sl_txn *txn, sl_error *err)
{
	return kafka_txn_commit_start(((kafka_sink *)self)->p, txn, err);
}

static int sink_txn_commit_finish(void *self, sl_error *err)
{
	return kafka_txn_commit_finish(((kafka_sink *)self)->p, err);
}

static int sink_txn_abort(void *self, sl_error *err)
{
	return kafka_txn_abort(((kafka_sink *)self)->p, err);
}

const sl_sink_class kafka_sink_class = {
	.struct_size = sizeof(sl_sink_class),
	.open = sink_open,
	.write = kafka_sink_write,
	.flush = kafka_sink_flush,
	.close = sink_close,
	.txn_begin = sink_txn_begin,
	.txn_commit = sink_txn_commit,
	.txn_abort = sink_txn_abort,
	.dead_letter = kafka_sink_dead_letter,
	.prepare_topic = kafka_repartition_prepare,
	.write_control = kafka_repartition_control,
	.mark = kafka_sink_mark,
	.durable = kafka_sink_durable,
	.txn_commit_start = sink_txn_commit_start,
	.txn_commit_finish = sink_txn_commit_finish,
	.check = sink_check,
};
