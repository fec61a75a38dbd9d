/*
 * cmd_run.c - `sluice run JOB.ini [--set stage.key=value]...`
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "job/secret.h"
#include "ops/ops.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/stage_check.h"

static volatile sig_atomic_t stop_requested;

/* The first signal asks for a clean stop; a second one kills at once. */
static void on_signal(int sig)
{
	if (stop_requested) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a closed stdout pipe is a write error to report, not a death */
	signal(SIGPIPE, SIG_IGN);
	/* SIGHUP is not a reload: left to its default, it ends the process
	 * (see sluice(1)); restart the job to read a changed job file */
}

int sl_cmd_run(int argc, char **argv)
{
	sl_diag notes = { 0 };
	sl_loader *loader = NULL;
	sl_ops *ops = NULL;
	sl_registry reg;
	sl_job *job = NULL;
	sl_error err;
	int rc;

	memset(&reg, 0, sizeof reg);
	rc = sl_cli_job_open(argc, argv, &notes, &job, &reg, &loader);
	if (job != NULL) { /* from here on, the job's log.level and format */
		sl_log_set_level(job->log_level);
		sl_log_set_format(job->log_json, job->name);
	}
	for (size_t i = 0; i < notes.count; i++)
		sl_stage_log(NULL, SL_LOG_WARN, "%s",
			     notes.lines[i] ? notes.lines[i] : "out of memory");
	sl_diag_free(&notes);
	if (rc != 0)
		goto out;
	if (sl_cli_descriptors_short() > 0)
		sl_stage_log(NULL, SL_LOG_WARN, "only %ld file descriptors (ulimit "
			     "-n %ld, and its hard limit): each Kafka client takes "
			     "one per broker and a few more; give the job at least "
			     "%d", sl_cli_descriptors_short(),
			     sl_cli_descriptors_short(), SL_FDS_ADVISED);
	install_signals();
	memset(&err, 0, sizeof err);
	if (job->http_listen != NULL && sl_ops_start(job, &ops, &err) != SL_OK) {
		sl_job_hide_secrets(job, err.message, sizeof err.message);
		sl_stage_log(NULL, SL_LOG_ERROR, "%s", err.message);
		rc = err.kind == SL_ERR_CONFIG ? 2 : 1;
		goto out;
	}
	/* a status line would break JSON lines apart */
	if (sl_engine_run(job, &reg, loader, &stop_requested,
			  isatty(STDERR_FILENO) && !job->log_json, &err) != SL_OK) {
		/* a plugin may quote a value it was given: not one of ${file:} */
		sl_job_hide_secrets(job, err.message, sizeof err.message);
		sl_cli_name_memory_limit(err.message, sizeof err.message);
		sl_stage_log(NULL, SL_LOG_ERROR, "%s", err.message);
		/* 3: a record stopped the job, and a restart reads it again;
		 * a supervisor should not restart it (sluice(1)) */
		rc = err.kind == SL_ERR_CONFIG ? 2 : err.kind == SL_ERR_RECORD ? 3 : 1;
	}
out:
	sl_ops_stop(ops);
	sl_loader_free(loader);
	sl_job_free(job);
	sl_registry_free(&reg);
	return rc;
}
