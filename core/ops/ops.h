/*
 * ops.h - the job's HTTP endpoint for operators ([job] http.listen):
 * /metrics (Prometheus), /health, /ready and /status, served by
 * libmicrohttpd in its own thread from the snapshots the run loop
 * publishes (runtime/telemetry.h).  It only reads them: nothing here
 * touches the loop's data.
 */
#ifndef SL_OPS_H
#define SL_OPS_H

#include <stdint.h>

#include "job/job.h"
#include "ops/text.h"
#include "runtime/telemetry.h"

typedef struct sl_ops sl_ops;

/*
 * Listen on @p job's http.listen and serve from the telemetry snapshots
 * (turned on here).  SL_OK, or SL_ERR with @p err: SL_ERR_CONFIG when
 * this build has no endpoint, SL_ERR_RUNTIME when the address cannot be
 * resolved or listened on.
 */
int sl_ops_start(const sl_job *job, sl_ops **out, sl_error *err);
void sl_ops_stop(sl_ops *ops);

/* What /health and /ready answer, and why. */
typedef struct sl_health {
	int healthy, ready;
	const char *state;       /* starting, running, restoring, finished,
				    stuck, aborting, restarting,
				    retrying */
	const char *reason;      /* why not ready, or not healthy; NULL */
	double idle_seconds;     /* since the loop's last sign of life */
	unsigned restarts;       /* times the job was reopened in place */
} sl_health;

void sl_health_check(const sl_telemetry_live *live, const sl_snapshot *snap,
		     int64_t timeout_ms, int64_t started_mono_ms, sl_health *out);

/* The process's own figures (process.c), from /proc and getrusage. */
typedef struct sl_process_stats {
	double cpu_seconds, start_time_seconds;
	double resident_bytes, virtual_bytes;
	double open_fds, max_fds;
} sl_process_stats;

void sl_process_stats_read(sl_process_stats *out);

/* The Prometheus text exposition (0.0.4) of @p snap (may be NULL). */
void sl_render_metrics(sl_text *t, const sl_snapshot *snap,
		       const sl_health *health, const sl_process_stats *ps);
/* The same facts as one JSON object, for people (/status); @p job names
 * the job before its first snapshot. */
void sl_render_status(sl_text *t, const char *job, const sl_snapshot *snap,
		      const sl_health *health, const sl_process_stats *ps);

#endif
