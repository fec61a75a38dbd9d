/*
 * host.c - the host table handed to plugins, and the engine's logging.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/convert.h"
#include "base/error.h"
#include "base/json_write.h"
#include "base/suggest.h"
#include "base/utf8.h"
#include "expr/expr.h"
#include "job/format_opts.h"
#include "job/secret.h"
#include "runtime/changelog.h"
#include "runtime/commit.h"
#include "runtime/engine.h"
#include "runtime/event_time.h"
#include "runtime/expr_host.h"
#include "runtime/format_use.h"
#include "runtime/inputs.h"
#include "runtime/log.h"
#include "runtime/metric.h"
#include "runtime/state_host.h"
#include "runtime/telemetry.h"
#include "runtime/wake.h"

/* Skipped records are logged one by one up to this many per stage. */
#define SKIP_LOG_LIMIT 100

/* No engine runs behind a stage a check is handed: never stopping. */
static int host_stopping(const sl_stage *stage)
{
	const volatile sig_atomic_t *stop = stage->engine->stop;

	return stop != NULL && *stop != 0;
}

static void host_retry_after(sl_stage *stage, int64_t wait_ms)
{
	stage->retry_after_ms = wait_ms > 0 ? wait_ms : 0;
}

static int host_stored_position(sl_stage *stage, const char *topic,
				int32_t partition, int64_t *next_offset,
				sl_error *err)
{
	return sl_commit_stored_position(stage->engine, stage, topic, partition,
					 next_offset, err);
}

static int host_tells_delivered(const sl_stage *stage)
{
	return stage->kind == SL_KIND_SOURCE &&
	       SL_STRUCT_HAS(stage->plugin->source, sl_source_class, delivered);
}

static int host_decode_check(sl_stage *stage, const uint8_t *data,
			     size_t len, sl_arena *arena, sl_error *why)
{
	sl_value v;

	why->kind = SL_ERR_NONE;
	if (stage->format == NULL)
		return sl_error_set(why, SL_ERR_RUNTIME, "stage '%s' has no format",
				    stage->def->name);
	return stage->format->decode(stage->format_self, data, len, arena, &v,
				     why) == SL_OK ? SL_OK : SL_ERR;
}

static int host_log_enabled(const sl_stage *stage, int level)
{
	(void)stage;
	return sl_log_is_enabled(level);
}

static int host_commit_now(sl_stage *stage, sl_error *err)
{
	return sl_commit_cycle(stage->engine, 1, err);
}

static void host_forget_position(sl_stage *stage, const char *topic,
				 int32_t partition)
{
	sl_commit_forget(stage->engine, stage, topic, partition);
	sl_inputs_forget(stage->engine, stage, topic, partition);
}

static const char *host_stage_name(const sl_stage *stage)
{
	return stage->def->name;
}

static int host_stage_role(const sl_stage *stage)
{
	return stage->def->role;
}

static const char *host_stage_storage(const sl_stage *stage)
{
	return stage->def->storage;
}

static const char *host_job_name(const sl_stage *stage)
{
	return stage->engine->job->name;
}

static int host_job_delivery(const sl_stage *stage)
{
	return stage->engine->job->delivery;
}

static int64_t host_job_commit_interval_ms(const sl_stage *stage)
{
	return stage->engine->job->commit_interval_ms;
}

/* memory.limit in equal shares to the job's sources, the repartition
 * topics' readers included. */
static int64_t host_source_memory(const sl_stage *stage)
{
	const sl_engine *e = stage->engine;
	int64_t sources = 0;
	size_t i;

	for (i = 0; i < e->stage_count; i++)
		sources += e->stages[i].kind == SL_KIND_SOURCE;
	return e->job->memory_limit / (sources > 0 ? sources : 1);
}

/*
 * While one of the stage's formats opens, the options it reads are the
 * stage's under that format's name (format_opts.h): "columns" is
 * "csv.columns" (in @p buf).  Otherwise @p key itself.
 */
static const char *stage_key(const sl_stage *stage, const char *key,
			     char *buf, size_t size)
{
	if (stage->opening_format == NULL)
		return key;
	return sl_format_option_key(stage->opening_format,
				    stage->opening_key_format, key, buf, size);
}

/* An option as validation left it: its text, and its parsed value with
 * what it was checked against (desc NULL: parse the text). */
