/*
 * engine.c - run a job: open its stages (stages.c), then poll sources
 * and move their batches down the graph (flow.c), through the formats at
 * the edges (edge.c), committing as it goes (commit.c).
 *
 * One thread runs the job: poll a source for a batch, decode it, run it
 * through the operators that read from it and into the sinks, release the
 * batch's memory; every commit.interval.ms flush the sinks and then commit
 * the sources' positions, so a position is committed only once every
 * record before it is acknowledged by every sink (at-least-once).
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/error.h"
#include "job/secret.h"
#include "runtime/changelog.h"
#include "runtime/align.h"
#include "runtime/commit.h"
#include "runtime/edge.h"
#include "runtime/engine.h"
#include "runtime/event_time.h"
#include "runtime/flow.h"
#include "runtime/hop.h"
#include "runtime/inputs.h"
#include "runtime/log.h"
#include "runtime/progress.h"
#include "runtime/stages.h"
#include "runtime/state_host.h"
#include "runtime/telemetry.h"
#include "runtime/wake.h"

#define BATCH_MAX 1024
#define TICK_MS 100

/* ---- the loop ---------------------------------------------------------- */

static void summary(const sl_engine *e)
{
	size_t i, j;

	for (i = 0; i < e->stage_count; i++) {
		const sl_stage *s = &e->stages[i];
		char extra[512] = "";
		size_t n = 0;

		for (j = 0; j < s->metric_count && n < sizeof extra; j++)
			n += (size_t)snprintf(extra + n, sizeof extra - n, ", %s %lld",
					      s->metrics[j].name,
					      (long long)s->metrics[j].value);
		if (s->kind == SL_KIND_STORE) /* handles no records */
			continue;
		if (s->state.peak_bytes > 0)
			n += (size_t)snprintf(extra + n, n < sizeof extra ?
					      sizeof extra - n : 0,
					      ", state at most %zu bytes (%zu keys)",
					      s->state.peak_bytes, s->state.peak_keys);
		if (s->kind == SL_KIND_SOURCE)
			sl_stage_log(s, SL_LOG_INFO, "records out %llu, skipped %llu%s",
				     (unsigned long long)s->records_out,
				     (unsigned long long)s->skipped, extra);
		else
			sl_stage_log(s, SL_LOG_INFO,
				     "records in %llu, out %llu, skipped %llu%s",
				     (unsigned long long)s->records_in,
				     (unsigned long long)s->records_out,
				     (unsigned long long)s->skipped, extra);
	}
}

/* Poll one source, run its batch through the job.  SL_EOF when done. */
/* Each stateful stage's largest state so far, for the summary. */
static void note_state_size(sl_engine *e)
{
	size_t i, j;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];
		size_t bytes = 0, keys = 0;

		for (j = 0; j < s->state.count; j++) {
			bytes += sl_store_bytes(s->state.stores[j]);
			keys += sl_store_count(s->state.stores[j]);
		}
		if (bytes > s->state.peak_bytes) {
			s->state.peak_bytes = bytes;
			s->state.peak_keys = keys;
		}
	}
}

