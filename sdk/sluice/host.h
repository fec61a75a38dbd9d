/*
 * sluice/host.h - the table of host functions handed to every plugin.
 *
 * As with SQLite's loadable extensions, a plugin calls the engine only
 * through this table, so it links against nothing in the host.  The table
 * only grows at the end; `struct_size` tells a plugin how much of it the
 * running host provides.  Call the functions through the macros in
 * sluice/stage.h rather than directly.
 */
#ifndef SLUICE_HOST_H
#define SLUICE_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sluice/error.h>
#include <sluice/batch.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Major version of the plugin ABI; a plugin built for another is refused. */
#define SL_ABI_MAJOR 1

#if defined(__GNUC__)
#define SL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SL_PRINTF(f, a)
#endif

/** An instance's stage (opaque). */
typedef struct sl_stage sl_stage;

struct sl_input; /* sluice/source.h */

/** Log levels, as `log.level` in the job. */
enum sl_log_level { SL_LOG_ERROR = 0, SL_LOG_WARN, SL_LOG_INFO, SL_LOG_DEBUG };

/** Delivery guarantees, as `delivery` in the job. */
enum sl_delivery {
	SL_DELIVERY_NONE = 0,
	SL_DELIVERY_AT_LEAST_ONCE,
	SL_DELIVERY_EXACTLY_ONCE
};

/**
 * The host table.  Each group of members is marked with the table it
 * came in: table 1 is the first of ABI 1, each later one grew it at the
 * end.  Every host has table 1; call a member of a later table only
 * where SL_HOST_HAS(member), or declare it in host_needs (plugin.h).
 */
