/*
 * status.c - /status: the facts of /metrics, /health and /ready as one
 * JSON object, laid out for people (stages in job order, each with its
 * partitions and counters) rather than for a time-series database.
 */
#include "config.h"

#include <string.h>

#include "ops/ops.h"

static void key(sl_text *t, const char *name, int first)
{
	sl_text_printf(t, "%s\"%s\":", first ? "" : ",", name);
}

static void number(sl_text *t, const char *name, double v)
{
	key(t, name, 0);
	sl_text_printf(t, "%.17g", v);
}

static const char *kind_name(unsigned kind)
{
	switch (kind) {
	case SL_KIND_SOURCE: return "source";
	case SL_KIND_SINK: return "sink";
	case SL_KIND_OPERATOR: return "operator";
	case SL_KIND_STORE: return "store";
	default: return "stage";
	}
}

/* The gauges of one partition, as one object. */
static void partitions(sl_text *t, const sl_snap_stage *s)
{
	size_t i, j;
	int first = 1;

	key(t, "partitions", 0);
	sl_text_printf(t, "[");
	for (i = 0; i < s->gauge_count; i++) {
		const sl_snap_value *g = &s->gauges[i];
		int seen = 0;

		if (g->topic == NULL)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = s->gauges[j].topic != NULL &&
			       s->gauges[j].partition == g->partition &&
			       strcmp(s->gauges[j].topic, g->topic) == 0;
		if (seen)
			continue;
		sl_text_printf(t, "%s{\"topic\":", first ? "" : ",");
		first = 0;
		sl_text_json_string(t, g->topic);
		number(t, "partition", g->partition);
		for (j = i; j < s->gauge_count; j++) {
			const sl_snap_value *h = &s->gauges[j];

			if (h->topic == NULL || h->partition != g->partition ||
			    strcmp(h->topic, g->topic) != 0)
				continue;
			sl_text_printf(t, ",");
			sl_text_json_string(t, h->name);
			sl_text_printf(t, ":%lld", (long long)h->value);
		}
		sl_text_printf(t, "}");
	}
	sl_text_printf(t, "]");
}

static void stage(sl_text *t, const sl_snap_stage *s)
{
	size_t i;

	sl_text_printf(t, "{\"name\":");
	sl_text_json_string(t, s->name);
	sl_text_printf(t, ",\"kind\":\"%s\",\"plugin\":", kind_name(s->kind));
	sl_text_json_string(t, s->plugin);
	number(t, "records_in", (double)s->records_in);
	number(t, "records_out", (double)s->records_out);
	number(t, "records_skipped", (double)s->skipped);
	if (s->kind == SL_KIND_SOURCE)
		number(t, "bytes_in", (double)s->bytes_in);
	if (s->kind == SL_KIND_SINK) {
		number(t, "bytes_out", (double)s->bytes_out);
		number(t, "records_in_flight", s->records_written > s->records_out ?
		       (double)(s->records_written - s->records_out) : 0);
	}
	if (s->stateful) {
		key(t, "state", 0);
		sl_text_printf(t, "{\"keys\":%llu,\"bytes\":%llu,"
			       "\"changelog_records_written\":%llu,"
			       "\"restores\":%llu,\"restore_seconds\":%.3f}",
			       (unsigned long long)s->state_keys,
			       (unsigned long long)s->state_bytes,
			       (unsigned long long)s->changelog_written,
			       (unsigned long long)s->restores, s->restore_seconds);
	}
	key(t, "counters", 0);
	sl_text_printf(t, "{");
	for (i = 0; i < s->counter_count; i++) {
		sl_text_printf(t, "%s", i ? "," : "");
		sl_text_json_string(t, s->counters[i].name);
		sl_text_printf(t, ":%lld", (long long)s->counters[i].value);
	}
	sl_text_printf(t, "}");
	for (i = 0; i < s->gauge_count; i++)
		if (s->gauges[i].topic != NULL)
			break;
	if (i < s->gauge_count)
		partitions(t, s);
	sl_text_printf(t, "}");
}

void sl_render_status(sl_text *t, const char *job, const sl_snapshot *snap,
		      const sl_health *health, const sl_process_stats *ps)
{
	size_t i;

	sl_text_printf(t, "{\"job\":");
	sl_text_json_string(t, snap && snap->job && *snap->job ? snap->job :
			       job ? job : "");
	key(t, "state", 0);
	sl_text_json_string(t, health->state);
	key(t, "healthy", 0);
	sl_text_printf(t, "%s", health->healthy ? "true" : "false");
	key(t, "ready", 0);
	sl_text_printf(t, "%s", health->ready ? "true" : "false");
	key(t, "reason", 0);
	if (health->reason != NULL)
		sl_text_json_string(t, health->reason);
	else
		sl_text_printf(t, "null");
	key(t, "restarts", 0);
	sl_text_printf(t, "%u", health->restarts);
	key(t, "seconds_since_progress", 0);
	sl_text_printf(t, "%.3f", health->idle_seconds);
	key(t, "process", 0);
	sl_text_printf(t, "{\"version\":\"%s\",\"start_time_seconds\":%.3f,"
		       "\"cpu_seconds\":%.3f,\"resident_memory_bytes\":%.0f,"
		       "\"open_fds\":%.0f}", PACKAGE_VERSION,
		       ps->start_time_seconds, ps->cpu_seconds,
		       ps->resident_bytes, ps->open_fds);
	if (snap != NULL) {
		key(t, "delivery", 0);
		sl_text_printf(t, "\"%s\"", sl_job_delivery_name(snap->delivery));
		key(t, "commits", 0);
		sl_text_printf(t, "{\"cycles\":%llu,\"failures\":%llu,"
			       "\"seconds\":%.6f,\"transactions_committed\":%llu,"
			       "\"transactions_aborted\":%llu,"
			       "\"transactions_fenced\":%llu}",
			       (unsigned long long)snap->commits,
			       (unsigned long long)snap->commit_failures,
			       snap->commit_seconds,
			       (unsigned long long)snap->txn_committed,
			       (unsigned long long)snap->txn_aborted,
			       (unsigned long long)snap->txn_fatal);
		key(t, "stages", 0);
		sl_text_printf(t, "[");
		for (i = 0; i < snap->stage_count; i++) {
			sl_text_printf(t, "%s", i ? "," : "");
			stage(t, &snap->stages[i]);
		}
		sl_text_printf(t, "]");
	}
	sl_text_printf(t, "}\n");
}
