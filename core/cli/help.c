/*
 * help.c - the commands of sluice, their help texts, and "did you mean"
 * for a mistyped one.  One table, so `sluice --help`, `sluice help CMD`,
 * `sluice CMD --help` and the dispatch in main.c cannot disagree.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sluice/host.h>

#include "cli/cli.h"
#include "base/suggest.h"

/* What every command that reads a job file takes after it. */
#define JOB_OPTIONS \
	"Options:\n" \
	"  --set stage.key=value  replace the key's value, or add the key, before\n" \
	"                         the job is checked; stage is a stage name or\n" \
	"                         \"job\"; repeatable, a later one wins\n" \
	"  --set=stage.key=value  the same\n" \
	"  --                     what follows is the job file, even if it starts\n" \
	"                         with '-'\n" \
	"  -h, --help             print this help\n"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const sl_cli_command commands[] = {
	{ "run", sl_cmd_run, "JOB.ini [--set stage.key=value]...",
	  "run a job",
	  "Check the job, load its plugins and run it.  A job whose sources all\n"
	  "end (a file, datagen with a count, Kafka with stop = end) exits 0\n"
	  "once everything is delivered and committed; otherwise it runs until\n"
	  "SIGINT or SIGTERM stops it cleanly (a second signal ends it at once).\n"
	  "\n" JOB_OPTIONS },
	{ "validate", sl_cmd_validate, "JOB.ini [--set stage.key=value]...",
	  "check a job without running it",
	  "Check the job as run would, without opening anything: sections and\n"
	  "names, every option against its plugin's descriptor, formats, the\n"
	  "wiring of stages, expressions, and each plugin's library.  Prints the\n"
	  "stages, how they are wired and the plan, or one FILE:LINE line per\n"
	  "problem (exit 2).\n"
	  "\n" JOB_OPTIONS },
	{ "config", sl_cmd_config, "JOB.ini [--set stage.key=value]...",
	  "print the job as it takes effect",
	  "Print the job file as run would take it: ${VAR}, ${VAR:-default} and\n"
	  "${file:PATH} replaced, --set values applied, one section per stage in\n"
	  "file order.  The value of a key that holds a secret (password,\n"
	  "*secret*, *.key*) and any value read with ${file:PATH} is shown as ***.\n"
	  "The job is checked first, as validate does: a job with problems\n"
	  "prints them instead (exit 2).\n"
	  "\n" JOB_OPTIONS },
	{ "test", sl_cmd_test, "JOB.ini CASES.ini [--set stage.key=value]...",
	  "run a job on test cases, compare its output",
	  "For each [case NAME] of CASES.ini, run the job with each source\n"
	  "reading the case's input.SOURCE records and each sink writing to a\n"
	  "file, without any broker or database (delivery = none, no [store]),\n"
	  "and compare what each sink got with the case's expect.SINK records\n"
	  "(as a multiset; in order with ordered = true).  Records are lines in\n"
	  "the stage's format, on the indented lines below the key or in @FILE;\n"
	  "with key.separator = TEXT, lines are KEY TEXT VALUE; fields = LIST\n"
	  "(timestamp, key, header.NAME, then value) gives them timestamps and\n"
	  "headers; table.OPERATOR gives a join its table rows (KEY TEXT VALUE,\n"
	  "a KEY alone a tombstone).  A failed case prints the records missing\n"
	  "(-) and those not expected (+).\n"
	  "Exit 0: every case passed; 1: one failed; 2: a bad job or cases file.\n"
	  "\n" JOB_OPTIONS },
	{ "plugins", sl_cmd_plugins, "[NAME]",
	  "list plugins, or describe one's options",
	  "Without NAME, list the plugin search path and every plugin on it.\n"
	  "With NAME, describe that plugin: kinds, library, ABI, descriptor and\n"
	  "its options, then the options every stage takes.  Plugins are\n"
	  "searched in $SLUICE_PLUGIN_PATH, the build tree's plugins when this\n"
	  "sluice is the one built there, then the installed directory:\n"
	  "  " SL_PLUGIN_DIR "\n"
	  "\n"
	  "Options:\n"
	  "  -h, --help             print this help\n" },
	{ "help", cmd_help, "[COMMAND]",
	  "this text, or one command's help",
	  "Without COMMAND, print the list of commands; with it, that command's\n"
	  "help, as `sluice COMMAND --help` does.\n" },
	{ "version", cmd_version, "",
	  "print the version and the plugin ABI (also --version)",
	  "Print the version of sluice and the major version of the plugin ABI\n"
	  "it loads.\n" },
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

const sl_cli_command *sl_cli_command_find(const char *name)
{
	size_t i;

	for (i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void sl_cli_usage(FILE *out)
{
	char left[128];
	size_t i;

	fputs("Usage:\n", out);
	for (i = 0; i < COMMAND_COUNT; i++) {
		if (strcmp(commands[i].name, "version") == 0)
			continue; /* the --version line below */
		snprintf(left, sizeof left, "sluice %s %s", commands[i].name,
			 commands[i].args);
		/* a long usage gets its summary on the next line */
		if (strlen(left) > 31)
			fprintf(out, "  %s\n  %-31s  %s\n", left, "",
				commands[i].summary);
		else
			fprintf(out, "  %-31s  %s\n", left, commands[i].summary);
	}
	fputs("  sluice --version | --help\n"
	      "\n"
	      "Exit codes: 0 success, 1 runtime failure, 2 bad job file or usage, 3 a record\n"
	      "stopped the job (restarting it reads the same record again).\n"
	      "Plugins are searched in job.plugin.path, $SLUICE_PLUGIN_PATH, the\n"
	      "build tree's plugins when this sluice is the one built there, then\n"
	      "the installed directory:\n"
	      "  " SL_PLUGIN_DIR "\n"
	      "SIGINT/SIGTERM stop a running job cleanly.\n"
	      "`sluice help COMMAND` (or `sluice COMMAND --help`) describes one\n"
	      "command; see sluice(1) and sluice-job(5) for the job file reference.\n",
	      out);
}

void sl_cli_command_usage(const sl_cli_command *c, FILE *out)
{
	fprintf(out, "Usage: sluice %s%s%s\n", c->name, *c->args ? " " : "",
		c->args);
}

void sl_cli_command_help(const sl_cli_command *c, FILE *out)
{
	sl_cli_command_usage(c, out);
	fprintf(out, "\n%s\n", c->help);
	fputs("Exit codes: 0 success, 1 runtime failure, 2 bad job file or usage, 3 a record\n"
	      "stopped the job (restarting it reads the same record again).\n"
	      "See sluice(1) and sluice-job(5).\n", out);
}

int sl_cli_unknown_command(const char *name)
{
	sl_suggest s;
	size_t i;

	sl_suggest_init(&s, name);
	for (i = 0; i < COMMAND_COUNT; i++)
		sl_suggest_consider(&s, commands[i].name);
	if (sl_suggest_best(&s) != NULL)
		fprintf(stderr, "sluice: unknown command '%s'; did you mean '%s'?\n",
			name, sl_suggest_best(&s));
	else
		fprintf(stderr, "sluice: unknown command '%s'\n", name);
	fputs("Run 'sluice --help' for the list of commands.\n", stderr);
	return 2;
}

int sl_cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--set") == 0) {
			i++; /* its value is not an option */
			continue;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	const sl_cli_command *c;

	if (argc < 2) {
		sl_cli_usage(stdout);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "sluice help: one command at a time\n");
		sl_cli_command_usage(sl_cli_command_find("help"), stderr);
		return 2;
	}
	if ((c = sl_cli_command_find(argv[1])) == NULL)
		return sl_cli_unknown_command(argv[1]);
	sl_cli_command_help(c, stdout);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "sluice version: takes no arguments\n");
		return 2;
	}
	printf("sluice %s (plugin ABI %d)\n", PACKAGE_VERSION, SL_ABI_MAJOR);
	return 0;
}