static int pump_source(sl_engine *e, sl_stage *s, int timeout_ms,
		       sl_origin *polled, int *got, sl_error *err)
{
	sl_batch b;
	uint32_t i, npolled;
	int rc, prc;

	*got = 0;
	if (sl_flow_batch_init(e, &b, e->batch_max) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	prc = s->plugin->source->poll(s->self, &b, e->batch_max, timeout_ms, err);
	if (prc == SL_ERR) {
		sl_inputs_settle(e, s, 0, NULL);
		sl_flow_release(e);
		if (err->kind != SL_ERR_CONFIG)
			sl_error_prefix(err, "stage '%s': ", s->def->name);
		return SL_ERR;
	}
	*got = b.count > 0;
	sl_telemetry_count_bytes(&s->bytes_in, &b);
	for (i = 0; i < b.count; i++) {
		b.records[i].origin.stage = s->def->name;
		polled[i] = b.records[i].origin;
	}
	npolled = b.count;
	if (s->def->role == SL_ROLE_REPARTITION_SOURCE)
		sl_hop_drop_replays(e, s, &b);
	rc = sl_edge_decode(s, &b, err);
	s->records_out += b.count;
	if (b.count > 0) {
		sl_error sub;
		int d = sl_flow_deliver(e, s, &b, rc == SL_OK ? err : &sub);

		if (d != SL_OK && rc == SL_OK)
			rc = d;
		else if (d != SL_OK && sub.kind != SL_ERR_RECORD)
			*err = sub, rc = SL_ERR;
	}
	if (rc == SL_OK || err->kind == SL_ERR_RECORD) {
		if (sl_commit_advance(e, s, polled, npolled) != 0)
			rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	/* what the source reported while filling the batch comes after it */
	if (sl_inputs_settle(e, s, rc == SL_OK, err) != SL_OK)
		rc = SL_ERR;
	sl_flow_release(e);
	if (npolled > 0)
		note_state_size(e);
	if (rc == SL_OK && npolled > 0 &&
	    sl_align_source(e, s, sl_now_wall_ms(), err) != SL_OK)
		rc = SL_ERR;
	if (rc != SL_OK)
		return SL_ERR;
	if (prc == SL_EOF) {
		s->finished = 1;
		return SL_EOF;
	}
	return SL_OK;
}

/*
 * A finished source may still have a client to serve (a consumer group
 * member answers rebalances, or the whole group waits for it): it is
 * polled without room for records while other sources run.
 */
static int serve_finished(sl_engine *e, sl_stage *s, sl_error *err)
{
	sl_batch b;
	int rc;

	if (sl_flow_batch_init(e, &b, 0) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	rc = s->plugin->source->poll(s->self, &b, 0, 0, err);
	sl_inputs_settle(e, s, 0, NULL);
	sl_flow_release(e);
	if (rc == SL_ERR) {
		sl_error_prefix(err, "stage '%s': ", s->def->name);
		return SL_ERR;
	}
	return SL_OK;
}

/* Operator @p s's tick or finish, if it has one; what it emits goes on. */
static int emit(sl_engine *e, sl_stage *s, int finishing, int64_t now,
		sl_error *err)
{
	const sl_operator_class *op = s->plugin->op;
	sl_batch out;
	int rc;

	s->tick_soon = 0;
	if (finishing ? op->finish == NULL : op->tick == NULL)
		return SL_OK;
	/* SL_MORE: a part, passed on before the next is made, so one
	 * batch's memory holds one part only */
	do {
		if (sl_flow_batch_init(e, &out, 0) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		rc = finishing ? op->finish(s->self, &out, err)
			       : op->tick(s->self, now, &out, err);
		if ((rc == SL_OK || rc == SL_MORE) && out.count > 0) {
			s->records_out += out.count;
			if (sl_flow_deliver(e, s, &out, err) != SL_OK)
				rc = SL_ERR;
		} else if (rc == SL_MORE) {
			rc = SL_OK; /* no part: the next tick goes on */
		}
		sl_flow_release(e);
	} while (rc == SL_MORE && !*e->stop);
	return rc == SL_OK || rc == SL_MORE ? SL_OK : SL_ERR;
}

/* Every operator's tick (@p soon: those that asked for one only) or
 * finish. */
static int emit_all(sl_engine *e, int finishing, int soon, int64_t now,
		    sl_error *err)
{
	size_t i;

	e->tick_soon = 0;
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if (s->kind == SL_KIND_OPERATOR && (!soon || s->tick_soon) &&
		    emit(e, s, finishing, now, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

static int run_loop(sl_engine *e, sl_origin *polled, sl_error *err)
{
	const sl_job *job = e->job;
	int64_t last_commit = sl_now_mono_ms(), last_tick = last_commit;
	size_t i, active, ended = 0;

	for (;;) {
		int busy = 0, wakes;
		int64_t now;

		active = 0;
		for (i = 0; i < e->stage_count; i++)
			active += e->stages[i].kind == SL_KIND_SOURCE &&
				  !e->stages[i].finished;
		if (active == 0 || *e->stop)
			break;
		/* a source finished: repartition topics behind it may end */
		if (e->stage_count - active != ended) {
			ended = e->stage_count - active;
			if (sl_hop_end_inputs(e, err) != SL_OK)
				return SL_ERR;
		}
		/* sources that wake the loop never wait in their poll: the
		 * loop waits for all of them at once, below (wake.c) */
		wakes = sl_wake_every_source(e);
		for (i = 0; i < e->stage_count && !*e->stop; i++) {
			sl_stage *s = &e->stages[i];
			int got;

			if (s->kind != SL_KIND_SOURCE)
				continue;
			if (s->finished) {
				if (serve_finished(e, s, err) != SL_OK)
					return SL_ERR;
				continue;
			}
			/* several sources share the tick budget */
			if (pump_source(e, s, busy || wakes ? 0 :
					(int)(TICK_MS / active),
					polled, &got, err) == SL_ERR)
				return SL_ERR;
			busy |= got;
			if (e->tick_soon &&
			    emit_all(e, 0, 1, sl_now_wall_ms(), err) != SL_OK)
				return SL_ERR;
		}
		now = sl_now_mono_ms();
		if (wakes && !busy && !e->tick_soon && !*e->stop) {
			int64_t until = last_tick + TICK_MS;

			if (last_commit + job->commit_interval_ms < until)
				until = last_commit + job->commit_interval_ms;
			if (until > now)
				sl_wake_wait(e, (int)(until - now));
			now = sl_now_mono_ms();
		}
		if (now - last_tick >= TICK_MS) {
			last_tick = now;
			if (emit_all(e, 0, 0, sl_now_wall_ms(), err) != SL_OK)
				return SL_ERR;
			note_state_size(e);
			if (sl_align_tick(e, sl_now_wall_ms(), err) != SL_OK)
				return SL_ERR;
			if (e->progress)
				sl_progress_update(e, 0);
			sl_telemetry_publish(e, 0);
		}
		if (now - last_commit >= job->commit_interval_ms) {
			last_commit = now;
			if (sl_commit_cycle(e, 0, err) != SL_OK)
				return SL_ERR;
		}
	}
	note_state_size(e);
	if (!*e->stop && emit_all(e, 1, 0, sl_now_wall_ms(), err) != SL_OK)
		return SL_ERR;
	return SL_OK;
}

/* One run of the job: open, loop, commit, close. */
static int run_once(const sl_job *job, const sl_registry *reg, sl_loader *loader,
		    volatile sig_atomic_t *stop, int progress, sl_error *err)
{
	sl_engine e;
	sl_origin *polled = NULL;
	size_t i;
	int rc = SL_ERR;

	memset(&e, 0, sizeof e);
	e.wake[0] = e.wake[1] = -1;
	e.job = job;
	e.registry = reg;
	e.stop = stop;
	e.progress = progress;
	e.batch_max = BATCH_MAX;
	sl_log_set_level(job->log_level);
	e.loader = loader;
	e.arena = sl_arena_new();
	e.stages = calloc(job->order_count, sizeof *e.stages);
	polled = malloc(e.batch_max * sizeof *polled);
	if (e.loader == NULL || e.arena == NULL || e.stages == NULL || polled == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto out;
	}
	e.stage_count = job->order_count;
	for (i = 0; i < job->order_count; i++) {
		e.stages[i].def = job->order[i];
		e.stages[i].engine = &e;
		e.stages[i].kind = job->order[i]->kind;
	}
	if (sl_stages_wire(&e, err) != SL_OK || sl_wake_open(&e, err) != SL_OK)
		goto out;
	/*
	 * In order, sources first: nothing is read before the loop polls,
	 * and a sink may take settings from the source it works with (a
	 * transactional id from the group's static membership).  The
	 * sources of repartition hops come last, once their topics exist.
	 */
	if (sl_inputs_open(&e, err) != SL_OK ||
	    sl_stages_open(&e, 0, err) != SL_OK || sl_hop_prepare(&e, err) != SL_OK ||
	    sl_stages_open(&e, 1, err) != SL_OK ||
	    sl_commit_open(&e, err) != SL_OK || sl_stages_find_dead_letter_sink(&e, err) != SL_OK ||
	    sl_changelog_open(&e, sl_commit_txn_owner(&e), err) != SL_OK ||
	    sl_align_open(&e, err) != SL_OK || *stop) {
		/* asked to stop while it opened (a plugin waiting for its
		 * cluster gives up then): nothing was read, a clean stop */
		if (*stop) {
			sl_stage_log(NULL, SL_LOG_INFO, "job '%s' stopped before "
				     "it ran", job->name);
			rc = SL_OK;
		}
		goto out;
	}
	sl_stage_log(NULL, SL_LOG_INFO, "job '%s' running (%zu stages, delivery %s)",
		     job->name, e.stage_count, sl_job_delivery_name(job->delivery));
	rc = run_loop(&e, polled, err);
	if (rc == SL_OK || err->kind == SL_ERR_RECORD) {
		/* commit what came before a failed record, nothing after it */
		sl_error cerr;
		uint64_t aborts = sl_commit_aborts(&e);

		if (sl_commit_cycle(&e, 1, rc == SL_OK ? err : &cerr) != SL_OK) {
			rc = SL_ERR;
			sl_commit_abort(&e);
		} else if (sl_commit_aborts(&e) != aborts && rc == SL_OK &&
			   !*stop) {
			/* Rewound with nothing left to run it again (the
			 * sources have ended, the outputs of finish are gone):
			 * ending well would lose them.  The next run starts
			 * from the last commit and does it again.  (Stopped,
			 * a job reads it again when it is started anyway.) */
			rc = sl_error_set(err, SL_ERR_RUNTIME, "the job's last "
					  "transaction was aborted (see above): what it "
					  "carried is not committed; run the job again to "
					  "finish it from the last commit");
		}
	} else {
		sl_commit_abort(&e);
	}
	if (e.progress)
		sl_progress_update(&e, 1);
	summary(&e);
	sl_telemetry_publish(&e, 1);
out:
	sl_align_close(&e);
	for (i = 0; i < e.stage_count; i++)
		sl_stage_close(&e.stages[i]);
	if (e.arena != NULL)
		sl_flow_release(&e);
	free(e.releases);
	sl_changelog_close(&e);
	sl_commit_close(&e);
	sl_inputs_close(&e);
	sl_wake_close(&e);
	free(e.stages);
	free(polled);
	sl_arena_free(e.arena);
	return rc;
}

/* ---- restarts in place -------------------------------------------------- */

/* Waits between restarts: doubling from the first to the last, back to
 * the first once a run has lasted RESTART_STABLE_MS. */
#define RESTART_FIRST_MS 1000
#define RESTART_MAX_MS 30000
#define RESTART_STABLE_MS 60000

/* Sleeps @p ms unless asked to stop; 1 when asked. */
static int restart_pause(int64_t ms, volatile sig_atomic_t *stop)
{
	int64_t until = sl_now_mono_ms() + ms;

	while (!*stop && sl_now_mono_ms() < until) {
		struct timespec tick = { 0, 50 * 1000000L };
		nanosleep(&tick, NULL);
	}
	return *stop != 0;
}

/*
 * A run that ends in SL_ERR_RESTART lost a client only a new one heals:
 * everything it did not commit was aborted with it, so opening the job
 * again resumes it from its last commit, as a restarted process would,
 * without the process (nor its endpoint, nor its counters' observers)
 * going away.  As Flink's exponential-delay restarts, without a limit.
 */
int sl_engine_run(const sl_job *job, const sl_registry *reg, sl_loader *loader,
		  volatile sig_atomic_t *stop, int progress, sl_error *err)
{
	int64_t wait = RESTART_FIRST_MS;
	unsigned restarts = 0;

	for (;;) {
		int64_t began = sl_now_mono_ms();
		int rc = run_once(job, reg, loader, stop, progress, err);

		if (rc == SL_OK || err->kind != SL_ERR_RESTART)
			return rc;
		/* stopping anyway: a restart would only have resumed from
		 * the last commit, which is where the next run starts */
		if (*stop) {
			sl_job_hide_secrets(job, err->message, sizeof err->message);
			sl_stage_log(NULL, SL_LOG_WARN, "%s; stopping: the next "
				     "run resumes from the last commit",
				     err->message);
			return SL_OK;
		}
		if (sl_now_mono_ms() - began >= RESTART_STABLE_MS)
			wait = RESTART_FIRST_MS;
		restarts++;
		/* a plugin may quote a value it was given, as at the top */
		sl_job_hide_secrets(job, err->message, sizeof err->message);
		sl_stage_log(NULL, SL_LOG_WARN, "%s; restarting the job from its "
			     "last commit in %.1f s (restart %u)", err->message,
			     (double)wait / 1000.0, restarts);
		sl_telemetry_restart(restarts);
		if (restart_pause(wait, stop))
			return SL_OK; /* stopped: nothing was left uncommitted */
		wait = wait * 2 > RESTART_MAX_MS ? RESTART_MAX_MS : wait * 2;
	}
}
