/*
 * cli.h - the sluice subcommands.  Each returns the process exit code:
 * 0 success, 1 runtime failure, 2 bad job file or usage.
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Size the process's thread stacks, malloc arenas and descriptors for a
 * job (process_setup.c); first thing in main. */
void sl_cli_process_setup(void);
/* Descriptors a job should have at least (a few Kafka clients, the
 * endpoint, files). */
#define SL_FDS_ADVISED 256
/* The descriptor limit when it is under SL_FDS_ADVISED, else 0. */
long sl_cli_descriptors_short(void);

/* An out-of-memory @p message (of @p size bytes) gets the limits that
 * applied appended: RLIMIT_AS, the memory cgroup's (memory_limit.c). */
void sl_cli_name_memory_limit(char *message, size_t size);
/* The memory limit of this process's cgroup in bytes, -1 for none, as
 * @p proc_cgroup (/proc/self/cgroup) places it under @p cgroup_fs
 * (/sys/fs/cgroup): memory.max (v2), memory.limit_in_bytes (v1). */
long long sl_cli_cgroup_memory_max(const char *proc_cgroup, const char *cgroup_fs);

int sl_cmd_run(int argc, char **argv);
int sl_cmd_validate(int argc, char **argv);
int sl_cmd_config(int argc, char **argv);
int sl_cmd_plugins(int argc, char **argv);
int sl_cmd_test(int argc, char **argv);

/* An option's value and its newline, a value that spans lines written as
 * continuation lines again (cmd_config.c). */
void sl_cli_write_value(FILE *out, const char *value);

/* A subcommand and its help (help.c holds the table). */
typedef struct sl_cli_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the name */
	const char *args;    /* what follows the name in its usage line */
	const char *summary; /* one line, for `sluice --help` */
	const char *help;    /* the rest of `sluice help NAME` */
} sl_cli_command;

/* The command named @p name, or NULL. */
const sl_cli_command *sl_cli_command_find(const char *name);
/* `sluice --help`: every command and its summary. */
void sl_cli_usage(FILE *out);
/* "Usage: sluice NAME ARGS" */
void sl_cli_command_usage(const sl_cli_command *c, FILE *out);
/* `sluice help NAME`: its usage line and help. */
void sl_cli_command_help(const sl_cli_command *c, FILE *out);
/* Say that @p name is no command, with a "did you mean"; returns 2. */
int sl_cli_unknown_command(const char *name);
/* Does a subcommand's @p argv ask for help (-h, --help before "--")? */
int sl_cli_wants_help(int argc, char **argv);

/*
 * Collect "--set stage.key=value" arguments; 0, or 2 after a usage message.
 * On 0 the caller free()s *overrides (their strings point into argv).
 */
struct sl_job_override;
int sl_cli_job_args(int argc, char **argv, const char **path,
		    struct sl_job_override **overrides, size_t *count);

/*
 * What run, validate and config share: the job file and --set of
 * @p argv, opened as sl_job_open() does with the engine's host table and
 * the plugins' own checks (plan notes to @p notes, may be NULL).
 * Returns the exit code sl_job_open() or the usage check gives.
 */
struct sl_diag;
struct sl_job;
struct sl_registry;
struct sl_loader;
int sl_cli_job_open(int argc, char **argv, struct sl_diag *notes,
		    struct sl_job **job, struct sl_registry *reg,
		    struct sl_loader **loader);

#endif
