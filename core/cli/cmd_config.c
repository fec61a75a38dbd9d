/*
 * cmd_config.c - `sluice config JOB.ini [--set stage.key=value]...`:
 * the job as run would take it, after ${...} and --set, as an INI file
 * with the values of secrets shown as ***.
 *
 * The job is checked first exactly as `validate` checks it (same
 * function, same messages, exit 2), so what is printed is a job that
 * would start.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "job/job.h"
#include "job/secret.h"
#include "plugin/loader.h"
#include "runtime/stage_check.h"

void sl_cli_write_value(FILE *out, const char *value)
{
	const char *nl;

	while ((nl = strchr(value, '\n')) != NULL) {
		fprintf(out, "%.*s\n  ", (int)(nl - value), value);
		value = nl + 1;
	}
	fprintf(out, "%s\n", value);
}

static void print_options(const sl_job *job, const sl_job_option *opts,
			  size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		printf("%s = ", opts[i].key);
		if (sl_job_option_is_secret(job, &opts[i]))
			printf("***\n");
		else
			sl_cli_write_value(stdout, opts[i].value);
	}
}

int sl_cmd_config(int argc, char **argv)
{
	sl_loader *loader = NULL;
	const sl_job_stage *st;
	size_t i;
	sl_registry reg;
	sl_job *job;
	int rc;

	rc = sl_cli_job_open(argc, argv, NULL, &job, &reg, &loader);
	if (rc != 0)
		return rc;
	printf("; %s as it takes effect: ${...} replaced, --set applied,\n"
	       "; the values of secrets shown as ***\n", job->path);
	printf("[job]\n");
	print_options(job, job->job_options, job->job_option_count);
	/* the job file's own stages, in its order; not the planner's */
	for (i = 0; i < job->stage_count; i++) {
		st = &job->stages[i];
		printf("\n[%s %s]\n", sl_kind_name(st->kind), st->name);
		print_options(job, st->options, st->option_count);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("sluice config: stdout");
		rc = 1;
	}
	sl_loader_free(loader);
	sl_job_free(job);
	sl_registry_free(&reg);
	return rc;
}
