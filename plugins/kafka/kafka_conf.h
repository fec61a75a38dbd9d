/*
 * kafka_conf.h - what the Kafka source and sink share: a librdkafka
 * configuration built from a stage's options, librdkafka's logs in the
 * stage's log, and librdkafka errors as Sluice errors.
 */
#ifndef SL_KAFKA_CONF_H
#define SL_KAFKA_CONF_H

#include <librdkafka/rdkafka.h>
#include <sluice/plugin.h>

/*
 * The first member of every Kafka instance, and the opaque of its client:
 * the log and error callbacks only need this part.
 */
typedef struct kafka_client {
	sl_stage *stage;
	rd_kafka_t *rk;
} kafka_client;

/* A librdkafka property the plugin sets itself, and why a user may not. */
typedef struct kafka_managed {
	const char *name;   /* "enable.auto.commit" */
	const char *reason; /* "follows job.delivery" */
} kafka_managed;

/*
 * A new configuration for @p client's stage: bootstrap.servers from its
 * option, then @p defaults ("name", "value" pairs, NULL-terminated), then
 * every `kafka.*` option unchanged, so a user can override a default.
 * Options naming a property in @p managed (terminated by a NULL name) are
 * refused.  Logs and errors go to the stage's log, served by the thread
 * that polls the client.  NULL with @p err on failure (SL_ERR_CONFIG
 * naming the option's line for a property librdkafka rejects).
 */
rd_kafka_conf_t *kafka_conf_new(kafka_client *client, const char *const *defaults,
				const kafka_managed *managed, sl_error *err);

/*
 * The logging and error callbacks of kafka_conf_new(), for @p client, on a
 * configuration built otherwise (the changelog reader's).  SL_OK or SL_ERR.
 */
int kafka_conf_callbacks(kafka_client *client, rd_kafka_conf_t *conf, sl_error *err);

/*
 * Set property @p name on @p conf.  A failure is an SL_ERR_CONFIG naming
 * option @p key of the stage, with librdkafka's reason.
 */
int kafka_conf_set(sl_stage *stage, rd_kafka_conf_t *conf, const char *key,
		   const char *name, const char *value, sl_error *err);

/*
 * Once the client exists: serve its logs from the poll loop instead of
 * librdkafka's own threads (log.queue must have been set).
 */
void kafka_conf_route_logs(kafka_client *client);

/*
 * Fill @p err with "@p what: <librdkafka's text for @p code>" and a kind
 * that says whether retrying may help; returns SL_ERR.
 */
int kafka_error_code(sl_error *err, rd_kafka_resp_err_t code, const char *what);

/* The same for an rd_kafka_error_t, which is destroyed. */
int kafka_error_take(sl_error *err, rd_kafka_error_t *error, const char *what);

/* Milliseconds of a monotonic clock, for deadlines. */
int64_t kafka_now_ms(void);

/* Whether @p code is transient: the same request may succeed later. */
int kafka_code_is_transient(rd_kafka_resp_err_t code);

#endif
