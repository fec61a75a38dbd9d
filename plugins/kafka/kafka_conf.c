/*
 * kafka_conf.c - librdkafka configuration from a stage's options, and
 * librdkafka's logs and errors in Sluice's terms.
 *
 * `kafka.*` options go to rd_kafka_conf_set() unchanged, after the
 * plugin's defaults, so that anything librdkafka knows can be tuned from
 * a job file; only properties the plugin's guarantees depend on are
 * refused, with the option that sets them instead.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka_conf.h"

#define KAFKA_PREFIX "kafka."

/* Properties no stage may set: the plugin's own plumbing depends on them. */
static const kafka_managed always_managed[] = {
	{ "bootstrap.servers", "use the option bootstrap.servers" },
	{ "log.queue", "is how librdkafka's messages reach the job's log" },
	{ NULL, NULL }
};

/* One job per process: the plugin's sources and sinks are the job's. */
static char static_member[256];

void kafka_static_member_note(const char *id)
{
	if (static_member[0] == '\0')
		snprintf(static_member, sizeof static_member, "%s", id);
}

const char *kafka_static_member(void)
{
	return static_member[0] != '\0' ? static_member : NULL;
}

int64_t kafka_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kafka_code_is_transient(rd_kafka_resp_err_t code)
{
	switch (code) {
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__TIMED_OUT:
	case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
	case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
	case RD_KAFKA_RESP_ERR__RESOLVE:
	case RD_KAFKA_RESP_ERR__WAIT_COORD:
	case RD_KAFKA_RESP_ERR__IN_PROGRESS:
	case RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS:
	case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
	case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
	case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
	case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
	case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
	case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
	case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
	/* the group moved on: the rebalance that follows sorts it out */
	case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
	case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
	case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
		return 1;
	default:
		return 0;
	}
}

int kafka_error_code(sl_error *err, rd_kafka_resp_err_t code, const char *what)
{
	sl_error_kind kind = code == RD_KAFKA_RESP_ERR__FATAL ? SL_ERR_FATAL :
		kafka_code_is_transient(code) ? SL_ERR_RETRIABLE : SL_ERR_RUNTIME;

	return sl_error_set(err, kind, "%s: %s", what, rd_kafka_err2str(code));
}

int kafka_error_take(sl_error *err, rd_kafka_error_t *error, const char *what)
{
	sl_error_kind kind = rd_kafka_error_is_fatal(error) ? SL_ERR_FATAL :
		rd_kafka_error_txn_requires_abort(error) ? SL_ERR_ABORTABLE :
		rd_kafka_error_is_retriable(error) ? SL_ERR_RETRIABLE :
		SL_ERR_RUNTIME;

	sl_error_set(err, kind, "%s: %s", what, rd_kafka_error_string(error));
	rd_kafka_error_destroy(error);
	return SL_ERR;
}

/* librdkafka's property names, read once from its own table. */
static char **property_names;
static size_t property_count;
static pthread_once_t properties_once = PTHREAD_ONCE_INIT;

/* "name    | C/P | ..." rows of rd_kafka_conf_properties_show() */
static void read_property_names(void)
{
	char *text = NULL, *line, *next, *end;
	size_t len = 0, cap = 0;
	FILE *f = open_memstream(&text, &len);
	char **grown;

	if (f == NULL)
		return;
	rd_kafka_conf_properties_show(f);
	fclose(f);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		end = strchr(line, ' ');
		if (end == NULL || strstr(line, " | ") == NULL ||
		    !islower((unsigned char)line[0]))
			continue;
		*end = '\0';
		if (property_count == cap) {
			cap = cap ? 2 * cap : 256;
			if ((grown = realloc(property_names, cap * sizeof *grown)) == NULL)
				break;
			property_names = grown;
		}
		if ((property_names[property_count] = strdup(line)) == NULL)
			break;
		property_count++;
	}
	free(text);
}

/* "; did you mean 'kafka.fetch.max.bytes'?" for a property librdkafka
 * does not know, in @p buf; else "". */
