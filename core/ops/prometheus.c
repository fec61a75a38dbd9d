/*
 * prometheus.c - the snapshot as the Prometheus text exposition format
 * 0.0.4: one family at a time (HELP, TYPE, then its samples, never
 * interleaved), names by Prometheus conventions (counters end in
 * _total, durations are _seconds, sizes _bytes), labels job, stage,
 * topic and partition.  The engine's counters have fixed names; a
 * plugin's own counters and gauges keep theirs as a label.
 */
#include "config.h"

#include <string.h>

#include "ops/ops.h"

/* A plugin's counter that has a family of its own. */
static const struct named {
	const char *plugin_name;    /* as the plugin counts it */
	const char *family;
	const char *help;
} counter_families[] = {
	{ "filtered", "sluice_stage_records_filtered_total",
	  "Records an operator dropped because they did not match." },
	{ "late", "sluice_stage_records_late_total",
	  "Records that came after their window had closed." },
	{ "dead-lettered", "sluice_stage_records_dead_lettered_total",
	  "Records sent to the stage's dead-letter topic." },
	{ "rebalances", "sluice_source_rebalances_total",
	  "Consumer group rebalances that moved partitions to or from this instance." },
	{ "records lost", "sluice_sink_delivery_errors_total",
	  "Records a sink could not deliver (delivery = none counts them and goes on)." },
	{ "retries", "sluice_sink_retries_total",
	  "Writes and flushes a sink tried again after a passing failure (retry.backoff)." },
};
#define N_COUNTER_FAMILIES (sizeof counter_families / sizeof counter_families[0])

/* A plugin's per-partition gauge that has a family of its own. */
static const struct named gauge_families[] = {
	{ "assigned", "sluice_source_partition_assigned",
	  "1 for each partition the source reads in this instance." },
	{ "position", "sluice_source_partition_position",
	  "The offset of the next record the source reads from the partition." },
	{ "high-watermark", "sluice_source_partition_high_watermark",
	  "The offset after the partition's last readable record." },
	{ "lag", "sluice_source_partition_lag",
	  "Records in the partition not read yet: high watermark minus position." },
};
#define N_GAUGE_FAMILIES (sizeof gauge_families / sizeof gauge_families[0])

static void family(sl_text *t, const char *name, const char *type,
		   const char *help)
{
	sl_text_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void job_label(sl_text *t, const sl_snapshot *snap)
{
	sl_text_printf(t, "job=\"");
	sl_text_label_value(t, snap->job);
	sl_text_printf(t, "\"");
}

static void stage_sample(sl_text *t, const char *name, const sl_snapshot *snap,
			 const sl_snap_stage *s, double value)
{
	sl_text_printf(t, "%s{", name);
	job_label(t, snap);
	sl_text_printf(t, ",stage=\"");
	sl_text_label_value(t, s->name);
	sl_text_printf(t, "\"} %.17g\n", value);
}

static void job_sample(sl_text *t, const char *name, const sl_snapshot *snap,
		       double value)
{
	sl_text_printf(t, "%s{", name);
	job_label(t, snap);
	sl_text_printf(t, "} %.17g\n", value);
}

static int64_t counter_of(const sl_snap_stage *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->counter_count; i++)
		if (strcmp(s->counters[i].name, name) == 0)
			return s->counters[i].value;
	return 0;
}

static int has_family(const struct named *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i].plugin_name, name) == 0)
			return 1;
	return 0;
}

