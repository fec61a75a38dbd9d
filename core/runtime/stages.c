/*
 * stages.c - the stages of a running job opened, wired and closed
 * (stages.h).
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/error.h"
#include "runtime/changelog.h"
#include "runtime/commit.h"
#include "runtime/edge.h"
#include "runtime/event_time.h"
#include "runtime/hop.h"
#include "runtime/stages.h"
#include "runtime/state_host.h"
#include "runtime/telemetry.h"

static int open_stage(sl_engine *e, sl_stage *s, sl_error *err)
{
	const sl_job_stage *d = s->def;
	int rc;

	if (sl_loader_get(e->loader, e->registry, d->plugin, &s->plugin, err) != SL_OK)
		return SL_ERR;
	if (s->kind & (SL_KIND_SOURCE | SL_KIND_SINK)) {
		if (sl_edge_open_format(e, s, d->format, 0, err) != SL_OK ||
		    sl_edge_open_format(e, s, d->key_format, 1, err) != SL_OK)
			return SL_ERR;
	}
	switch (s->kind) {
	case SL_KIND_SOURCE:
		rc = s->plugin->source->open(s, &s->self, err);
		break;
	case SL_KIND_SINK:
		rc = s->plugin->sink->open(s, &s->self, err);
		break;
	case SL_KIND_STORE:
		rc = s->plugin->store->open(s, &s->self, err);
		break;
	default:
		rc = s->plugin->op->open(s, &s->self, err);
		break;
	}
	if (rc != SL_OK)
		return SL_ERR;
	s->opened = 1;
	return SL_OK;
}

int sl_stages_open(sl_engine *e, int hops, sl_error *err)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if ((s->def->role == SL_ROLE_REPARTITION_SOURCE) != hops)
			continue;
		if (open_stage(e, s, err) != SL_OK) {
			if (err->kind != SL_ERR_CONFIG)
				sl_error_prefix(err, "stage '%s': ", s->def->name);
			return SL_ERR;
		}
	}
	return SL_OK;
}

void sl_stage_close(sl_stage *s)
{
	size_t i;

	if (s->opened) {
		if (s->kind == SL_KIND_SOURCE && s->plugin->source->close)
			s->plugin->source->close(s->self);
		else if (s->kind == SL_KIND_SINK && s->plugin->sink->close)
			s->plugin->sink->close(s->self);
		else if (s->kind == SL_KIND_OPERATOR && s->plugin->op->close)
			s->plugin->op->close(s->self);
		else if (s->kind == SL_KIND_STORE && s->plugin->store->close)
			s->plugin->store->close(s->self);
	}
	sl_edge_close_format(s->format, s->format_self);
	/* key and value may share one format instance only when both NULL */
	if (s->key_format_self != s->format_self || s->key_format_self == NULL)
		sl_edge_close_format(s->key_format, s->key_format_self);
	for (i = 0; i < s->metric_count; i++)
		free(s->metrics[i].name);
	free(s->metrics);
	sl_telemetry_stage_free(s);
	sl_commit_free(s);
	free(s->outputs);
	sl_state_host_close_all(s);
	sl_engine_watermark_close(s);
	free(s->state.owned);
	free(s->hop.report);
}

static sl_stage *stage_of(sl_engine *e, const sl_job_stage *d)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++)
		if (e->stages[i].def == d)
			return &e->stages[i];
	return NULL;
}

int sl_stages_wire(sl_engine *e, sl_error *err)
{
	size_t i, j;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		for (j = 0; j < s->def->input_count; j++) {
			sl_stage *in = stage_of(e, s->def->inputs[j]);
			sl_stage **o = realloc(in->outputs,
					       (in->output_count + 1) * sizeof *o);
			if (o == NULL)
				return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			in->outputs = o;
			o[in->output_count++] = s;
		}
	}
	return SL_OK;
}

/*
 * Dead letters of every stage go through the first sink whose plugin
 * writes them (dead_letter), so they share its transaction.
 */
int sl_stages_find_dead_letter_sink(sl_engine *e, sl_error *err)
{
	size_t i;

	for (i = 0; i < e->stage_count && e->dlq_sink == NULL; i++) {
		const sl_sink_class *k = e->stages[i].plugin->sink;

		if (e->stages[i].kind == SL_KIND_SINK &&
		    SL_STRUCT_HAS(k, sl_sink_class, dead_letter))
			e->dlq_sink = &e->stages[i];
	}
	for (i = 0; i < e->stage_count; i++) {
		const sl_job_stage *d = e->stages[i].def;
		const sl_job_option *o = sl_job_stage_option(d, "errors");

		if (d->settings.errors == SL_ERRORS_DEAD_LETTER && e->dlq_sink == NULL)
			return sl_error_set(err, SL_ERR_CONFIG,
				"%s:%d: %s: errors = dead-letter needs a sink in the "
				"job whose plugin writes dead letters (kafka's does)",
				e->job->path, o ? o->line : d->line, d->name);
	}
	return SL_OK;
}