static const char *property_hint(const char *name, char *buf, size_t size)
{
	const char *best;

	if (!SL_HOST_HAS(suggest))
		return "";
	pthread_once(&properties_once, read_property_names);
	best = sl_suggest(name, (const char *const *)property_names,
			  property_count);
	if (best == NULL)
		return "";
	snprintf(buf, size, "; did you mean '" KAFKA_PREFIX "%s'?", best);
	return buf;
}

int kafka_conf_set(const sl_stage *stage, rd_kafka_conf_t *conf,
		   const char *key, const char *name, const char *value,
		   sl_error *err)
{
	char why[512], hint[256];
	rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, name, value, why,
						    sizeof why);

	if (res == RD_KAFKA_CONF_OK)
		return SL_OK;
	if (key == NULL) /* a default of the plugin: librdkafka is too old */
		return sl_error_set(err, SL_ERR_RUNTIME,
				    "librdkafka %s refuses %s=%s: %s",
				    rd_kafka_version_str(), name, value, why);
	return sl_config_error(stage, key, err, "%s%s", why,
			       res == RD_KAFKA_CONF_UNKNOWN ?
			       property_hint(name, hint, sizeof hint) : "");
}

long long kafka_conf_number(rd_kafka_conf_t *conf, const char *name)
{
	char text[32];
	size_t size = sizeof text;

	if (rd_kafka_conf_get(conf, name, text, &size) != RD_KAFKA_CONF_OK)
		return 0;
	return strtoll(text, NULL, 10);
}

static const char *managed_reason(const kafka_managed *list, const char *name)
{
	for (; list != NULL && list->name != NULL; list++)
		if (strcmp(list->name, name) == 0)
			return list->reason;
	return NULL;
}

typedef struct pass_ctx {
	const sl_stage *stage;
	rd_kafka_conf_t *conf;
	const kafka_managed *managed;
	sl_error *err;
} pass_ctx;

static int pass_through(void *arg, const char *key, const char *value)
{
	pass_ctx *c = arg;
	const char *name = key + strlen(KAFKA_PREFIX);
	const char *why;

	if (*name == '\0')
		return sl_config_error(c->stage, key, c->err,
				       "names no librdkafka property");
	if ((why = managed_reason(always_managed, name)) != NULL ||
	    (why = managed_reason(c->managed, name)) != NULL)
		return sl_config_error(c->stage, key, c->err,
				       "%s is set by the plugin: it %s", name, why);
	return kafka_conf_set(c->stage, c->conf, key, name, value, c->err) == SL_OK ?
		0 : SL_ERR;
}

/*
 * librdkafka's syslog levels: only warnings and worse are the user's
 * business.  Connection failures (FAIL) also reach error_cb, which says
 * the same: logging both would print every one twice.
 */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	kafka_client *c = rd_kafka_opaque(rk);
	int ours = level <= 4 ? SL_LOG_WARN : level == 5 ? SL_LOG_INFO : SL_LOG_DEBUG;

	if (strcmp(fac, "FAIL") == 0)
		ours = SL_LOG_DEBUG;

	if (c != NULL && sl_log_enabled(c->stage, ours))
		sl_log(c->stage, ours, "librdkafka %s: %s", fac, buf);
}

static void error_cb(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
	kafka_client *c = opaque;

	(void)rk;
	/* librdkafka retries these itself; a fatal one stops the next poll */
	sl_log(c->stage, code == RD_KAFKA_RESP_ERR__FATAL ? SL_LOG_ERROR : SL_LOG_WARN,
	       "Kafka: %s", reason);
}

int kafka_conf_callbacks(kafka_client *client, rd_kafka_conf_t *conf, sl_error *err)
{
	if (kafka_conf_set(client->stage, conf, NULL, "log.queue", "true", err) != SL_OK)
		return SL_ERR;
	rd_kafka_conf_set_opaque(conf, client);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set_error_cb(conf, error_cb);
	return SL_OK;
}