static void stage_counters(sl_text *t, const sl_snapshot *snap)
{
	static const char *const names[] = {
		"sluice_stage_records_in_total", "sluice_stage_records_out_total",
		"sluice_stage_records_skipped_total", "sluice_stage_bytes_in_total",
		"sluice_stage_bytes_out_total",
	};
	static const char *const helps[] = {
		"Records the stage took in (a source: records it read).",
		"Records the stage passed on (a sink: records delivered, as of the last commit).",
		"Records the stage skipped under errors = skip.",
		"Bytes of keys and values a source read.",
		"Bytes of keys and values a sink wrote.",
	};
	size_t f, i;

	for (f = 0; f < 5; f++) {
		family(t, names[f], "counter", helps[f]);
		for (i = 0; i < snap->stage_count; i++) {
			const sl_snap_stage *s = &snap->stages[i];
			uint64_t v = f == 0 ? s->records_in : f == 1 ? s->records_out :
				     f == 2 ? s->skipped : f == 3 ? s->bytes_in : s->bytes_out;

			if (s->kind != SL_KIND_STORE)
				stage_sample(t, names[f], snap, s, (double)v);
		}
	}
	for (f = 0; f < N_COUNTER_FAMILIES; f++) {
		const struct named *n = &counter_families[f];
		int any = 0;

		for (i = 0; i < snap->stage_count; i++) {
			const sl_snap_stage *s = &snap->stages[i];
			int wanted = f < 3 ? s->kind != SL_KIND_STORE :
				     f == 3 ? s->kind == SL_KIND_SOURCE : s->kind == SL_KIND_SINK;

			if (!wanted)
				continue;
			if (!any++)
				family(t, n->family, "counter", n->help);
			stage_sample(t, n->family, snap, s,
				     (double)counter_of(s, n->plugin_name));
		}
	}
}

static void plugin_counters(sl_text *t, const sl_snapshot *snap)
{
	const char *name = "sluice_stage_plugin_events_total";
	size_t i, j;
	int any = 0;

	for (i = 0; i < snap->stage_count; i++) {
		const sl_snap_stage *s = &snap->stages[i];

		for (j = 0; j < s->counter_count; j++) {
			if (has_family(counter_families, N_COUNTER_FAMILIES,
				       s->counters[j].name))
				continue;
			if (!any++)
				family(t, name, "counter",
				       "A plugin's own counters, by the name it gives them.");
			sl_text_printf(t, "%s{", name);
			job_label(t, snap);
			sl_text_printf(t, ",stage=\"");
			sl_text_label_value(t, s->name);
			sl_text_printf(t, "\",event=\"");
			sl_text_label_value(t, s->counters[j].name);
			sl_text_printf(t, "\"} %lld\n", (long long)s->counters[j].value);
		}
	}
}

static void gauge_labels(sl_text *t, const sl_snapshot *snap,
			 const sl_snap_stage *s, const sl_snap_value *g)
{
	job_label(t, snap);
	sl_text_printf(t, ",stage=\"");
	sl_text_label_value(t, s->name);
	sl_text_printf(t, "\"");
	if (g->topic != NULL) {
		sl_text_printf(t, ",topic=\"");
		sl_text_label_value(t, g->topic);
		sl_text_printf(t, "\",partition=\"%d\"", (int)g->partition);
	}
}

static void plugin_gauges(sl_text *t, const sl_snapshot *snap)
{
	const char *other = "sluice_stage_plugin_gauge";
	size_t f, i, j;
	int any = 0;

	for (f = 0; f < N_GAUGE_FAMILIES; f++) {
		const struct named *n = &gauge_families[f];

		any = 0;
		for (i = 0; i < snap->stage_count; i++) {
			const sl_snap_stage *s = &snap->stages[i];

			for (j = 0; j < s->gauge_count; j++) {
				if (strcmp(s->gauges[j].name, n->plugin_name) != 0)
					continue;
				if (!any++)
					family(t, n->family, "gauge", n->help);
				sl_text_printf(t, "%s{", n->family);
				gauge_labels(t, snap, s, &s->gauges[j]);
				sl_text_printf(t, "} %lld\n", (long long)s->gauges[j].value);
			}
		}
	}
	any = 0;
	for (i = 0; i < snap->stage_count; i++) {
		const sl_snap_stage *s = &snap->stages[i];

		for (j = 0; j < s->gauge_count; j++) {
			if (has_family(gauge_families, N_GAUGE_FAMILIES,
				       s->gauges[j].name))
				continue;
			if (!any++)
				family(t, other, "gauge",
				       "A plugin's own gauges, by the name it gives them.");
			sl_text_printf(t, "%s{", other);
			gauge_labels(t, snap, s, &s->gauges[j]);
			sl_text_printf(t, ",gauge=\"");
			sl_text_label_value(t, s->gauges[j].name);
			sl_text_printf(t, "\"} %lld\n", (long long)s->gauges[j].value);
		}
	}
}

