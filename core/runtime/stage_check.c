/*
 * stage_check.c - run the plugins' check callbacks on a job that is not
 * open: each gets a stage that answers the option and job questions of
 * the host table, and nothing more (no engine runs behind it).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/engine.h"
#include "runtime/stage.h"
#include "runtime/stage_check.h"

typedef int (*check_fn)(const sl_stage *stage, sl_error *err);

static check_fn check_of(const sl_plugin *p, unsigned kind)
{
	if (kind == SL_KIND_SOURCE && p->source != NULL &&
	    SL_STRUCT_HAS(p->source, sl_source_class, check))
		return p->source->check;
	if (kind == SL_KIND_SINK && p->sink != NULL &&
	    SL_STRUCT_HAS(p->sink, sl_sink_class, check))
		return p->sink->check;
	if (kind == SL_KIND_OPERATOR && p->op != NULL &&
	    SL_STRUCT_HAS(p->op, sl_operator_class, check))
		return p->op->check;
	return NULL;
}

/*
 * sl_config_error() wrote "FILE:LINE: stage: key: why"; the diagnostic
 * keeps its line apart so problems sort by line with the others.
 */
static void add_refusal(sl_diag *diag, const sl_job *job,
			const sl_job_stage *st, const char *msg)
{
	size_t len = strlen(job->path);
	char *end;
	long line;

	if (strncmp(msg, job->path, len) == 0 && msg[len] == ':') {
		line = strtol(msg + len + 1, &end, 10);
		if (end != msg + len + 1 && end[0] == ':' && end[1] == ' ') {
			sl_diag_add(diag, job->path, (int)line, "%s", end + 2);
			return;
		}
	}
	sl_diag_add(diag, job->path, st->line, "%s: %s", st->name, msg);
}

size_t sl_stage_checks(const sl_job *job, sl_loader *loader,
		       const sl_registry *reg, sl_diag *diag)
{
	sl_engine engine;
	sl_stage stage;
	const sl_plugin *p;
	check_fn check;
	sl_error err;
	size_t i, added = 0;

	memset(&engine, 0, sizeof engine);
	engine.job = job;
	engine.registry = reg;
	for (i = 0; i < job->stage_count; i++) {
		const sl_job_stage *st = &job->stages[i];

		if (st->plugin == NULL || st->problems > 0 ||
		    sl_loader_get(loader, reg, st->plugin, &p, &err) != SL_OK ||
		    (check = check_of(p, st->kind)) == NULL)
			continue;
		memset(&stage, 0, sizeof stage);
		stage.def = st;
		stage.engine = &engine;
		stage.kind = st->kind;
		stage.plugin = p;
		memset(&err, 0, sizeof err);
		if (check(&stage, &err) != SL_OK) {
			add_refusal(diag, job, st, err.message);
			added++;
		}
	}
	return added;
}
