/*
 * kafka_producer.c - the producers the Kafka sinks of a process share:
 * finding or creating one, flushing it, and closing it with its last
 * sink.
 *
 * A sink asks for the producer of its job and bootstrap.servers.  Sinks
 * share one when the global librdkafka properties they set (`kafka.*`
 * options that are not per-topic) are the same; per-topic properties
 * (acks, compression, the partitioner) live on each sink's own topic
 * object, so they never stand in the way.  Under exactly-once sharing is
 * not optional: the job's records and offsets must go into one
 * transaction of one transactional.id, so sinks that cannot share are a
 * job-file error.
 *
 * The engine runs a job in one thread, so the registry needs no lock.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kafka_producer.h"
#include "kafka_topic_watch.h"
#include "kafka_txn_async.h"

/* Closing: how long the last sink waits for records still in flight.
 * Under none this is the only wait there is; under at-least-once the
 * final commit has flushed already, unless the job is failing. */
#define CLOSE_FLUSH_NONE_MS 30000
#define CLOSE_FLUSH_ALO_MS 5000
/* A flush waits in slices this long, looking at the sinks' topics
 * between them. */
#define FLUSH_SLICE_MS 1000

/* A transaction stays open one commit interval plus the commit itself; the
 * broker aborts one that outlives transaction.timeout.ms. */
#define TXN_MARGIN_MIN_MS 5000
/* A crashed instance's open transaction holds read_committed readers back
 * until the broker aborts it: the default is short (Kafka Streams' 10 s). */
#define TXN_TIMEOUT_DEFAULT_MS 10000

static kafka_producer *producers;

/* Exactly-once passes this list from its second entry: it allows
 * transactional.id, which outside it would make the producer unusable. */
static const kafka_managed producer_managed[] = {
	{ "transactional.id", "applies only under delivery = exactly-once "
	  "(default there: one per instance, see kafka.group.instance.id)" },
	{ "enable.idempotence", "follows job.delivery (on under at-least-once "
	  "and exactly-once)" },
	{ "partitioner", "comes from the option partitioner" },
	{ "allow.auto.create.topics", "is off: a sink never creates its topic "
	  "(create it with the partitions it needs)" },
	{ NULL, NULL }
};

const kafka_managed *kafka_producer_managed(int delivery)
{
	return producer_managed + (delivery == SL_DELIVERY_EXACTLY_ONCE);
}

int kafka_producer_topic_property(const char *name)
{
	rd_kafka_topic_conf_t *tc = rd_kafka_topic_conf_new();
	char why[256];
	rd_kafka_conf_res_t res;

	/* an empty value may be invalid, but only a global name is unknown */
	res = rd_kafka_topic_conf_set(tc, name, "", why, sizeof why);
	rd_kafka_topic_conf_destroy(tc);
	return res != RD_KAFKA_CONF_UNKNOWN;
}

/* ---- the sink's global settings --------------------------------------- */

typedef struct globals {
	kafka_global *list;
	size_t count;
} globals;

static int collect(void *arg, const char *key, const char *value)
{
	globals *g = arg;
	kafka_global *grown;

	if (kafka_producer_topic_property(key + strlen("kafka.")))
		return 0;
	/* non-zero: out of memory */
	grown = realloc(g->list, (g->count + 1) * sizeof *grown);
	if (grown == NULL)
		return 1;
	g->list = grown;
	grown[g->count].key = strdup(key);
	grown[g->count].value = strdup(value);
	g->count++;
	return grown[g->count - 1].key == NULL || grown[g->count - 1].value == NULL;
}

static void free_globals(kafka_global *list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(list[i].key);
		free(list[i].value);
	}
	free(list);
}

static const kafka_global *find_global(const kafka_global *list, size_t count,
				       const char *key)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(list[i].key, key) == 0)
			return &list[i];
	return NULL;
}

/*
 * The first setting in which @p g and @p p differ, as the key of the
 * option (set on one side only or to another value), or NULL if none.
 */
static const char *first_difference(const kafka_producer *p, const globals *g)
{
	const kafka_global *o;
	size_t i;

	for (i = 0; i < g->count; i++) {
		o = find_global(p->globals, p->global_count, g->list[i].key);
		if (o == NULL || strcmp(o->value, g->list[i].value) != 0)
			return g->list[i].key;
	}
	for (i = 0; i < p->global_count; i++)
		if (find_global(g->list, g->count, p->globals[i].key) == NULL)
			return p->globals[i].key;
	return NULL;
}

/* ---- creating one ----------------------------------------------------- */

/* The host's commit.interval.ms, or -1 from a host too old to say. */
static int64_t commit_interval_ms(sl_stage *stage)
{
	if (!SL_HOST_HAS(job_commit_interval_ms))
		return -1;
	return sl_job_commit_interval_ms(stage);
}

