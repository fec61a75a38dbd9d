/*
 * retry.c - see retry.h.
 *
 * The wait blocks the job's thread, as the failing call did: records
 * cannot go anywhere meanwhile.  It is cut in ticks that watch for a
 * stop and keep the endpoint's heartbeat alive, so /health stays 200
 * (the process is fine) while /ready and /status say what it waits for.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "base/clock.h"
#include "base/error.h"
#include "job/secret.h"
#include "runtime/log.h"
#include "runtime/metric.h"
#include "runtime/retry.h"
#include "runtime/telemetry.h"

#define TICK_MS 100
/* After the first failure, one log line per this many tries. */
#define LOG_EVERY 10

static int stopping(const sl_stage *s)
{
	return s->engine->stop != NULL && *s->engine->stop;
}

int sl_retry_wait(sl_stage *s, const char *doing, sl_error *err)
{
	const sl_stage_settings *set = &s->def->settings;
	int64_t backoff = s->retry_wait_ms ? s->retry_wait_ms : set->retry_backoff_ms;
	int64_t wait = backoff;
	int64_t until;
	/* what /ready and /status say; a long error is cut */
	char what[SL_ERROR_MAX + 128];

	/* the other side said when (Retry-After): that, not the backoff,
	 * but never busier than retry.backoff nor longer than the maximum */
	if (s->retry_after_ms > 0) {
		wait = s->retry_after_ms;
		if (wait < set->retry_backoff_ms)
			wait = set->retry_backoff_ms;
		s->retry_after_ms = 0;
	}
	if (wait > set->retry_max_backoff_ms)
		wait = set->retry_max_backoff_ms;
	if (backoff > set->retry_max_backoff_ms)
		backoff = set->retry_max_backoff_ms;
	s->retry_tries++;
	sl_stage_metric_add(s, "retries", 1);
	/* logged and served now, not only at the top: no ${VAR} value */
	sl_job_hide_secrets(s->engine->job, err->message, sizeof err->message);
	if (s->retry_tries == 1 || s->retry_tries % LOG_EVERY == 0)
		sl_stage_log(s, SL_LOG_WARN, "%s failed (%s); trying again in "
			     "%.1f s (try %llu; nothing is committed meanwhile)",
			     doing, err->message, (double)wait / 1000.0,
			     (unsigned long long)s->retry_tries);
	snprintf(what, sizeof what, "stage '%s' is retrying %s (try %llu): %s",
		 s->def->name, doing, (unsigned long long)s->retry_tries,
		 err->message);
	until = sl_now_mono_ms() + wait;
	while (sl_now_mono_ms() < until) {
		struct timespec tick = { 0, TICK_MS * 1000000L };

		if (stopping(s)) {
			sl_error_prefix(err, "stopped while %s was retried: ",
					doing);
			err->kind = SL_ERR_RUNTIME;
			return SL_ERR;
		}
		/* the loop is held here: its counters and heartbeat too */
		sl_telemetry_retrying(what);
		sl_telemetry_publish(s->engine, 0);
		nanosleep(&tick, NULL);
	}
	s->retry_wait_ms = backoff * 2;
	return SL_OK;
}

void sl_retry_done(sl_stage *s)
{
	/* a wait asked for by a call that then succeeded is no one's */
	s->retry_after_ms = 0;
	if (s->retry_tries == 0)
		return;
	sl_stage_log(s, SL_LOG_INFO, "recovered after %llu tr%s",
		     (unsigned long long)s->retry_tries,
		     s->retry_tries == 1 ? "y" : "ies");
	s->retry_tries = 0;
	s->retry_wait_ms = 0;
	sl_telemetry_retrying(NULL);
}

int sl_retry_write(sl_stage *s, const sl_batch *b, sl_error *err)
{
	for (;;) {
		if (s->plugin->sink->write(s->self, b, err) == SL_OK) {
			sl_retry_done(s);
			return SL_OK;
		}
		if (err->kind != SL_ERR_RETRIABLE ||
		    sl_retry_wait(s, "writing", err) != SL_OK)
			return SL_ERR;
	}
}

int sl_retry_flush(sl_stage *s, int timeout_ms, sl_error *err)
{
	for (;;) {
		if (s->plugin->sink->flush(s->self, timeout_ms, err) == SL_OK) {
			sl_retry_done(s);
			return SL_OK;
		}
		if (err->kind != SL_ERR_RETRIABLE ||
		    sl_retry_wait(s, "flushing", err) != SL_OK)
			return SL_ERR;
	}
}
