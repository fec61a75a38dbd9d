/*
 * main.c - the sluice command: dispatch to a subcommand.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sluice/host.h>

#include "cli/cli.h"

#define SL_ABI_MAJOR_VERSION SL_ABI_MAJOR

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      "  sluice run JOB.ini [--set stage.key=value]...   run a job\n"
	      "  sluice validate JOB.ini [--set stage.key=value]...\n"
	      "                                   check a job without running it\n"
	      "  sluice plugins [NAME]            list plugins, or describe one's options\n"
	      "  sluice --version | --help\n"
	      "\n"
	      "Exit codes: 0 success, 1 runtime failure, 2 bad job file or usage.\n"
	      "Plugins are searched in job.plugin.path, $SLUICE_PLUGIN_PATH, the\n"
	      "build tree's plugins when this sluice is the one built there, then\n"
	      "the installed directory " SL_PLUGIN_DIR ".\n"
	      "SIGINT/SIGTERM stop a running job cleanly.  See sluice(1) and\n"
	      "sluice-job(5) for the job file reference.\n", out);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd == NULL) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("sluice %s (plugin ABI %d)\n", PACKAGE_VERSION, SL_ABI_MAJOR_VERSION);
		return 0;
	}
	if (strcmp(cmd, "run") == 0)
		return sl_cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "validate") == 0)
		return sl_cmd_validate(argc - 1, argv + 1);
	if (strcmp(cmd, "plugins") == 0)
		return sl_cmd_plugins(argc - 1, argv + 1);
	fprintf(stderr, "sluice: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
