/*
 * engine.h - run a job: open its stages wired as the job file says, move
 * batches through them, commit, close (engine.c).
 */
#ifndef SL_ENGINE_H
#define SL_ENGINE_H

#include "runtime/stage.h"

/*
 * Load and open every stage of @p job, run until every source is
 * exhausted, *stop becomes non-zero or a failure, commit, close.
 * Returns SL_OK or SL_ERR with @p err (kind SL_ERR_CONFIG for problems
 * that are the job file's: the exit code is then 2).
 */
int sl_engine_run(const sl_job *job, const sl_registry *reg, sl_loader *loader,
		  volatile sig_atomic_t *stop, int progress, sl_error *err);

/*
 * The host table the engine hands to every plugin (host.c): whoever
 * creates a loader passes it (plugin/loader.h), so the parts below the
 * runtime need not name it.
 */
extern const sl_host sl_core_host;

#endif