rd_kafka_conf_t *kafka_conf_new(kafka_client *client, const char *const *defaults,
				const kafka_managed *managed, sl_error *err)
{
	sl_stage *stage = client->stage;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	const char *servers = sl_option(stage, "bootstrap.servers");
	pass_ctx ctx = { stage, conf, managed, err };

	if (conf == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	if (servers == NULL || *servers == '\0') {
		sl_config_error(stage, "bootstrap.servers", err,
				"names no broker (host:port, ...)");
		goto fail;
	}
	if (kafka_conf_set(stage, conf, "bootstrap.servers", "bootstrap.servers",
			   servers, err) != SL_OK)
		goto fail;
	for (; defaults != NULL && defaults[0] != NULL; defaults += 2)
		if (kafka_conf_set(stage, conf, NULL, defaults[0], defaults[1],
				   err) != SL_OK)
			goto fail;
	if (sl_option_each(stage, KAFKA_PREFIX, pass_through, &ctx) != 0)
		goto fail;
	if (kafka_conf_callbacks(client, conf, err) != SL_OK)
		goto fail;
	return conf;
fail:
	rd_kafka_conf_destroy(conf);
	return NULL;
}

void kafka_conf_route_logs(kafka_client *client)
{
	/* NULL: the main queue, which poll (or the consumer queue) serves */
	rd_kafka_set_log_queue(client->rk, NULL);
}

/* ---- helper clients -------------------------------------------------------- */

/* `kafka.*` options that also concern a helper client: how to reach and
 * authenticate to the brokers. */
static const char *const connection[] = {
	"security.protocol", "ssl.", "sasl.", "socket.", "broker.",
	"client.dns.lookup", "client.rack", "api.version.", "enable.ssl.",
	"enable.sasl.", "reconnect.", "connections.max.idle.ms", "debug", NULL
};

typedef struct conn_ctx {
	sl_stage *stage;
	rd_kafka_conf_t *conf;
	sl_error *err;
} conn_ctx;

static int pass_connection(void *arg, const char *key, const char *value)
{
	conn_ctx *c = arg;
	const char *name = key + strlen(KAFKA_PREFIX);
	size_t i;

	for (i = 0; connection[i] != NULL; i++) {
		size_t n = strlen(connection[i]);

		if (connection[i][n - 1] == '.' ? strncmp(name, connection[i], n) == 0
						: strcmp(name, connection[i]) == 0)
			return kafka_conf_set(c->stage, c->conf, key, name, value,
					      c->err) == SL_OK ? 0 : SL_ERR;
	}
	return 0;
}

int kafka_conf_connection(sl_stage *stage, rd_kafka_conf_t *conf, sl_error *err)
{
	conn_ctx c = { stage, conf, err };

	return sl_option_each(stage, KAFKA_PREFIX, pass_connection, &c) == 0 ?
		SL_OK : SL_ERR;
}

#define WATERMARK_QUERY_MS 10000
#define WATERMARK_PAUSE_MS 100

int kafka_helper_open(sl_stage *stage, kafka_client *client,
		      const char *isolation, const char *purpose, sl_error *err)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char why[512];

	client->stage = stage;
	client->rk = NULL;
	if (kafka_conf_set(stage, conf, NULL, "bootstrap.servers",
			   sl_option(stage, "bootstrap.servers"), err) != SL_OK ||
	    (isolation != NULL &&
	     kafka_conf_set(stage, conf, NULL, "isolation.level", isolation,
			    err) != SL_OK) ||
	    kafka_conf_connection(stage, conf, err) != SL_OK ||
	    kafka_conf_callbacks(client, conf, err) != SL_OK) {
		rd_kafka_conf_destroy(conf);
		return SL_ERR;
	}
	client->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
	if (client->rk == NULL) {
		rd_kafka_conf_destroy(conf);
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot create a Kafka "
				    "client %s: %s", purpose, why);
	}
	kafka_conf_route_logs(client);
	return SL_OK;
}