typedef struct found_option {
	const char *text;
	const sl_opt_desc *desc;
	const sl_opt_value *parsed;
} found_option;

static found_option found(const sl_job_option *o, const sl_opt_desc *d)
{
	found_option f = { NULL, NULL, NULL };

	if (o != NULL) {
		f.text = o->value;
		f.desc = o->desc;
		f.parsed = &o->parsed;
	} else if (d != NULL && d->def != NULL) {
		f.text = d->def;
		f.desc = d;
		f.parsed = &d->def_value;
	}
	return f;
}

static found_option format_option(const sl_stage *stage, const char *key)
{
	const sl_opt_desc *d = sl_descriptor_option(stage->opening_format,
						    SL_KIND_FORMAT, key);
	char buf[512];
	const sl_job_option *o = sl_job_stage_option(stage->def,
		stage_key(stage, key, buf, sizeof buf));

	return found(o, d);
}

/*
 * A stage the planner added takes the options it does not set from its
 * template (the stage of the job file it stands in for), as long as they
 * are options of its own kind: a repartition hop reaches the same
 * cluster as the source it repartitions.
 */
static found_option find_option(const sl_stage *stage, const char *key)
{
	const sl_job_stage *def = stage->def;
	const sl_opt_desc *d;
	const sl_job_option *o;

	if (stage->opening_format != NULL)
		return format_option(stage, key);
	d = sl_descriptor_option(def->plugin, stage->kind, key);
	o = sl_job_stage_option(def, key);

	for (; o == NULL && d != NULL && def->template_of != NULL;
	     def = def->template_of)
		o = sl_job_stage_option(def->template_of, key);
	return found(o, d);
}

static const char *host_option(const sl_stage *stage, const char *key)
{
	return find_option(stage, key).text;
}

/*
 * Options were parsed once, when the job was validated; the text is
 * parsed here only for an option read as another type than declared.
 */
static int64_t host_option_int(const sl_stage *stage, const char *key)
{
	found_option f = find_option(stage, key);
	int64_t out = 0;

	if (f.desc != NULL && f.desc->type == SL_OPT_INT)
		return f.parsed->i;
	if (f.text != NULL)
		sl_parse_int(f.text, &out);
	return out;
}

static double host_option_number(const sl_stage *stage, const char *key)
{
	found_option f = find_option(stage, key);
	double out = 0;

	if (f.desc != NULL && f.desc->type == SL_OPT_NUMBER)
		return f.parsed->d;
	if (f.text != NULL)
		sl_parse_number(f.text, &out);
	return out;
}

static int host_option_bool(const sl_stage *stage, const char *key)
{
	found_option f = find_option(stage, key);
	int out = 0;

	if (f.desc != NULL && f.desc->type == SL_OPT_BOOL)
		return (int)f.parsed->i;
	if (f.text != NULL)
		sl_parse_bool(f.text, &out);
	return out;
}

static int64_t host_option_duration_ms(const sl_stage *stage, const char *key)
{
	found_option f = find_option(stage, key);
	int64_t out = 0;

	if (f.desc != NULL && f.desc->type == SL_OPT_DURATION)
		return f.parsed->i;
	if (f.text != NULL)
		sl_parse_duration_ms(f.text, &out);
	return out;
}

static int host_option_each(const sl_stage *stage, const char *prefix,
			    int (*fn)(void *ctx, const char *key, const char *value),
			    void *ctx)
{
	const sl_job_stage *def = stage->def;
	size_t i, n = strlen(prefix);
	int rc;

	/* an added stage's own options are the engine's; its template has
	 * the user's */
	while (def->template_of != NULL)
		def = def->template_of;
	for (i = 0; i < def->option_count; i++) {
		const sl_job_option *o = &def->options[i];
		const char *key = o->key;

		if (stage->opening_format != NULL) {
			/* a format sees its own options, without its prefix */
			size_t skip = sl_format_prefix(stage->opening_format,
						       stage->opening_key_format,
						       key);
			if (skip == 0 || !sl_descriptor_option(stage->opening_format,
							       SL_KIND_FORMAT,
							       key + skip))
				continue;
			key += skip;
		} else if (!sl_descriptor_option(stage->def->plugin, stage->kind,
						 key)) {
			continue;
		}
		if (strncmp(key, prefix, n) == 0 &&
		    (rc = fn(ctx, key, o->value)) != 0)
			return rc;
	}
	return 0;
}

