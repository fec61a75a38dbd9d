/*
 * sluice/stage.h - the stage a plugin instance runs as.
 *
 * Every plugin callback that opens an instance receives its sl_stage: the
 * handle to read the stage's options, log under its name and report
 * per-record errors.  The functions below are macros over the host table,
 * so a plugin links against nothing in the host.
 */
#ifndef SLUICE_STAGE_H
#define SLUICE_STAGE_H

#include <sluice/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a stage is for (sl_stage_role()). */
enum sl_stage_role {
	SL_ROLE_JOB = 0,            /**< a stage of the job file */
	SL_ROLE_REPARTITION_SINK,   /**< added by the engine: writes the records
				      *  to its repartition topic, by key */
	SL_ROLE_REPARTITION_SOURCE  /**< added by the engine: reads them back */
};

/** The name of @p stage as written in the job file ("gen"). */
#define sl_stage_name(stage) (sl_host_api->stage_name(stage))

/** The job's `[job] name`, for ids derived from it. */
#define sl_job_name(stage) (sl_host_api->job_name(stage))

/** The job's delivery guarantee (enum sl_delivery). */
#define sl_job_delivery(stage) (sl_host_api->job_delivery(stage))

/**
 * The job's `commit.interval.ms`.  A member added after ABI 1's first
 * table: check SL_HOST_HAS(job_commit_interval_ms) before calling it.
 */
#define sl_job_commit_interval_ms(stage) \
	(sl_host_api->job_commit_interval_ms(stage))

/**
 * The value of option @p key as written (after ${VAR} expansion and
 * --set), else the descriptor's default, else NULL.
 */
#define sl_option(stage, key) (sl_host_api->option(stage, key))

/** Option @p key as an integer (validated against the descriptor). */
#define sl_option_int(stage, key) (sl_host_api->option_int(stage, key))

/** Option @p key as a number. */
#define sl_option_number(stage, key) (sl_host_api->option_number(stage, key))

/** Option @p key as a boolean (true/false/yes/no/on/off/1/0). */
#define sl_option_bool(stage, key) (sl_host_api->option_bool(stage, key))

/** Option @p key, a duration ("250ms", "60s", "5m", "1h"), in ms. */
#define sl_option_duration_ms(stage, key) \
	(sl_host_api->option_duration_ms(stage, key))

/**
 * Call @p fn for each option whose key starts with @p prefix ("kafka."),
 * in file order; stops at and returns the first non-zero return of @p fn.
 */
#define sl_option_each(stage, prefix, fn, ctx) \
	(sl_host_api->option_each(stage, prefix, fn, ctx))

/** Log at @p level (enum sl_log_level) under the stage's name. */
#define sl_log(stage, level, ...) (sl_host_api->log(stage, level, __VA_ARGS__))

/** True when messages at @p level are printed (skip costly formatting). */
#define sl_log_enabled(stage, level) (sl_host_api->log_enabled(stage, level))

/**
 * Fill @p err with a runtime error of @p kind and a printf-style message;
 * returns SL_ERR.
 */
#define sl_error_set(err, kind, ...) (sl_host_api->error_set(err, kind, __VA_ARGS__))

/**
 * Report that option @p key of @p stage is wrong (found when opening: a bad
 * regular expression, an expression that does not parse).  Fills @p err
 * with a job-file error that names the file and line of the option;
 * returns SL_ERR.
 */
#define sl_config_error(stage, key, err, ...) \
	(sl_host_api->config_error(stage, key, err, __VA_ARGS__))

/**
 * Report that record @p rec cannot be handled (bad bytes, a type error).
 * The stage's `errors` policy decides: returns SL_SKIP when the record is
 * to be dropped (it has been counted and logged) and SL_ERR, with @p err
 * naming the stage, the record's origin and the cause, when the job must
 * stop.  On SL_ERR an operator leaves in the batch only what it produced
 * from the records before @p rec and returns SL_ERR.
 */
#define sl_record_error(stage, rec, err, ...) \
	(sl_host_api->record_error(stage, rec, err, __VA_ARGS__))

/**
 * Call @p fn(@p arg) when @p batch is released, after every sink has
 * consumed it: how a source keeps its client's message memory alive
 * without copying payloads.
 */
#define sl_batch_on_release(batch, fn, arg) \
	(sl_host_api->batch_on_release(batch, fn, arg))

/**
 * Append the compact JSON text of @p value to @p buf (bytes values as a
 * base64 string).  Returns 0, -1 when out of memory, -2 when the value
 * holds a NaN or infinite number, which JSON cannot represent.
 */
#define sl_value_to_json(value, buf) (sl_host_api->value_to_json(value, buf))