static void sinks(sl_text *t, const sl_snapshot *snap)
{
	size_t i;

	family(t, "sluice_sink_records_in_flight", "gauge",
	       "Records a sink has taken that no commit has confirmed delivered yet.");
	for (i = 0; i < snap->stage_count; i++) {
		const sl_snap_stage *s = &snap->stages[i];

		if (s->kind == SL_KIND_SINK)
			stage_sample(t, "sluice_sink_records_in_flight", snap, s,
				     s->records_written > s->records_out ?
				     (double)(s->records_written - s->records_out) : 0);
	}
	family(t, "sluice_sink_records_delivered_total", "counter",
	       "Records a sink delivered (flushed, acknowledged, committed).");
	for (i = 0; i < snap->stage_count; i++)
		if (snap->stages[i].kind == SL_KIND_SINK)
			stage_sample(t, "sluice_sink_records_delivered_total", snap,
				     &snap->stages[i], (double)snap->stages[i].records_out);
}

static void state(sl_text *t, const sl_snapshot *snap)
{
	static const char *const names[] = {
		"sluice_state_keys", "sluice_state_bytes",
		"sluice_state_changelog_records_written_total",
	};
	static const char *const types[] = { "gauge", "gauge", "counter" };
	static const char *const helps[] = {
		"Keys a stateful stage holds.",
		"Memory a stateful stage's state takes.",
		"State changes a stateful stage wrote to its store (changelog).",
	};
	size_t f, i;

	for (f = 0; f < 3; f++) {
		int any = 0;

		for (i = 0; i < snap->stage_count; i++) {
			const sl_snap_stage *s = &snap->stages[i];

			if (!s->stateful)
				continue;
			if (!any++)
				family(t, names[f], types[f], helps[f]);
			stage_sample(t, names[f], snap, s,
				     f == 0 ? (double)s->state_keys :
				     f == 1 ? (double)s->state_bytes :
				     (double)s->changelog_written);
		}
	}
	for (i = 0, f = 0; i < snap->stage_count; i++) {
		const sl_snap_stage *s = &snap->stages[i];

		if (!s->stateful)
			continue;
		if (!f++)
			family(t, "sluice_state_restore_duration_seconds", "summary",
			       "Time spent reading state back from the store "
			       "(on start, on a rebalance, after an abort).");
		stage_sample(t, "sluice_state_restore_duration_seconds_sum", snap, s,
			     s->restore_seconds);
		stage_sample(t, "sluice_state_restore_duration_seconds_count", snap, s,
			     (double)s->restores);
	}
}

