/*
 * optest.h - drive one operator plugin the way the engine does, with
 * records written as JSON and the clock in the test's hands.
 *
 * The plugin is found through the plugin path of the build (descriptor
 * and library), loaded by the core's loader and given the core's host
 * table, so options, defaults, per-record errors, metrics and state
 * behave as in `sluice run`.  Outputs are rendered one per line as
 * "KEY VALUE" (compact JSON; "-" for no key).
 */
#ifndef OPTEST_H
#define OPTEST_H

#include "runtime/stage.h"

#define OPTEST_MAX_OPTIONS 16
#define OPTEST_MAX_INPUT 256

typedef struct optest {
	sl_registry reg;
	sl_loader *loader;
	sl_job job;
	sl_job_stage def;
	sl_job_option options[OPTEST_MAX_OPTIONS];
	sl_engine engine;
	sl_stage stage;
	const sl_operator_class *op;
	void *self;
	sl_arena *arena;
	sl_batch batch;
	sl_error err;
	char out[1 << 19]; /* rendered outputs of the last call */
	char *in_text;    /* jansson-decoded inputs live in the arena */
} optest;

/*
 * Load plugin @p name from the build's plugin folders through the core's
 * registry and loader, as `sluice run` does; exits 99 when it cannot.
 */
const sl_plugin *optest_load_plugin(const char *name, sl_registry *reg,
				    sl_loader **loader);

/*
 * Open @p plugin with options "key=value" (NULL-terminated) and errors
 * policy @p errors (enum sl_errors_policy).  Option i is on line i + 3 of
 * "job.ini".  Returns SL_OK, or SL_ERR with t->err (the operator's open
 * failed) — the stage is then closed already.
 */
int optest_open(optest *t, const char *plugin, const char *const *options,
		int errors);

/*
 * Add a record to the next batch: its value as JSON text, its key as JSON
 * text (NULL for none), timestamp (-1 for none) and origin partition.
 */
void optest_add(optest *t, const char *value, const char *key, int64_t ts,
		const char *source, int32_t partition);

/*
 * Run the pending records through process(); outputs in t->out.  When
 * process asks for a tick (SL_MORE), its outputs follow, and what it
 * returns is returned: SL_MORE when it fired part of what was due.
 */
int optest_process(optest *t);
/* tick() at @p now and finish(); outputs in t->out; SL_MORE: call again. */
int optest_tick(optest *t, int64_t now);
int optest_finish(optest *t);

/* Process one record with value @p json (key NULL, source "src"). */
int optest_one(optest *t, const char *json);

/* The stage's metric @p name (0 when never added). */
int64_t optest_metric(const optest *t, const char *name);

void optest_close(optest *t);

/* Wall clock in ms, as the engine passes to tick(). */
int64_t optest_now(void);

#endif