static int host_config_error(const sl_stage *stage, const char *key,
			     sl_error *err, const char *fmt, ...)
{
	char buf[512];
	const sl_job_option *o;
	int line;
	char msg[SL_ERROR_MAX / 2], *full = NULL;
	va_list ap;
	int n;

	key = stage_key(stage, key, buf, sizeof buf);
	o = sl_job_stage_option(stage->def, key);
	line = o != NULL && o->line > 0 ? o->line : stage->def->line;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (o != NULL && sl_job_option_is_secret(stage->engine->job, o)) {
		/* hide the value in the whole message, then cut it short */
		if (n < 0 || (full = malloc((size_t)n + 1)) == NULL) {
			snprintf(msg, sizeof msg, "(not shown: it holds a secret)");
		} else {
			va_start(ap, fmt);
			vsnprintf(full, (size_t)n + 1, fmt, ap);
			va_end(ap);
			sl_hide_value(full, (size_t)n + 1, o->value);
			sl_job_hide_secrets(stage->engine->job, full, (size_t)n + 1);
			snprintf(msg, sizeof msg, "%s", full);
			free(full);
		}
	}
	return sl_error_setf(err, SL_ERR_CONFIG, "%s:%d: %s: %s: %s",
			      stage->engine->job->path, line, stage->def->name,
			      key, msg);
}

static void remember_failure(sl_stage *stage, const sl_record *rec)
{
	sl_failure *f = &stage->engine->failure;
	size_t i;

	if (f->set)
		return;
	f->set = 1;
	f->stage = stage;
	f->has_topic = rec->origin.topic != NULL;
	snprintf(f->topic, sizeof f->topic, "%s",
		 f->has_topic ? rec->origin.topic : "");
	f->partition = rec->origin.partition;
	f->offset = rec->origin.offset;
	f->source = NULL;
	for (i = 0; i < stage->engine->stage_count; i++) {
		const sl_stage *s = &stage->engine->stages[i];
		if (rec->origin.stage != NULL &&
		    strcmp(s->def->name, rec->origin.stage) == 0)
			f->source = s;
	}
}

/*
 * errors = dead-letter: the record's original bytes go to the stage's
 * dead-letter.topic through the job's dead-letter sink, with headers that
 * say where it failed and why.  A record that cannot be dead-lettered
 * stops the job: it must not vanish.
 */
static int dead_letter(sl_stage *stage, const sl_record *rec, sl_error *err,
		       const char *msg, const char *where)
{
	sl_stage *dlq = stage->engine->dlq_sink;
	const char *topic = stage->def->settings.dead_letter_topic;
	char partition[16], offset[24];
	sl_header h[5];
	sl_error why;

	snprintf(partition, sizeof partition, "%d", (int)rec->origin.partition);
	snprintf(offset, sizeof offset, "%lld", (long long)rec->origin.offset);
	h[0].name = "sluice.stage";
	h[1].name = "sluice.error";
	h[2].name = "sluice.topic";
	h[3].name = "sluice.partition";
	h[4].name = "sluice.offset";
	h[0].value.data = (const uint8_t *)stage->def->name;
	h[1].value.data = (const uint8_t *)msg;
	h[2].value.data = (const uint8_t *)(rec->origin.topic ? rec->origin.topic : "");
	h[3].value.data = (const uint8_t *)partition;
	h[4].value.data = (const uint8_t *)offset;
	for (size_t i = 0; i < 5; i++)
		h[i].value.len = strlen((const char *)h[i].value.data);
	why.kind = SL_ERR_NONE;
	if (dlq == NULL || topic == NULL ||
	    dlq->plugin->sink->dead_letter(dlq->self, topic, rec, h, 5,
					   &why) != SL_OK) {
		remember_failure(stage, rec);
		return sl_error_setf(err, SL_ERR_RECORD,
			"stage '%s': %s: %s; and it could not be dead-lettered: %s",
			stage->def->name, where, msg,
			dlq == NULL ? "no dead-letter sink" : why.message);
	}
	sl_stage_metric_add(stage, "dead-lettered", 1);
	stage->dead_lettered++;
	if (stage->engine->dead_letters++ < SKIP_LOG_LIMIT)
		sl_stage_log_origin(stage, SL_LOG_WARN, &rec->origin,
				    "dead-lettered %s to %s: %s", where,
				    topic, msg);
	return SL_SKIP;
}

