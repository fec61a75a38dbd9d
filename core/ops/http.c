/*
 * http.c - the endpoint of [job] http.listen, served by libmicrohttpd in
 * its own thread.  Each request takes a reference to the loop's latest
 * snapshot, renders it, and hands it back: the loop never waits for a
 * reader, and a reader never sees a snapshot being written.
 *
 * We bind the socket ourselves and hand it to libmicrohttpd, so that a
 * failure says which address and why (in use, not permitted); the HTTP
 * itself is libmicrohttpd's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/error.h"
#include "ops/ops.h"
#include "runtime/log.h"

#ifdef HAVE_MICROHTTPD
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

struct sl_ops {
	struct MHD_Daemon *daemon;
	int64_t timeout_ms;      /* http.health.timeout */
	int64_t started_mono_ms;
	char *job;               /* its name, before the first snapshot has it */
};

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     const char *type, sl_text *body)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (body->failed || body->data == NULL) {
		sl_text_free(body);
		return MHD_NO; /* out of memory: drop the connection */
	}
	r = MHD_create_response_from_buffer(body->len, body->data,
					    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		sl_text_free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	sl_ops *ops = cls;
	const sl_snapshot *snap;
	sl_telemetry_live live;
	sl_process_stats ps;
	sl_health h;
	sl_text body = { 0 };
	enum MHD_Result rc;

	(void)version;
	(void)upload;
	(void)req;
	if (*upload_size != 0) { /* a body we do not want: ignore it */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		sl_text_printf(&body, "only GET and HEAD\n");
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", &body);
	}
	snap = sl_telemetry_acquire();
	sl_telemetry_live_get(&live);
	sl_health_check(&live, snap, ops->timeout_ms, ops->started_mono_ms, &h);
	if (strcmp(url, "/metrics") == 0) {
		sl_process_stats_read(&ps);
		sl_render_metrics(&body, snap, &h, &ps);
		rc = reply(c, MHD_HTTP_OK, METRICS_TYPE, &body);
	} else if (strcmp(url, "/health") == 0 || strcmp(url, "/ready") == 0) {
		int ok = url[1] == 'h' ? h.healthy : h.ready;

		sl_text_printf(&body, "%s%s%s\n", ok ? "ok" : "no", h.reason && !ok ? ": " : "",
			       h.reason && !ok ? h.reason : "");
		rc = reply(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
			   "text/plain; charset=utf-8", &body);
	} else if (strcmp(url, "/status") == 0) {
		sl_process_stats_read(&ps);
		sl_render_status(&body, ops->job, snap, &h, &ps);
		rc = reply(c, MHD_HTTP_OK, "application/json", &body);
	} else if (strcmp(url, "/") == 0) {
		sl_text_printf(&body, "sluice %s: /metrics /health /ready /status\n",
			       PACKAGE_VERSION);
		rc = reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8", &body);
	} else {
		sl_text_printf(&body, "not found: try /metrics /health /ready /status\n");
		rc = reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", &body);
	}
	sl_telemetry_release(snap);
	return rc;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	sl_stage_log(NULL, SL_LOG_WARN, "http.listen: %s", msg);
}

/* A listening socket on @p addr ("HOST:PORT", "[V6]:PORT"), or -1. */
static int listen_on(const char *addr, int *v6, sl_error *err)
{
	const char *given = addr;
	char host[256];
	const char *colon = strrchr(addr, ':');
	struct addrinfo hints, *res = NULL, *ai;
	size_t hlen = (size_t)(colon - addr);
	int fd = -1, code, one = 1, saved = 0;

	if (addr[0] == '[') {
		addr++;
		hlen -= 2;
	}
	if (hlen >= sizeof host)
		hlen = sizeof host - 1;
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	code = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
	if (code != 0) {
		sl_error_set(err, SL_ERR_RUNTIME, "http.listen = %s: cannot "
			     "resolve '%s': %s", given, host, gai_strerror(code));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 64) == 0) {
			*v6 = ai->ai_family == AF_INET6;
			break;
		}
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		sl_error_set(err, SL_ERR_RUNTIME, "http.listen = %s: cannot "
			     "listen there: %s", given, strerror(saved));
	return fd;
}

/* Say where we listen, the port included: port 0 picks a free one. */
static void log_address(int fd, int v6)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, port,
			sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	sl_stage_log(NULL, SL_LOG_INFO, "serving /metrics, /health, /ready and "
		     "/status on http://%s%s%s:%s/", v6 ? "[" : "", host,
		     v6 ? "]" : "", port);
}

int sl_ops_start(const sl_job *job, sl_ops **out, sl_error *err)
{
	sl_ops *ops = calloc(1, sizeof *ops);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	int fd, v6 = 0;

	if (ops == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	fd = listen_on(job->http_listen, &v6, err);
	if (fd < 0) {
		free(ops);
		sl_error_prefix(err, "%s: ", job->path);
		return SL_ERR;
	}
	if (v6)
		flags |= MHD_USE_IPv6;
	ops->timeout_ms = job->health_timeout_ms;
	ops->started_mono_ms = sl_now_mono_ms();
	ops->job = job->name ? strdup(job->name) : NULL;
	sl_telemetry_enable();
	ops->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, ops,
				       MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				       MHD_OPTION_LISTEN_SOCKET, fd,
				       MHD_OPTION_CONNECTION_LIMIT, 64u,
				       MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				       MHD_OPTION_END);
	if (ops->daemon == NULL) {
		close(fd);
		free(ops->job);
		free(ops);
		return sl_error_set(err, SL_ERR_RUNTIME, "%s: http.listen = %s: "
				    "libmicrohttpd could not start serving it",
				    job->path, job->http_listen);
	}
	log_address(fd, v6);
	*out = ops;
	return SL_OK;
}

void sl_ops_stop(sl_ops *ops)
{
	if (ops == NULL)
		return;
	MHD_stop_daemon(ops->daemon); /* closes the listening socket too */
	free(ops->job);
	free(ops);
}

#else /* no libmicrohttpd: job validation refuses http.listen already */

struct sl_ops {
	int unused;
};

int sl_ops_start(const sl_job *job, sl_ops **out, sl_error *err)
{
	(void)out;
	return sl_error_set(err, SL_ERR_CONFIG, "%s: http.listen: this sluice "
			    "was built without the HTTP endpoint (libmicrohttpd-dev "
			    "was missing when it was configured)", job->path);
}

void sl_ops_stop(sl_ops *ops)
{
	(void)ops;
}
#endif