/* What a transaction needs at the least: the interval, and room to
 * commit it. */
static int64_t txn_timeout_need(int64_t interval)
{
	return interval + (2 * interval > TXN_MARGIN_MIN_MS ? 2 * interval :
			   TXN_MARGIN_MIN_MS);
}

/*
 * The default transactional.id, one per instance of the job, so that
 * instances side by side never fence each other.  With static membership
 * (kafka.group.instance.id on the job's source) it is stable across
 * restarts: a restarted instance aborts what it left open at once and
 * fences its former self should that still run.  Without, it is unique
 * to the process; what a crashed process left open is aborted by the
 * broker after transaction.timeout.ms, and a zombie is fenced by the
 * consumer group's generation that every commit carries (KIP-447).
 */
static void default_txn_id(sl_stage *stage, char *buf, size_t size)
{
	const char *member = kafka_static_member();
	char host[64] = "host";
	struct timespec now;

	if (member != NULL) {
		snprintf(buf, size, "sluice-%s-%s", sl_job_name(stage), member);
		return;
	}
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(buf, size, "sluice-%s-%s-%ld-%lx", sl_job_name(stage), host,
		 (long)getpid(), (unsigned long)(now.tv_sec * 1000 +
						 now.tv_nsec / 1000000));
}

static int64_t conf_int(rd_kafka_conf_t *conf, const char *name)
{
	char buf[64];
	size_t size = sizeof buf;

	if (rd_kafka_conf_get(conf, name, buf, &size) != RD_KAFKA_CONF_OK)
		return -1;
	return strtoll(buf, NULL, 10);
}

static char *conf_str(rd_kafka_conf_t *conf, const char *name)
{
	char buf[512];
	size_t size = sizeof buf;

	if (rd_kafka_conf_get(conf, name, buf, &size) != RD_KAFKA_CONF_OK)
		return NULL;
	return strdup(buf);
}

/*
 * A transaction is open for up to one commit interval and then committed;
 * the broker aborts one that outlives transaction.timeout.ms, so the
 * timeout must cover the interval with room for a slow commit.
 */
static int check_txn_timeout(kafka_producer *p, sl_stage *stage, sl_error *err)
{
	int64_t interval = commit_interval_ms(stage), need;

	if (interval < 0)
		return SL_OK;
	need = txn_timeout_need(interval);
	if (p->txn_timeout_ms >= need)
		return SL_OK;
	return sl_config_error(stage, "kafka.transaction.timeout.ms", err,
		"transaction.timeout.ms is %lld ms, too short for "
		"commit.interval.ms = %lld: a transaction stays open for one "
		"interval and must still commit before the broker aborts it. Set "
		"kafka.transaction.timeout.ms to at least %lld (interval plus "
		"max(5 s, 2 x interval)) or lower commit.interval.ms",
		(long long)p->txn_timeout_ms, (long long)interval, (long long)need);
}

/* The configuration of a producer for @p stage, validating its options. */
static rd_kafka_conf_t *producer_conf(kafka_client *client, int delivery,
				      sl_error *err)
{
	sl_stage *stage = client->stage;
	char client_id[256], txn_id[512], timeout[32];
	const char *defaults[18];
	int64_t interval = commit_interval_ms(stage);
	size_t n = 0;

	snprintf(client_id, sizeof client_id, "sluice-%s-%s", sl_job_name(stage),
		 sl_stage_name(stage));
	defaults[n++] = "client.id";
	defaults[n++] = client_id;
	/* What waits to be sent: librdkafka's 100,000 records (1 GB) filled
	 * up whenever the broker paused, and kept that memory from then on;
	 * the sink waits for room (kafka_txn_async.c) as the Java producer
	 * does for its buffer.memory (32 MB). */
	defaults[n++] = "queue.buffering.max.messages";
	defaults[n++] = "10000";
	defaults[n++] = "queue.buffering.max.kbytes";
	defaults[n++] = "32768";
	/* librdkafka's producer asks brokers to create a topic it writes
	 * to; a deleted sink topic would come back with the broker's
	 * partition count (kafka_topic_watch.h) */
	defaults[n++] = "allow.auto.create.topics";
	defaults[n++] = "false";
	if (delivery != SL_DELIVERY_NONE) {
		defaults[n++] = "enable.idempotence";
		defaults[n++] = "true";
	}
	if (delivery == SL_DELIVERY_EXACTLY_ONCE) {
		default_txn_id(stage, txn_id, sizeof txn_id);
		defaults[n++] = "transactional.id";
		defaults[n++] = txn_id;
		snprintf(timeout, sizeof timeout, "%lld", (long long)
			 (interval < 0 || txn_timeout_need(interval) <
			  TXN_TIMEOUT_DEFAULT_MS ? TXN_TIMEOUT_DEFAULT_MS :
			  txn_timeout_need(interval)));
		defaults[n++] = "transaction.timeout.ms";
		defaults[n++] = timeout;
		/* A transaction's first partition or offsets often reach the
		 * coordinator while it still writes the previous commit's
		 * markers (CONCURRENT_TRANSACTIONS); with a commit every
		 * 100 ms, librdkafka's 100 ms retry wait is most of a cycle. */
		defaults[n++] = "retry.backoff.ms";
		defaults[n++] = "20";
	}
	defaults[n] = NULL;
	return kafka_conf_new(client, defaults,
			      kafka_producer_managed(delivery),
			      err);
}