static int host_record_error(sl_stage *stage, const sl_record *rec,
			     sl_error *err, const char *fmt, ...)
{
	char msg[SL_ERROR_MAX / 2], where[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sl_origin_format(rec->origin.topic, rec->origin.topic != NULL,
			 rec->origin.partition, rec->origin.offset, where,
			 sizeof where);
	if (stage->def->settings.errors == SL_ERRORS_DEAD_LETTER)
		return dead_letter(stage, rec, err, msg, where);
	if (stage->def->settings.errors == SL_ERRORS_SKIP) {
		stage->skipped++;
		if (stage->skipped <= SKIP_LOG_LIMIT)
			sl_stage_log_origin(stage, SL_LOG_WARN, &rec->origin,
				     "skipped %s: %s%s", where, msg,
				     stage->skipped == SKIP_LOG_LIMIT ?
				     " (further skipped records are counted, "
				     "not logged)" : "");
		return SL_SKIP;
	}
	remember_failure(stage, rec);
	return sl_error_setf(err, SL_ERR_RECORD, "stage '%s': %s: %s",
			      stage->def->name, where, msg);
}

static void host_batch_on_release(sl_batch *batch, void (*fn)(void *), void *arg)
{
	sl_engine *e = batch->engine;

	if (e->release_count == e->release_cap) {
		size_t cap = e->release_cap ? e->release_cap * 2 : 64;
		struct release *r = realloc(e->releases, cap * sizeof *r);

		if (r == NULL) {
			/* cannot defer: release now, the batch is still alive */
			sl_stage_log(NULL, SL_LOG_ERROR, "out of memory");
			abort();
		}
		e->releases = r;
		e->release_cap = cap;
	}
	e->releases[e->release_count].fn = fn;
	e->releases[e->release_count++].arg = arg;
}

static void host_log(const sl_stage *stage, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_stage_vlog(stage, level, fmt, ap);
	va_end(ap);
}

const sl_host sl_core_host = {
	SL_ABI_MAJOR,
	sizeof(sl_host),
	host_stage_name,
	host_job_name,
	host_job_delivery,
	host_option,
	host_option_int,
	host_option_number,
	host_option_bool,
	host_option_duration_ms,
	host_option_each,
	host_log,
	host_log_enabled,
	sl_error_setf,
	host_config_error,
	host_record_error,
	host_batch_on_release,
	sl_json_write,
	sl_stage_metric_add,
	host_commit_now,
	host_forget_position,
	sl_expr_host_compile,
	sl_expr_evaluate,
	sl_expr_destroy,
	sl_state_host_open,
	sl_store_get,
	sl_store_put,
	sl_store_slot,
	sl_store_delete,
	sl_store_count,
	sl_store_each,
	sl_store_timer_set,
	sl_store_timer_delete,
	sl_store_timer_next,
	sl_store_timers_fire,
	host_job_commit_interval_ms,
	sl_engine_partitions_assigned,
	sl_engine_partitions_revoked,
	host_stage_role,
	host_stage_storage,
	sl_engine_inputs_assigned,
	sl_engine_inputs_revoked,
	sl_engine_partition_end,
	sl_engine_control_received,
	sl_engine_watermark_open,
	sl_engine_watermark_observe,
	sl_engine_watermark,
	sl_store_timers_fire_by,
	sl_engine_gauge_set,
	sl_engine_gauge_drop,
	sl_store_each_in,
	sl_store_timer_set_in,
	sl_engine_wake,
	host_source_memory,
	sl_utf8_valid_prefix,
	host_stopping,
	sl_suggest_among,
	host_stored_position,
	host_retry_after,
	host_tells_delivered,
	host_decode_check,
	sl_expr_host_compile_text,
	sl_format_use_open,
	sl_format_use_decode,
	sl_format_use_release,
	sl_store_generation,
	sl_engine_partition_finished,
};

/* The core uses the SDK's macros too. */
const sl_host *sl_host_api = &sl_core_host;
