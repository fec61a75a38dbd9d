/*
 * http_log.c - what the endpoint logs about connections it turns away:
 * counted, and one summary line per SL_HTTP_LOG_INTERVAL_MS at most.  A
 * flood of clients (or a process out of descriptors) must not become a
 * flood of log lines: that costs the disk and the CPU it is about.
 * libmicrohttpd's own messages are counted the same way; the first of
 * each interval is quoted.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "ops/http_admit.h"
#include "runtime/log.h"

void sl_http_log_init(sl_http_log *log, const sl_http_limits *limits)
{
	memset(log, 0, sizeof *log);
	pthread_mutex_init(&log->lock, NULL);
	log->limits = limits;
}

static void started(sl_http_log *log)
{
	size_t i;
	unsigned any = log->lib_messages;

	for (i = 0; i < SL_HTTP_EVENTS; i++)
		any += log->count[i];
	if (any == 0)
		log->since_ms = sl_now_mono_ms();
}

void sl_http_log_event(sl_http_log *log, enum sl_http_event event)
{
	pthread_mutex_lock(&log->lock);
	started(log);
	log->count[event]++;
	pthread_mutex_unlock(&log->lock);
}

void sl_http_log_lib(sl_http_log *log, const char *message)
{
	size_t n;

	pthread_mutex_lock(&log->lock);
	started(log);
	if (log->lib_messages++ == 0) {
		snprintf(log->lib_first, sizeof log->lib_first, "%s", message);
		n = strlen(log->lib_first);
		while (n > 0 && log->lib_first[n - 1] == '\n')
			log->lib_first[--n] = '\0';
	}
	pthread_mutex_unlock(&log->lock);
}

/* ", " between the parts of the line, none before the first. */
static size_t part(char *line, size_t size, size_t len, const char *fmt, ...)
	SL_PRINTF(4, 5);

static size_t part(char *line, size_t size, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len >= size)
		return len;
	if (len > 0)
		len += (size_t)snprintf(line + len, size - len, ", ");
	if (len < size) {
		va_start(ap, fmt);
		len += (size_t)vsnprintf(line + len, size - len, fmt, ap);
		va_end(ap);
	}
	return len;
}

int64_t sl_http_log_flush(sl_http_log *log, int now_anyway)
{
	const sl_http_limits *lim = log->limits;
	unsigned c[SL_HTTP_EVENTS], lib;
	char first[sizeof log->lib_first], line[768];
	int64_t since, left;
	size_t len = 0, i;

	pthread_mutex_lock(&log->lock);
	lib = log->lib_messages;
	for (i = 0; i < SL_HTTP_EVENTS; i++)
		lib += c[i] = log->count[i];
	if (lib == 0) {
		pthread_mutex_unlock(&log->lock);
		return -1;
	}
	left = log->since_ms + SL_HTTP_LOG_INTERVAL_MS - sl_now_mono_ms();
	if (left > 0 && !now_anyway) {
		pthread_mutex_unlock(&log->lock);
		return left;
	}
	since = sl_now_mono_ms() - log->since_ms;
	lib = log->lib_messages;
	memcpy(first, log->lib_first, sizeof first);
	memset(log->count, 0, sizeof log->count);
	log->lib_messages = 0;
	pthread_mutex_unlock(&log->lock);

	if (c[SL_HTTP_DROPPED_OLDEST])
		len = part(line, sizeof line, len, "refused %u connections "
			   "(the %u waiting for their request were the oldest)",
			   c[SL_HTTP_DROPPED_OLDEST], lim->waiting);
	if (c[SL_HTTP_SLOW])
		len = part(line, sizeof line, len, "closed %u that sent no "
			   "whole request within %u s", c[SL_HTTP_SLOW],
			   SL_HTTP_HEAD_MS / 1000);
	if (c[SL_HTTP_BUSY])
		len = part(line, sizeof line, len, "answered %u with 503",
			   c[SL_HTTP_BUSY]);
	if (c[SL_HTTP_PROBE_ASIDE])
		len = part(line, sizeof line, len, "answered %u probes aside",
			   c[SL_HTTP_PROBE_ASIDE]);
	if (c[SL_HTTP_BUSY] || c[SL_HTTP_PROBE_ASIDE])
		len = part(line, sizeof line, len, "all %u connections served, "
			   "or %u from one address (http.connections, "
			   "http.connections.per-ip)", lim->connections, lim->per_ip);
	if (c[SL_HTTP_NO_FDS])
		len = part(line, sizeof line, len, "could not accept %u times: "
			   "out of file descriptors (RLIMIT_NOFILE %u)",
			   c[SL_HTTP_NO_FDS], (unsigned)lim->nofile);
	if (lib)
		len = part(line, sizeof line, len, "libmicrohttpd said %u "
			   "things, the first: '%s'", lib, first);
	sl_stage_log(NULL, SL_LOG_WARN, "http: in the last %lld s: %s",
		     (long long)((since + 999) / 1000), line);
	return -1;
}

void sl_http_log_destroy(sl_http_log *log)
{
	sl_http_log_flush(log, 1);
	pthread_mutex_destroy(&log->lock);
}
