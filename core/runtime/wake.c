/*
 * wake.c - one wait for every source of a job.
 *
 * The run loop used to wait for records inside each source's poll in
 * turn, a share of the tick each: while it waited on one source, records
 * another had ready sat there (behind a repartition hop the job's two
 * halves took turns, and a source whose inputs were all held back by
 * event-time alignment made the others wait).  A source that wakes the
 * engine (sl_wake(), from whichever thread learns that records are
 * ready, as librdkafka's queue callbacks do) is instead polled without
 * waiting, and when no source had anything the loop waits here, on one
 * pipe, for the first of them.  A pipe, not a condition variable:
 * writing a byte is all a librdkafka thread may do in its callback, and
 * a wake that comes between the polls and the wait is not lost.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "runtime/wake.h"

int sl_wake_open(sl_engine *e, sl_error *err)
{
	int i;

	if (pipe(e->wake) != 0) {
		e->wake[0] = e->wake[1] = -1;
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot make a pipe: %s",
				    strerror(errno));
	}
	for (i = 0; i < 2; i++)
		if (fcntl(e->wake[i], F_SETFL, O_NONBLOCK) != 0 ||
		    fcntl(e->wake[i], F_SETFD, FD_CLOEXEC) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME,
					    "cannot set up a pipe: %s", strerror(errno));
	return SL_OK;
}

void sl_wake_close(sl_engine *e)
{
	int i;

	for (i = 0; i < 2; i++)
		if (e->wake[i] >= 0) {
			close(e->wake[i]);
			e->wake[i] = -1;
		}
}

int sl_wake_every_source(const sl_engine *e)
{
	size_t i;

	if (e->wake[0] < 0)
		return 0;
	for (i = 0; i < e->stage_count; i++) {
		const sl_stage *s = &e->stages[i];
		const sl_source_class *k;

		if (s->kind != SL_KIND_SOURCE || s->finished)
			continue;
		k = s->plugin->source;
		if (!SL_STRUCT_HOLDS(k, sl_source_class, wakes) || !k->wakes)
			return 0;
	}
	return 1;
}

void sl_wake_wait(sl_engine *e, int timeout_ms)
{
	struct pollfd pfd = { .fd = e->wake[0], .events = POLLIN };
	char drain[64];

	if (poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : 0) > 0)
		while (read(e->wake[0], drain, sizeof drain) > 0)
			;
}

void sl_engine_wake(sl_stage *s)
{
	sl_engine *e = s->engine;

	if (e->wake[1] >= 0 && write(e->wake[1], "w", 1) < 0) {
		/* a full pipe is awake already */
	}
}