static void destroy(kafka_producer *p)
{
	size_t i;

	kafka_topic_watch_free(p); /* its topic references first */
	if (p->client.rk != NULL)
		rd_kafka_destroy(p->client.rk);
	free_globals(p->globals, p->global_count);
	for (i = 0; i < p->sent_count; i++)
		free(p->sent[i].topic);
	free(p->sent);
	free(p->job);
	free(p->servers);
	free(p->txn_id);
	free(p);
}

static kafka_producer *create(sl_stage *stage, rd_kafka_conf_t *conf,
			      globals *g, sl_error *err)
{
	kafka_producer *p = calloc(1, sizeof *p);
	char why[512];

	if (p == NULL || (p->job = strdup(sl_job_name(stage))) == NULL ||
	    (p->servers = strdup(sl_option(stage, "bootstrap.servers"))) == NULL) {
		rd_kafka_conf_destroy(conf);
		if (p != NULL)
			destroy(p);
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	p->client.stage = stage;
	p->delivery = sl_job_delivery(stage);
	p->epoch = 1; /* epoch 0 is done before anything is produced */
	p->globals = g->list;
	p->global_count = g->count;
	g->list = NULL;
	g->count = 0;
	/* The conf was built for a probe; its opaque is now p's client,
	 * which is p's first member, so callbacks take it as the producer. */
	rd_kafka_conf_set_opaque(conf, &p->client);
	rd_kafka_conf_set_dr_msg_cb(conf, kafka_producer_on_delivery);
	p->max_message_bytes = (size_t)conf_int(conf, "message.max.bytes");
	if (p->delivery == SL_DELIVERY_EXACTLY_ONCE) {
		p->txn_id = conf_str(conf, "transactional.id");
		p->txn_timeout_ms = conf_int(conf, "transaction.timeout.ms");
		/* no other process can hold the default id of a process
		 * without static membership: a fence is a timeout then */
		p->txn_id_unique = kafka_static_member() == NULL &&
			sl_option(stage, "kafka.transactional.id") == NULL;
		if (p->txn_id == NULL) {
			rd_kafka_conf_destroy(conf);
			destroy(p);
			sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			return NULL;
		}
		if (check_txn_timeout(p, stage, err) != SL_OK) {
			rd_kafka_conf_destroy(conf);
			destroy(p);
			return NULL;
		}
	}
	p->client.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
	if (p->client.rk == NULL) {
		rd_kafka_conf_destroy(conf);
		destroy(p);
		/* what librdkafka refuses here is a combination of settings */
		sl_error_set(err, SL_ERR_CONFIG, "stage '%s': cannot create a Kafka "
			     "producer with these settings: %s", sl_stage_name(stage),
			     why);
		return NULL;
	}
	kafka_conf_route_logs(&p->client);
	return p;
}

/* Whether @p p can serve @p stage; under exactly-once it must. */
static int compatible(const kafka_producer *p, sl_stage *stage, const globals *g,
		      sl_error *err)
{
	const char *key;

	if (strcmp(p->servers, sl_option(stage, "bootstrap.servers")) != 0) {
		if (p->delivery != SL_DELIVERY_EXACTLY_ONCE)
			return 0;
		sl_config_error(stage, "bootstrap.servers", err,
			"'%s' differs from '%s' of sink '%s': under exactly-once "
			"every kafka sink of a job writes through one transactional "
			"producer, so all must name the same cluster",
			sl_option(stage, "bootstrap.servers"), p->servers,
			sl_stage_name(p->client.stage));
		return -1;
	}
	if ((key = first_difference(p, g)) == NULL)
		return 1;
	if (p->delivery != SL_DELIVERY_EXACTLY_ONCE)
		return 0;
	sl_config_error(stage, key, err,
		"differs from sink '%s': under exactly-once every kafka sink of a "
		"job writes through one transactional producer, so their global "
		"librdkafka settings (kafka.* options that are not per-topic) "
		"must be the same", sl_stage_name(p->client.stage));
	return -1;
}

kafka_producer *kafka_producer_get(sl_stage *stage, sl_error *err)
{
	kafka_client probe = { stage, NULL };
	globals g = { NULL, 0 };
	rd_kafka_conf_t *conf;
	kafka_producer *p;
	int delivery = sl_job_delivery(stage), ok = 0;

	/* Every sink's options are checked, whether it shares or not. */
	if ((conf = producer_conf(&probe, delivery, err)) == NULL)
		return NULL;
	if (sl_option_each(stage, "kafka.", collect, &g) != 0) {
		rd_kafka_conf_destroy(conf);
		free_globals(g.list, g.count);
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	for (p = producers; p != NULL; p = p->next) {
		if (strcmp(p->job, sl_job_name(stage)) != 0 || p->delivery != delivery)
			continue;
		if ((ok = compatible(p, stage, &g, err)) != 0)
			break;
	}
	if (ok != 0) {
		rd_kafka_conf_destroy(conf);
		free_globals(g.list, g.count);
		if (ok < 0)
			return NULL;
		p->refs++;
		return p;
	}
	p = create(stage, conf, &g, err);
	free_globals(g.list, g.count);
	if (p == NULL)
		return NULL;
	p->refs = 1;
	p->next = producers;
	producers = p;
	return p;
}

void kafka_producer_put(kafka_producer *p)
{
	kafka_producer **at;
	rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;

	if (p == NULL || --p->refs > 0)
		return;
	/* what was held belongs to a transaction that is never committed */
	kafka_txn_discard(p);
	for (at = &producers; *at != NULL; at = &(*at)->next)
		if (*at == p) {
			*at = p->next;
			break;
		}
	if (p->delivery == SL_DELIVERY_NONE)
		code = rd_kafka_flush(p->client.rk, CLOSE_FLUSH_NONE_MS);
	else if (p->delivery == SL_DELIVERY_AT_LEAST_ONCE)
		code = rd_kafka_flush(p->client.rk, CLOSE_FLUSH_ALO_MS);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		sl_log(p->client.stage, SL_LOG_WARN,
		       "closing: %d record(s) not acknowledged by Kafka are dropped",
		       rd_kafka_outq_len(p->client.rk));
	if (p->delivery == SL_DELIVERY_NONE)
		kafka_producer_report_lost(p);
	/* Under exactly-once anything in flight belongs to a transaction that
	 * was not committed: the broker discards it. */
	rd_kafka_purge(p->client.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	destroy(p);
}

/* Flush in slices, so that a topic deleted meanwhile is seen within
 * seconds rather than at message.timeout.ms: RD_KAFKA_RESP_ERR__FATAL
 * with @p err then. */
static rd_kafka_resp_err_t flush_watching(kafka_producer *p, int timeout_ms,
					  sl_error *err)
{
	int64_t deadline = kafka_now_ms() + timeout_ms;
	rd_kafka_resp_err_t code;

	for (;;) {
		int64_t left = deadline - kafka_now_ms();

		code = rd_kafka_flush(p->client.rk, left > FLUSH_SLICE_MS ?
				      FLUSH_SLICE_MS : left > 0 ? (int)left : 0);
		if (code != RD_KAFKA_RESP_ERR__TIMED_OUT || left <= FLUSH_SLICE_MS)
			return code;
		if (kafka_topic_watch_tick(p, err))
			return RD_KAFKA_RESP_ERR__FATAL;
	}
}

int kafka_producer_flush(kafka_producer *p, const char *self, int timeout_ms,
			 sl_error *err)
{
	rd_kafka_resp_err_t code;

	if (p->delivery != SL_DELIVERY_AT_LEAST_ONCE) {
		/* a pipelined commit first: its thread polls meanwhile */
		kafka_txn_settle(p);
		rd_kafka_poll(p->client.rk, 0);
		if (p->delivery == SL_DELIVERY_NONE)
			kafka_producer_report_lost(p);
		return SL_OK;
	}
	code = flush_watching(p, timeout_ms, err);
	if (code == RD_KAFKA_RESP_ERR__FATAL)
		return SL_ERR; /* a sink's topic went away: err says which */
	if (kafka_producer_delivery_failed(p, self, "flushing", err))
		return SL_ERR;
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		return sl_error_set(err, SL_ERR_RUNTIME,
				    "%d record(s) still not acknowledged by Kafka "
				    "after %d ms (%s)", rd_kafka_outq_len(p->client.rk),
				    timeout_ms, rd_kafka_err2str(code));
	return SL_OK;
}