static void commits(sl_text *t, const sl_snapshot *snap)
{
	const char *h = "sluice_commit_duration_seconds";
	size_t i;

	family(t, "sluice_commit_cycles_total", "counter",
	       "Commit cycles run (flush the sinks, commit positions or the transaction).");
	job_sample(t, "sluice_commit_cycles_total", snap, (double)snap->commits);
	family(t, "sluice_commit_failures_total", "counter",
	       "Commit cycles that failed (the job stops after one).");
	job_sample(t, "sluice_commit_failures_total", snap,
		   (double)snap->commit_failures);
	family(t, h, "histogram", "How long a commit cycle took.");
	for (i = 0; i < SL_COMMIT_BUCKETS; i++) {
		sl_text_printf(t, "%s_bucket{", h);
		job_label(t, snap);
		sl_text_printf(t, ",le=\"%g\"} %llu\n", sl_commit_bucket_bounds[i],
			       (unsigned long long)snap->commit_buckets[i]);
	}
	sl_text_printf(t, "%s_bucket{", h);
	job_label(t, snap);
	sl_text_printf(t, ",le=\"+Inf\"} %llu\n", (unsigned long long)snap->commits);
	job_sample(t, "sluice_commit_duration_seconds_sum", snap, snap->commit_seconds);
	job_sample(t, "sluice_commit_duration_seconds_count", snap, (double)snap->commits);
	family(t, "sluice_transactions_committed_total", "counter",
	       "Transactions committed (delivery = exactly-once).");
	job_sample(t, "sluice_transactions_committed_total", snap,
		   (double)snap->txn_committed);
	family(t, "sluice_transactions_aborted_total", "counter",
	       "Transactions aborted and read again (delivery = exactly-once).");
	job_sample(t, "sluice_transactions_aborted_total", snap,
		   (double)snap->txn_aborted);
	family(t, "sluice_transactions_fenced_total", "counter",
	       "Fatal transaction failures: a fenced producer, another instance took over.");
	job_sample(t, "sluice_transactions_fenced_total", snap,
		   (double)snap->txn_fatal);
}

static void process(sl_text *t, const sl_process_stats *ps)
{
	family(t, "process_cpu_seconds_total", "counter",
	       "Total user and system CPU time spent in seconds.");
	sl_text_printf(t, "process_cpu_seconds_total %.17g\n", ps->cpu_seconds);
	family(t, "process_resident_memory_bytes", "gauge",
	       "Resident memory size in bytes.");
	sl_text_printf(t, "process_resident_memory_bytes %.17g\n", ps->resident_bytes);
	family(t, "process_virtual_memory_bytes", "gauge",
	       "Virtual memory size in bytes.");
	sl_text_printf(t, "process_virtual_memory_bytes %.17g\n", ps->virtual_bytes);
	family(t, "process_open_fds", "gauge", "Number of open file descriptors.");
	sl_text_printf(t, "process_open_fds %.17g\n", ps->open_fds);
	family(t, "process_max_fds", "gauge",
	       "Maximum number of open file descriptors.");
	sl_text_printf(t, "process_max_fds %.17g\n", ps->max_fds);
	family(t, "process_start_time_seconds", "gauge",
	       "Start time of the process since unix epoch in seconds.");
	sl_text_printf(t, "process_start_time_seconds %.17g\n",
		       ps->start_time_seconds);
}

void sl_render_metrics(sl_text *t, const sl_snapshot *snap,
		       const sl_health *health, const sl_process_stats *ps)
{
	if (snap != NULL) {
		family(t, "sluice_job_info", "gauge",
		       "The job this process runs, with its delivery guarantee.");
		sl_text_printf(t, "sluice_job_info{");
		job_label(t, snap);
		sl_text_printf(t, ",delivery=\"%s\",version=\"%s\"} 1\n",
			       sl_job_delivery_name(snap->delivery), PACKAGE_VERSION);
		family(t, "sluice_job_healthy", "gauge",
		       "1 while the run loop makes progress (/health answers 200).");
		job_sample(t, "sluice_job_healthy", snap, health->healthy);
		family(t, "sluice_job_ready", "gauge",
		       "1 once state is restored and records can flow (/ready answers 200).");
		job_sample(t, "sluice_job_ready", snap, health->ready);
		family(t, "sluice_job_loop_ticks_total", "counter",
		       "Ticks of the run loop (about ten a second while it runs).");
		job_sample(t, "sluice_job_loop_ticks_total", snap, (double)snap->ticks);
		family(t, "sluice_job_restarts_total", "counter",
		       "Times the job was reopened in place from its last commit "
		       "(a transaction the broker timed out).");
		job_sample(t, "sluice_job_restarts_total", snap,
			   (double)health->restarts);
		stage_counters(t, snap);
		plugin_counters(t, snap);
		plugin_gauges(t, snap);
		sinks(t, snap);
		state(t, snap);
		commits(t, snap);
	}
	process(t, ps);
}