typedef struct sl_host {
	uint32_t abi_major;   /**< SL_ABI_MAJOR of the host */
	uint32_t struct_size; /**< sizeof(sl_host) in the host */

	/* Table 1: every host. */
	const char *(*stage_name)(const sl_stage *stage);
	const char *(*job_name)(const sl_stage *stage);
	int (*job_delivery)(const sl_stage *stage);

	const char *(*option)(const sl_stage *stage, const char *key);
	int64_t (*option_int)(const sl_stage *stage, const char *key);
	double (*option_number)(const sl_stage *stage, const char *key);
	int (*option_bool)(const sl_stage *stage, const char *key);
	int64_t (*option_duration_ms)(const sl_stage *stage, const char *key);
	int (*option_each)(const sl_stage *stage, const char *prefix,
			   int (*fn)(void *ctx, const char *key, const char *value),
			   void *ctx);

	void (*log)(const sl_stage *stage, int level, const char *fmt, ...)
		SL_PRINTF(3, 4);
	int (*log_enabled)(const sl_stage *stage, int level);

	int (*error_set)(sl_error *err, sl_error_kind kind, const char *fmt, ...)
		SL_PRINTF(3, 4);
	int (*config_error)(const sl_stage *stage, const char *key, sl_error *err,
			    const char *fmt, ...) SL_PRINTF(4, 5);
	int (*record_error)(sl_stage *stage, const sl_record *rec, sl_error *err,
			    const char *fmt, ...) SL_PRINTF(4, 5);

	void (*batch_on_release)(sl_batch *batch, void (*fn)(void *arg), void *arg);
	int (*value_to_json)(const sl_value *value, sl_buf *buf);
	void (*metric_add)(sl_stage *stage, const char *name, int64_t delta);
	int (*commit_now)(sl_stage *stage, sl_error *err);
	void (*forget_position)(sl_stage *stage, const char *topic,
				int32_t partition);
	/* Table 1: expressions (sluice/expr.h). */
	struct sl_expr *(*expr_compile)(const sl_stage *stage, const char *key,
					sl_error *err);
	int (*expr_eval)(const struct sl_expr *expr, const sl_record *rec,
			 sl_arena *arena, sl_value *out, sl_error *why);
	void (*expr_free)(struct sl_expr *expr);
	/* Table 1: keyed state (sluice/state.h). */
	struct sl_state *(*state_open)(sl_stage *stage, const char *name,
				       sl_error *err);
	int (*state_get)(const struct sl_state *st, const void *key, size_t klen,
			 sl_bytes *out);
	int (*state_put)(struct sl_state *st, const void *key, size_t klen,
			 const void *val, size_t vlen);
	void *(*state_slot)(struct sl_state *st, const void *key, size_t klen,
			    size_t vlen, int *created);
	int (*state_delete)(struct sl_state *st, const void *key, size_t klen);
	size_t (*state_count)(const struct sl_state *st);
	int (*state_each)(const struct sl_state *st,
			  int (*fn)(void *ctx, const void *key, size_t klen,
				    const void *val, size_t vlen),
			  void *ctx);
	int (*state_timer_set)(struct sl_state *st, int64_t when, const void *key,
			       size_t klen);
	int (*state_timer_delete)(struct sl_state *st, int64_t when,
				  const void *key, size_t klen);
	int (*state_timer_next)(const struct sl_state *st, int64_t *when);
	int (*state_timers_fire)(struct sl_state *st, int64_t upto,
				 int (*fn)(void *ctx, int64_t when,
					   const void *key, size_t klen),
				 void *ctx);
	/* Table 2: the job's commit.interval.ms (a transactional sink
	 * checks its transaction timeout against it). */
	int64_t (*job_commit_interval_ms)(const sl_stage *stage);
	/* Table 3: partitions moving between instances (sluice/source.h). */
	int (*partitions_assigned)(sl_stage *stage, const int32_t *partitions,
				   size_t count, sl_error *err);
	void (*partitions_revoked)(sl_stage *stage, const int32_t *partitions,
				   size_t count);
	/* Table 4: stages the engine adds (sluice/stage.h). */
	int (*stage_role)(const sl_stage *stage);
	const char *(*stage_storage)(const sl_stage *stage);
	/* Table 4: what a partitioned source reads (sluice/source.h). */
	int (*inputs_assigned)(sl_stage *stage, const struct sl_input *inputs,
			       size_t count, sl_error *err);
	void (*inputs_revoked)(sl_stage *stage, const struct sl_input *inputs,
			       size_t count);
	void (*partition_end)(sl_stage *stage, const char *topic,
			      int32_t partition, int64_t offset);
	void (*control_received)(sl_stage *stage, const sl_origin *origin,
				 const void *data, size_t len);
	/* Table 4: event time (sluice/operator.h). */
	int (*watermark_open)(sl_stage *stage, int64_t idle_ms, sl_error *err);
	int64_t (*watermark_observe)(sl_stage *stage, const sl_record *rec,
				     int64_t ts, int64_t now);
	int64_t (*watermark)(sl_stage *stage, int32_t partition, int64_t now);
	int (*state_timers_fire_by)(struct sl_state *st,
				    int64_t (*upto)(void *ctx, int32_t partition),
				    int (*fn)(void *ctx, int64_t when,
					      const void *key, size_t klen),
				    void *ctx);
	/* Table 5: gauges for observers (sluice/stage.h): a value that goes
	 * up and down, optionally per topic and partition. */
	void (*gauge_set)(sl_stage *stage, const char *name, const char *topic,
			  int32_t partition, int64_t value);
	void (*gauge_drop)(sl_stage *stage, const char *topic,
			   int32_t partition);
	/* Table 6: one state partition's keys (sluice/state.h). */
	int (*state_each_in)(const struct sl_state *st, int32_t partition,
			     int (*fn)(void *ctx, const void *key, size_t klen,
				       const void *val, size_t vlen),
			     void *ctx);
	/* Table 7: a timer in a given state partition (sluice/state.h). */
	int (*state_timer_set_in)(struct sl_state *st, int32_t partition,
				  int64_t when, const void *key, size_t klen);
	/* Table 8: a source has records to hand out (sluice/source.h);
	 * any thread. */
	void (*wake)(sl_stage *stage);
	/* Table 9: the read-ahead a source may hold (sluice/source.h). */
	int64_t (*source_memory)(const sl_stage *stage);
	/* Table 10: UTF-8 validation (sluice/stage.h). */
	size_t (*utf8_invalid_at)(const uint8_t *data, size_t len);
	/* Table 11: stopping during start-up, "did you mean"
	 * (sluice/stage.h). */
	int (*stopping)(const sl_stage *stage);
	const char *(*suggest)(const char *word, const char *const *names,
			       size_t count);
	/* Table 12: positions kept by the job's transaction owner
	 * (sluice/stage.h). */
	int (*stored_position)(sl_stage *stage, const char *topic,
			       int32_t partition, int64_t *next_offset,
			       sl_error *err);
	/* Table 13: how long a sink's retriable failure asks to wait
	 * (sluice/stage.h). */
	void (*retry_after)(sl_stage *stage, int64_t wait_ms);
	/* Table 14: the host calls a source class's delivered callback
	 * under every delivery mode (sluice/source.h). */
	int (*tells_delivered)(const sl_stage *stage);
	/* Table 14: decode a value with the stage's format to check it
	 * (sluice/source.h); the run loop's thread. */
	int (*decode_check)(sl_stage *stage, const uint8_t *data, size_t len,
			    sl_arena *arena, sl_error *why);
	/* Table 15: an expression that is part of an option's text
	 * (sluice/expr.h). */
	struct sl_expr *(*expr_compile_text)(const sl_stage *stage,
					     const char *key, const char *text,
					     size_t len, sl_error *err);
	/* Table 16: a format plugin a stage uses for bytes it reads itself;
	 * the host also calls operators' inputs_assigned / inputs_revoked
	 * (sluice/format.h, sluice/operator.h). */
	struct sl_format_use *(*format_use)(sl_stage *stage, const char *name,
					    sl_error *err);
	int (*format_decode)(struct sl_format_use *f, const uint8_t *data,
			     size_t len, sl_arena *arena, sl_value *out,
			     sl_error *err);
	void (*format_release)(struct sl_format_use *f);
	/* Table 17: keyed state changed behind the operator (sluice/state.h). */
	uint64_t (*state_generation)(const struct sl_state *st);
	/* Table 18: a bounded run's partition read to its stop
	 * (sluice/source.h). */
	void (*partition_finished)(sl_stage *stage, const char *topic,
				   int32_t partition, int64_t offset);
	/* New members go here, at the end. */
} sl_host;

/**
 * Whether @p obj, a struct of type @p type that starts with its
 * struct_size (the host table, the class structs, sl_plugin), is large
 * enough to hold @p member: the struct may come from an older build,
 * which ends before the member.
 */
#define SL_STRUCT_HOLDS(obj, type, member)                                  \
	((obj)->struct_size >= offsetof(type, member) +                      \
		 sizeof(((type *)0)->member))

/** SL_STRUCT_HOLDS(), and the member is set (a function: not NULL). */
#define SL_STRUCT_HAS(obj, type, member)                                    \
	(SL_STRUCT_HOLDS(obj, type, member) && (obj)->member != 0)

/**
 * Whether the running host provides @p member of its table: a plugin may
 * run on a host older than the SDK it was built with, whose table ends
 * before the member.  Check before calling a member added after the
 * first table of the ABI.
 */
#define SL_HOST_HAS(member) SL_STRUCT_HAS(sl_host_api, sl_host, member)

/**
 * The host table, set by the plugin's entry function (SL_PLUGIN
 * defines it, hidden, in the plugin).
 */
#if defined(__GNUC__)
extern const sl_host *sl_host_api __attribute__((visibility("hidden")));
#else
extern const sl_host *sl_host_api;
#endif

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_HOST_H */