void kafka_helper_close(kafka_client *client)
{
	rd_kafka_poll(client->rk, 0); /* its logs */
	rd_kafka_destroy(client->rk);
	client->rk = NULL;
}

int kafka_watermarks(sl_stage *stage, const char *topic,
		     const int32_t *partitions, size_t count, int64_t *lo,
		     int64_t *hi, int64_t deadline, sl_error *err)
{
	kafka_client client;
	char purpose[400], ctx[400];
	rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
	size_t i;

	/* read_uncommitted: the answer is the high watermark, not the last
	 * stable offset */
	snprintf(purpose, sizeof purpose, "to find where %s ends", topic);
	if (kafka_helper_open(stage, &client, "read_uncommitted", purpose,
			      err) != SL_OK)
		return SL_ERR;
	for (i = 0; i < count && code == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
		/* a topic just created may have no leader for a moment, or
		 * be unknown to a broker whose metadata lags */
		while ((code = rd_kafka_query_watermark_offsets(
				client.rk, topic, partitions[i], &lo[i], &hi[i],
				WATERMARK_QUERY_MS)) != RD_KAFKA_RESP_ERR_NO_ERROR &&
		       (kafka_code_is_transient(code) ||
			code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
			code == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) &&
		       kafka_now_ms() < deadline)
			rd_kafka_poll(client.rk, WATERMARK_PAUSE_MS);
		if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
			snprintf(ctx, sizeof ctx, "cannot find the end of %s "
				 "partition %d", topic, (int)partitions[i]);
			kafka_error_code(err, code, ctx);
		}
	}
	kafka_helper_close(&client);
	return code == RD_KAFKA_RESP_ERR_NO_ERROR ? SL_OK : SL_ERR;
}

int kafka_stage_check(const sl_stage *stage, const kafka_managed *managed,
		      sl_error *err)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	const char *servers = sl_option(stage, "bootstrap.servers");
	pass_ctx ctx = { stage, conf, managed, err };
	int rc = SL_OK;

	if (conf == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	/* what kafka_conf_new() refuses, without a client or a connection */
	if (servers == NULL || *servers == '\0')
		rc = sl_config_error(stage, "bootstrap.servers", err,
				     "names no broker (host:port, ...)");
	else if (sl_option_each(stage, KAFKA_PREFIX, pass_through, &ctx) != 0)
		rc = SL_ERR;
	rd_kafka_conf_destroy(conf);
	return rc;
}

/* One metadata request waits this long at most, so that a stop asked
 * for meanwhile is seen within about a second. */
#define METADATA_SLICE_MS 500
#define METADATA_PAUSE_MS 200

static int stopping(const sl_stage *stage)
{
	return SL_HOST_HAS(stopping) && sl_stopping(stage);
}

rd_kafka_resp_err_t kafka_metadata_wait(const sl_stage *stage, rd_kafka_t *rk,
					rd_kafka_topic_t *only, int total_ms,
					const struct rd_kafka_metadata **md)
{
	int64_t deadline = kafka_now_ms() + total_ms;
	rd_kafka_resp_err_t code;
	int64_t left;

	for (;;) {
		left = deadline - kafka_now_ms();
		code = rd_kafka_metadata(rk, only == NULL, only, md,
					 left < METADATA_SLICE_MS ?
					 (int)(left > 0 ? left : 1) :
					 METADATA_SLICE_MS);
		if (code == RD_KAFKA_RESP_ERR_NO_ERROR ||
		    !kafka_code_is_transient(code))
			return code;
		/* its logs (a broker refusing connections) reach the job's
		 * log now, not once the wait is over */
		rd_kafka_poll(rk, 0);
		if (stopping(stage))
			return RD_KAFKA_RESP_ERR__INTR;
		if (kafka_now_ms() >= deadline)
			return code;
		rd_kafka_poll(rk, METADATA_PAUSE_MS);
	}
}
