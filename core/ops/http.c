/*
 * http.c - the endpoint of [job] http.listen, served by libmicrohttpd in
 * its own thread.  Each request takes a reference to the loop's latest
 * snapshot, renders it, and hands it back: the loop never waits for a
 * reader, and a reader never sees a snapshot being written.
 *
 * We bind the socket ourselves, so that a failure says which address
 * and why (in use, not permitted), and accept on it in a thread of ours
 * (http_admit.c): libmicrohttpd only gets connections whose request has
 * arrived whole, so slow or silent clients cannot take the connections
 * it serves, and probes are answered even when those are all taken.
 * The HTTP itself is libmicrohttpd's.
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
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

#include "ops/http_admit.h"

struct sl_ops {
	struct MHD_Daemon *daemon;
	int listen_fd;
	sl_http_admit *admit;
	sl_http_limits limits;
	sl_http_log log;
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
	/* NULL: a bad request, plain text, and the connection is not kept */
	if (type == NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				type ? type : "text/plain");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/*
 * What a request's path is worth, kept in libmicrohttpd's per-request
 * pointer: checked when the request line is parsed (check_path), then
 * marked as seen once its headers are.  Only addresses matter.
 */
static char path_ok, path_bad, head_ok, head_bad;

/*
 * The paths we serve are plain: no escapes, no empty, "." or ".."
 * segment, no control bytes; anything else is not canonical.
 */
static int canonical(const char *uri)
{
	const char *p;

	if (uri[0] != '/')
		return 0;
	for (p = uri; *p != '\0' && *p != '?'; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '%' ||
		    *p == '\\')
			return 0;
		if (*p == '/' && (p[1] == '/' || (p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0' || p[2] == '?' ||
		     (p[2] == '.' && (p[3] == '/' || p[3] == '\0' || p[3] == '?'))))))
			return 0;
	}
	return 1;
}

/*
 * libmicrohttpd's URI callback: @p uri is the request line's target,
 * raw.  libmicrohttpd has ended it by writing a NUL over the space
 * before "HTTP/1.x"; a NUL anywhere else was in the request, and the
 * path would be read short ("/metrics\0junk" as /metrics).
 */
static void *check_path(void *cls, const char *uri, struct MHD_Connection *c)
{
	const char *after;

	(void)cls;
	(void)c;
	if (uri == NULL) /* "GET " and nothing */
		return &path_bad;
	after = uri + strlen(uri) + 1;
	if (strncmp(after, "HTTP/", 5) != 0 || strchr(after, ' ') != NULL)
		return &path_bad;
	return canonical(uri) ? &path_ok : &path_bad;
}

