/*
 * cmd_validate.c - `sluice validate JOB.ini [--set stage.key=value]...`
 *
 * Checks the job against the plugin descriptors only: no plugin library
 * is loaded, so validating never runs plugin code.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "job.h"

/* The stages that read from @p st, comma-separated, in file order. */
static void print_readers(const sl_job *job, const sl_job_stage *st)
{
	size_t i, k;
	int first = 1;

	for (i = 0; i < job->stage_count; i++) {
		for (k = 0; k < job->stages[i].input_count; k++) {
			if (job->stages[i].inputs[k] != st)
				continue;
			printf("%s%s", first ? " -> " : ", ", job->stages[i].name);
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

static int is_plugin(const sl_job_stage *st, const char *name)
{
	return strcmp(st->plugin->name, name) == 0;
}

/*
 * The nearest key_by upstream of @p st (NULL if none) and, through
 * *@p source, a kafka source upstream of that.  The depth bounds a walk
 * that validation has already proven acyclic.
 */
static const sl_job_stage *keyed_by(const sl_job_stage *st,
				    const sl_job_stage **source, int depth)
{
	const sl_job_stage *k = NULL;
	size_t i;

	for (i = 0; i < st->input_count && depth > 0; i++) {
		const sl_job_stage *in = st->inputs[i];

		if (in->kind == SL_KIND_SOURCE) {
			if (is_plugin(in, "kafka") && *source == NULL)
				*source = in;
		} else {
			const sl_job_stage *up = keyed_by(in, source, depth - 1);

			if (k == NULL)
				k = is_plugin(in, "key_by") ? in : up;
		}
	}
	return k;
}

/*
 * Keyed state is partitioned like the input (a record's state lives with
 * its input partition), which is right only when the input is keyed by
 * the grouping key.  Validation cannot see how a topic is keyed, so it
 * says when it matters.  Plugins are not loaded here, so the stateful
 * operators are known by name.
 */
static void print_state_notes(const sl_job *job)
{
	size_t i;

	for (i = 0; i < job->stage_count; i++) {
		const sl_job_stage *st = &job->stages[i], *source = NULL, *key;
		const sl_job_option *expr;

		if (st->kind != SL_KIND_OPERATOR ||
		    (!is_plugin(st, "aggregate") && !is_plugin(st, "window")))
			continue;
		key = keyed_by(st, &source, (int)job->stage_count);
		if (key == NULL || source == NULL)
			continue;
		/* grouping by the message key is how the topic is keyed */
		expr = sl_job_stage_option(key, "expr");
		if (expr != NULL && strcmp(expr->value, "key") == 0)
			continue;
		printf("note: stage '%s' keeps state per key of stage '%s' "
		       "(key_by), partitioned like the topics of source '%s': "
		       "unless all records of a key come from one partition (a "
		       "topic keyed by that key or a part of it), the job needs a "
		       "single instance or such a topic (Sluice does not "
		       "repartition yet)\n", st->name, key->name, source->name);
	}
}

int sl_cmd_validate(int argc, char **argv)
{
	struct sl_job_override *overrides;
	const char *path;
	size_t count, i;
	sl_registry reg;
	sl_job *job;
	int rc;

	if ((rc = sl_cli_job_args(argc, argv, &path, &overrides, &count)) != 0)
		return rc;
	rc = sl_job_open(path, overrides, count, &job, &reg);
	free(overrides);
	if (rc != 0)
		return rc;
	printf("%s: ok (%zu stage%s:", path, job->stage_count,
	       job->stage_count == 1 ? "" : "s");
	for (i = 0; i < job->stage_count; i++)
		printf("%s %s", i ? "," : "", job->order[i]->name);
	printf(")\n");
	for (i = 0; i < job->stage_count; i++)
		print_stage(job, job->order[i]);
	print_state_notes(job);
	sl_job_free(job);
	sl_registry_free(&reg);
	return 0;
}
