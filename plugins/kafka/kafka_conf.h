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
 * The key of the engine's control data in a repartition topic: a first
 * byte that no UTF-8 text (the keys of the hop's records) can start with.
 */
#define KAFKA_CONTROL_KEY "\xff" "sluice.control"
#define KAFKA_CONTROL_KEY_LEN (sizeof KAFKA_CONTROL_KEY - 1)

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
int kafka_conf_set(const sl_stage *stage, rd_kafka_conf_t *conf,
		   const char *key, const char *name, const char *value,
		   sl_error *err);
/* The numeric property @p name of @p conf; 0 when it has none. */
long long kafka_conf_number(rd_kafka_conf_t *conf, const char *name);
/*
 * What the check callbacks of the source and the sink share:
 * bootstrap.servers names a broker, no `kafka.*` option sets a property
 * of @p managed (as kafka_conf_new() refuses), and librdkafka takes
 * every other (name and value) - on a scratch configuration, connecting
 * nowhere.
 */
int kafka_stage_check(const sl_stage *stage, const kafka_managed *managed,
		      sl_error *err);

/*
 * rd_kafka_metadata() of every topic (@p only NULL) or of topic @p only,
 * waited for up to @p total_ms through transient errors, in short
 * requests: between them the client's logs are served and a stop of the
 * job is seen (RD_KAFKA_RESP_ERR__INTR), so a start-up against an
 * unreachable cluster says so at once and gives way to SIGINT within a
 * second.  Asking for one topic by name lets a broker with
 * auto.create.topics.enable create it unless the client's
 * allow.auto.create.topics is off.
 */
rd_kafka_resp_err_t kafka_metadata_wait(const sl_stage *stage, rd_kafka_t *rk,
					rd_kafka_topic_t *only, int total_ms,
					const struct rd_kafka_metadata **md);

/*
 * The `kafka.*` options of @p stage that say how to reach and
 * authenticate to the brokers (security.protocol, ssl.*, sasl.*, ...),
 * onto @p conf: what a helper client of the stage needs, without the
 * settings of its main client that would only make librdkafka warn.
 */
int kafka_conf_connection(sl_stage *stage, rd_kafka_conf_t *conf, sl_error *err);

/*
 * A short-lived client of @p stage's connection settings
 * (bootstrap.servers and the kafka.* that say how to reach the brokers;
 * @p isolation, when not NULL, as its isolation.level), its logs served
 * from its own poll: for asking the cluster something.  SL_OK, or SL_ERR
 * with @p err ("cannot create a Kafka client @p purpose: ...").  Close it
 * with kafka_helper_close().
 */
int kafka_helper_open(sl_stage *stage, kafka_client *client,
		      const char *isolation, const char *purpose, sl_error *err);
void kafka_helper_close(kafka_client *client);

/*
 * The low and high watermarks of @p count partitions of @p topic, the
 * high one counting records of transactions still open, asked with a
 * short-lived client of @p stage's connection settings; retried until
 * @p deadline (kafka_now_ms()) while the topic is new or a leader moves.
 */
int kafka_watermarks(sl_stage *stage, const char *topic,
		     const int32_t *partitions, size_t count, int64_t *lo,
		     int64_t *hi, int64_t deadline, sl_error *err);

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

/*
 * The job's static group membership (kafka.group.instance.id of its
 * source), which the sinks' default transactional id follows: noted by
 * the first source that sets it, NULL when none does.
 */
void kafka_static_member_note(const char *id);
const char *kafka_static_member(void);

/* Milliseconds of a monotonic clock, for deadlines. */
int64_t kafka_now_ms(void);

/* Whether @p code is transient: the same request may succeed later. */
int kafka_code_is_transient(rd_kafka_resp_err_t code);

#endif
