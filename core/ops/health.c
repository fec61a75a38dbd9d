/*
 * health.c - what /health and /ready answer.
 *
 * Healthy: the run loop shows signs of life (a snapshot every tick, or a
 * restore under way) no longer than http.health.timeout ago; a loop
 * blocked longer (a stuck flush, a source that hangs) answers 503, so a
 * supervisor can restart it.  Before the loop first runs (stages
 * opening, the group joining) the process counts as alive for as long.
 * Under exactly-once, a job whose every transaction has aborted for as
 * long is alive but makes no progress: unhealthy too.  A sink waiting
 * to retry a call (its database restarting) is alive and not ready.
 * Ready: healthy, state restored, and every partitioned source has
 * partitions to read: records can flow.
 */
#include "config.h"

#include "base/clock.h"
#include "ops/ops.h"

void sl_health_check(const sl_telemetry_live *live, const sl_snapshot *snap,
		     int64_t timeout_ms, int64_t started_mono_ms, sl_health *out)
{
	int64_t now = sl_now_mono_ms();
	int64_t since = live->heartbeat_mono_ms ? live->heartbeat_mono_ms
						: started_mono_ms;

	out->idle_seconds = (double)(now - since) / 1000.0;
	out->reason = NULL;
	out->restarts = live->restarts;
	if (live->finished) {
		out->state = "finished";
		out->healthy = 1;
		out->ready = 0;
		out->reason = "the job has ended";
		return;
	}
	if (live->restoring) {
		out->state = "restoring";
		out->healthy = 1;
		out->ready = 0;
		out->reason = "restoring state";
		return;
	}
	out->healthy = now - since <= timeout_ms;
	if (!live->running) {
		out->state = out->healthy ? live->restarts ? "restarting" :
			     "starting" : "stuck";
		out->ready = 0;
		out->reason = out->healthy ? live->restarts ?
			      "the job is being reopened from its last commit" :
			      "the job is starting" :
			      "the job has not started running";
		return;
	}
	out->state = out->healthy ? "running" : "stuck";
	if (out->healthy && live->retrying[0] != '\0') {
		/* waiting for a system outside: alive, but records do not
		 * flow until it is back */
		out->state = "retrying";
		out->ready = 0;
		out->reason = live->retrying;
		return;
	}
	if (out->healthy && live->aborting_since_mono_ms != 0 &&
	    now - live->aborting_since_mono_ms > timeout_ms) {
		/* alive, but every transaction aborts: nothing gets through */
		out->healthy = 0;
		out->state = "aborting";
	}
	out->ready = out->healthy && snap != NULL && snap->ready;
	if (!out->healthy && live->aborting_since_mono_ms != 0)
		out->reason = "every transaction has aborted for longer than "
			      "http.health.timeout: the job makes no progress "
			      "(its log says why)";
	else if (!out->healthy)
		out->reason = "the run loop has shown no progress";
	else if (!out->ready)
		out->reason = snap != NULL && snap->not_ready ? snap->not_ready
							      : "the job is starting";
}
