/*
 * cli.h - the sluice subcommands.  Each returns the process exit code:
 * 0 success, 1 runtime failure, 2 bad job file or usage.
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include <stddef.h>

int sl_cmd_run(int argc, char **argv);
int sl_cmd_validate(int argc, char **argv);
int sl_cmd_plugins(int argc, char **argv);
/*
 * Collect "--set stage.key=value" arguments; 0, or 2 after a usage message.
 * On 0 the caller free()s *overrides (their strings point into argv).
 */
struct sl_job_override;
int sl_cli_job_args(int argc, char **argv, const char **path,
		    struct sl_job_override **overrides, size_t *count);

#endif
