/*
 * main.c - the sluice command: dispatch to a subcommand (help.c lists
 * them).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	const sl_cli_command *c;

	sl_cli_process_setup();
	if (name == NULL) {
		sl_cli_usage(stderr);
		return 2;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	else if (strcmp(name, "--version") == 0)
		name = "version";
	if ((c = sl_cli_command_find(name)) == NULL)
		return sl_cli_unknown_command(name);
	if (sl_cli_wants_help(argc - 1, argv + 1)) {
		sl_cli_command_help(c, stdout);
		return 0;
	}
	return c->run(argc - 1, argv + 1);
}