/* /health or /ready: 1 with its status and body, else 0. */
static int probe_answer(void *cls, const char *path, size_t len,
			unsigned *status, sl_text *body)
{
	sl_ops *ops = cls;
	const sl_snapshot *snap;
	sl_telemetry_live live;
	sl_health h;
	int ok;

	if (!(len == 7 && memcmp(path, "/health", 7) == 0) &&
	    !(len == 6 && memcmp(path, "/ready", 6) == 0))
		return 0;
	snap = sl_telemetry_acquire();
	sl_telemetry_live_get(&live);
	sl_health_check(&live, snap, ops->timeout_ms, ops->started_mono_ms, &h);
	ok = path[1] == 'h' ? h.healthy : h.ready;
	sl_text_printf(body, "%s%s%s\n", ok ? "ok" : "no", h.reason && !ok ? ": " : "",
		       h.reason && !ok ? h.reason : "");
	sl_telemetry_release(snap);
	*status = ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
	return 1;
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
	unsigned status;
	enum MHD_Result rc;

	(void)version;
	(void)upload;
	/* the first call has the headers only: answering then would make
	 * libmicrohttpd close the connection (it cannot know the body has
	 * been read), and keep-alive is what scrapers want */
	if (*req == &path_ok || *req == &path_bad || *req == NULL) {
		*req = *req == &path_ok ? &head_ok : &head_bad;
		return MHD_YES;
	}
	if (*upload_size != 0) { /* a body we do not want: ignore it */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*req != &head_ok) {
		sl_text_printf(&body, "bad request: the path must be plain "
			       "(no NUL, escapes, //, . or .. segments)\n");
		return reply(c, MHD_HTTP_BAD_REQUEST, NULL, &body);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		sl_text_printf(&body, "only GET and HEAD\n");
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", &body);
	}
	if (probe_answer(ops, url, strlen(url), &status, &body))
		return reply(c, status, "text/plain; charset=utf-8", &body);
	snap = sl_telemetry_acquire();
	sl_telemetry_live_get(&live);
	sl_health_check(&live, snap, ops->timeout_ms, ops->started_mono_ms, &h);
	if (strcmp(url, "/metrics") == 0) {
		sl_process_stats_read(&ps);
		sl_render_metrics(&body, snap, &h, &ps);
		rc = reply(c, MHD_HTTP_OK, METRICS_TYPE, &body);
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

/* libmicrohttpd closed a connection: its slot is free again. */
static void connection_event(void *cls, struct MHD_Connection *c,
			     void **socket_context,
			     enum MHD_ConnectionNotificationCode code)
{
	sl_ops *ops = cls;
	const union MHD_ConnectionInfo *info;

	(void)socket_context;
	if (code != MHD_CONNECTION_NOTIFY_CLOSED)
		return;
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info != NULL && info->client_addr != NULL && ops->admit != NULL)
		sl_http_admit_closed(ops->admit, info->client_addr);
}

/* Counted for the summary line (http_log.c): a flood of clients would
 * make it say the same thing thousands of times a second. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	sl_ops *ops = cls;
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	sl_http_log_lib(&ops->log, msg);
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
		/* the accepting thread polls it: accept() must never block */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
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
	/* poll, not select: a socket numbered past FD_SETSIZE still works */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
		MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG;
	sl_http_limits *lim;
	int v6 = 0;

	if (ops == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	ops->listen_fd = listen_on(job->http_listen, &v6, err);
	if (ops->listen_fd < 0) {
		free(ops);
		sl_error_prefix(err, "%s: ", job->path);
		return SL_ERR;
	}
	lim = &ops->limits;
	sl_http_limits_derive(job->http_connections, job->http_connections_per_ip,
			      lim);
	sl_http_log_init(&ops->log, lim);
	ops->timeout_ms = job->health_timeout_ms;
	ops->started_mono_ms = sl_now_mono_ms();
	ops->job = job->name ? strdup(job->name) : NULL;
	sl_telemetry_enable();
	ops->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, ops,
				       MHD_OPTION_EXTERNAL_LOGGER, mhd_log, ops,
				       /* ours is the limit (http_admit.c): it
				        * counts a connection free when told it
				        * closed, a moment before libmicrohttpd
				        * does, which would refuse the next one */
				       MHD_OPTION_CONNECTION_LIMIT,
				       lim->connections + 16,
				       MHD_OPTION_CONNECTION_TIMEOUT,
				       (unsigned)SL_HTTP_IDLE_S,
				       MHD_OPTION_NOTIFY_CONNECTION,
				       connection_event, ops,
				       MHD_OPTION_URI_LOG_CALLBACK, check_path, ops,
				       MHD_OPTION_END);
	if (ops->daemon == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "%s: http.listen = %s: "
			     "libmicrohttpd could not start serving it",
			     job->path, job->http_listen);
		goto fail;
	}
	if (sl_http_admit_start(ops->listen_fd, ops->daemon, lim, &ops->log,
				probe_answer, ops, &ops->admit, err) != SL_OK) {
		sl_error_prefix(err, "%s: http.listen = %s: ", job->path,
				job->http_listen);
		MHD_stop_daemon(ops->daemon);
		goto fail;
	}
	log_address(ops->listen_fd, v6);
	if (lim->over_budget)
		sl_stage_log(NULL, SL_LOG_WARN, "http.listen: %u connections and "
			     "%u waiting take more than a quarter of the %llu "
			     "file descriptors this process may open (ulimit -n): "
			     "the job's Kafka clients may run short", lim->connections,
			     lim->waiting, (unsigned long long)lim->nofile);
	*out = ops;
	return SL_OK;
fail:
	close(ops->listen_fd);
	sl_http_log_destroy(&ops->log);
	free(ops->job);
	free(ops);
	return SL_ERR;
}

void sl_ops_stop(sl_ops *ops)
{
	if (ops == NULL)
		return;
	sl_http_admit_stop(ops->admit); /* no more connections handed over */
	MHD_stop_daemon(ops->daemon);
	sl_http_admit_free(ops->admit);
	close(ops->listen_fd);
	sl_http_log_destroy(&ops->log); /* what is still counted, said */
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
