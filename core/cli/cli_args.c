/*
 * cli_args.c - the arguments `run`, `validate` and `config` share:
 * JOB.ini [--set stage.key=value | --set=stage.key=value]...
 *
 * A --set is parsed in place: the override points into argv.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "job/job.h"
#include "runtime/engine.h"
#include "runtime/stage_check.h"

/* Print "sluice CMD: WHAT 'ARG'" and the usage line; returns 2. */
static int usage(const char *cmd, const char *what, const char *arg,
		 sl_job_override **overrides, size_t *count)
{
	free(*overrides);
	*overrides = NULL;
	*count = 0;
	if (arg != NULL)
		fprintf(stderr, "sluice %s: %s '%s'\n", cmd, what, arg);
	else
		fprintf(stderr, "sluice %s: %s\n", cmd, what);
	if (sl_cli_command_find(cmd) != NULL)
		sl_cli_command_usage(sl_cli_command_find(cmd), stderr);
	fprintf(stderr, "Run 'sluice %s --help' for more.\n", cmd);
	return 2;
}

int sl_cli_job_args(int argc, char **argv, const char **path,
		    struct sl_job_override **overrides, size_t *count)
{
	const char *cmd = argc > 0 ? argv[0] : "?";
	char *text;
	int i, options_done = 0;

	*path = NULL;
	*count = 0;
	*overrides = calloc(argc > 0 ? (size_t)argc : 1, sizeof **overrides);
	if (*overrides == NULL) {
		fprintf(stderr, "sluice: out of memory\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (!options_done && strcmp(argv[i], "--") == 0) {
			options_done = 1;
			continue;
		}
		if (!options_done && strcmp(argv[i], "--set") == 0) {
			if (++i == argc)
				return usage(cmd, "--set needs stage.key=value", NULL,
					     overrides, count);
			text = argv[i];
		} else if (!options_done && strncmp(argv[i], "--set=", 6) == 0) {
			text = argv[i] + 6;
		} else if (!options_done && argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage(cmd, "unknown option", argv[i], overrides, count);
		} else if (*path != NULL) {
			return usage(cmd, "one job file at a time; extra argument",
				     argv[i], overrides, count);
		} else {
			*path = argv[i];
			continue;
		}
		if (sl_job_override_parse(text, &(*overrides)[*count]) != 0)
			return usage(cmd, "--set expects stage.key=value, not", text,
				     overrides, count);
		(*count)++;
	}
	if (*path == NULL)
		return usage(cmd, "missing the job file", NULL, overrides, count);
	return 0;
}

int sl_cli_job_open(int argc, char **argv, sl_diag *notes, sl_job **job,
		    sl_registry *reg, sl_loader **loader)
{
	sl_job_override *overrides;
	sl_job_request req = { .host = &sl_core_host,
			       .checker = sl_stage_checks, .notes = notes };
	int rc;

	*job = NULL;
	*loader = NULL;
	memset(reg, 0, sizeof *reg);
	if ((rc = sl_cli_job_args(argc, argv, &req.path, &overrides,
				  &req.override_count)) != 0)
		return rc;
	req.overrides = overrides;
	rc = sl_job_open(&req, job, reg, loader);
	free(overrides);
	return rc;
}
