/*
 * cmd_validate.c - `sluice validate JOB.ini [--set stage.key=value]...`
 *
 * Checks the job against the plugin descriptors, plans it, and loads
 * every plugin it uses with the checks `run` makes (ABI, layout, required
 * callbacks, symbols), so the two agree; nothing is opened or read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "job/job.h"
#include "plugin/loader.h"
#include "job/plan.h"
#include "runtime/engine.h"
#include "runtime/stage_check.h"

/* The stages that read from @p st, comma-separated, in run order. */
static void print_readers(const sl_job *job, const sl_job_stage *st)
{
	size_t i, k;
	int first = 1;

	for (i = 0; i < job->order_count; i++) {
		const sl_job_stage *reader = job->order[i];

		for (k = 0; k < reader->input_count; k++) {
			if (reader->inputs[k] != st)
				continue;
			printf("%s%s", first ? " -> " : ", ", reader->name);
			first = 0;
		}
	}
}

static void print_stage(const sl_job *job, const sl_job_stage *st)
{
	size_t k;

	printf("  %s %s (%s", sl_kind_name(st->kind), st->name, st->plugin->name);
	if (st->format != NULL)
		printf(", format %s", st->format->name);
	printf(")");
	for (k = 0; k < st->input_count; k++)
		printf("%s%s", k ? ", " : " <- ", st->inputs[k]->name);
	print_readers(job, st);
	printf("\n");
}

int sl_cmd_validate(int argc, char **argv)
{
	sl_diag notes = { 0 };
	sl_loader *loader = NULL;
	size_t count, i;
	sl_registry reg;
	sl_job *job;
	int rc;

	rc = sl_cli_job_open(argc, argv, &notes, &job, &reg, &loader);
	if (rc != 0) {
		sl_diag_free(&notes);
		return rc;
	}
	/* the stages named are counted: a store the planner adds for a
	 * sink (stats.store) is one of them */
	for (i = 0, count = 0; i < job->order_count; i++)
		count += job->order[i]->role == SL_ROLE_JOB;
	printf("%s: ok (%zu stage%s:", job->path, count, count == 1 ? "" : "s");
	for (i = 0, count = 0; i < job->order_count; i++)
		if (job->order[i]->role == SL_ROLE_JOB)
			printf("%s %s", count++ ? "," : "", job->order[i]->name);
	printf(")\n");
	for (i = 0; i < job->order_count; i++)
		print_stage(job, job->order[i]);
	sl_plan_print(job, stdout);
	for (i = 0; i < notes.count; i++)
		printf("note: %s\n", notes.lines[i] ? notes.lines[i] : "out of memory");
	sl_diag_free(&notes);
	sl_loader_free(loader);
	sl_job_free(job);
	sl_registry_free(&reg);
	return 0;
}