/**
 * The offset of the first byte of the first ill-formed UTF-8 sequence in
 * the @p len bytes at @p data, or @p len when all are well-formed (no
 * overlong forms, surrogates, code points past U+10FFFF or truncated
 * sequences).  Check SL_HOST_HAS(utf8_invalid_at), or declare the need.
 */
#define sl_utf8_invalid_at(data, len) (sl_host_api->utf8_invalid_at(data, len))

/**
 * True once the job has been asked to stop (SIGINT, SIGTERM): what a
 * plugin that waits in open (for a cluster, a lock) checks at least
 * every second, giving up with an error when it is.  Check
 * SL_HOST_HAS(stopping) first.
 */
#define sl_stopping(stage) (sl_host_api->stopping(stage))

/**
 * The one of @p count @p names that @p word is likely a typo of (one or
 * two edits, one for words of four characters or fewer), or NULL: for a
 * "did you mean" in a plugin's own checks.  Check SL_HOST_HAS(suggest)
 * first.
 */
#define sl_suggest(word, names, count) (sl_host_api->suggest(word, names, count))

/**
 * Exactly-once with a transaction owner that keeps the positions
 * (sluice/sink.h, txn_position): where source @p stage starts reading
 * @p topic / @p partition, in *@p next_offset.  1 when the owner stored
 * a position: start there.  0 when there is none, or the job's
 * positions are not kept by its sinks: start as usual (the source's
 * `start`, a Kafka group's committed offsets).  SL_ERR with @p err.
 * Check SL_HOST_HAS(stored_position) first.
 */
#define sl_stored_position(stage, topic, partition, next_offset, err) \
	(sl_host_api->stored_position(stage, topic, partition, next_offset, err))

/**
 * A sink about to fail with SL_ERR_RETRIABLE because the other side said
 * when to come back (HTTP's Retry-After): the engine's next wait before
 * calling again is @p wait_ms instead of its backoff, kept within the
 * stage's retry.backoff and retry.max.backoff.  Applies to the next
 * wait only; the backoff doubles on as usual after it.  Check
 * SL_HOST_HAS(retry_after) first (host table 13): an older host waits
 * its backoff.
 */
#define sl_retry_after(stage, wait_ms) \
	(sl_host_api->retry_after(stage, wait_ms))

/** Add @p delta to the stage's metric @p name (shown in the job summary). */
#define sl_metric_add(stage, name, delta) \
	(sl_host_api->metric_add(stage, name, delta))

/**
 * Set the stage's gauge @p name to @p value: a level rather than a count
 * (records in flight, a partition's position or lag), for the job's
 * metrics endpoint (`http.listen`).  With a @p topic (not NULL) the gauge
 * is per topic and @p partition.  Set gauges per batch or per second,
 * never per record.  A member added after ABI 1's first table: check
 * SL_HOST_HAS(gauge_set) before calling it.
 */
#define sl_gauge_set(stage, name, topic, partition, value) \
	(sl_host_api->gauge_set(stage, name, topic, partition, value))

/**
 * Forget every gauge the stage set for @p topic and @p partition (the
 * partition is no longer read here; topic NULL: the gauges set without
 * one).  Check SL_HOST_HAS(gauge_drop) first.
 */
#define sl_gauge_drop(stage, topic, partition) \
	(sl_host_api->gauge_drop(stage, topic, partition))

/**
 * Run the job's commit cycle now: flush every sink, then commit every
 * source's positions.  For a source that is about to lose partitions (a
 * rebalance callback inside poll): what it handed out so far is committed
 * before another instance takes over.  SL_OK or SL_ERR.
 */
#define sl_commit_now(stage, err) (sl_host_api->commit_now(stage, err))

/**
 * Forget the engine's position for one partition of source @p stage (it
 * was revoked or lost), so a later commit cannot move it backwards.
 */
#define sl_forget_position(stage, topic, partition) \
	(sl_host_api->forget_position(stage, topic, partition))

/**
 * What @p stage is for (enum sl_stage_role): a stage of the job file, or
 * one the engine added to repartition records by key.  A plugin whose
 * descriptor has the capability `repartition` serves both added roles:
 * the sink writes each record to its topic, partitioned by the record's
 * key, and the source reads the topic back in the job's consumer group;
 * options they do not set themselves come from a stage of the job file
 * that uses the same plugin.
 */
#define sl_stage_role(stage) (sl_host_api->stage_role(stage))

/**
 * For a stage the engine added: the name of the storage it writes or
 * reads (a topic, `JOB-STAGE-repartition`); NULL for the job file's.
 */
#define sl_stage_storage(stage) (sl_host_api->stage_storage(stage))

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_STAGE_H */
