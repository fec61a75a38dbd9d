/*
 * http_admit.h - who gets into the endpoint of http.listen, and what it
 * logs about those it turns away (ops-internal).
 *
 * Our own thread accepts the connections and holds each one until its
 * request head (request line and headers) has arrived whole; only then
 * does libmicrohttpd get it.  So a client that sends nothing, or one
 * byte at a time, costs a slot in a small waiting room for at most
 * SL_HTTP_HEAD_MS, never one of the connections libmicrohttpd serves;
 * and when the waiting room is full the oldest one in it makes room for
 * the newest, so a probe (which sends its head at once) always gets in.
 * When libmicrohttpd already serves as many connections as allowed (or
 * as many from that address), /health and /ready are answered here and
 * the connection closed; anything else gets 503.
 */
#ifndef SL_OPS_HTTP_ADMIT_H
#define SL_OPS_HTTP_ADMIT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/error.h"
#include "ops/text.h"

/* A request head must arrive whole within this long after the connect. */
#define SL_HTTP_HEAD_MS 5000
/* libmicrohttpd closes a connection idle this long (keep-alive). */
#define SL_HTTP_IDLE_S 30
/* At most one summary line of refusals per this long. */
#define SL_HTTP_LOG_INTERVAL_MS 10000

typedef struct sl_http_limits {
	unsigned connections;  /* served by libmicrohttpd at once */
	unsigned per_ip;       /* of those, from one address */
	unsigned waiting;      /* accepted, request head not complete yet */
	uint64_t nofile;       /* RLIMIT_NOFILE's soft limit; 0: unlimited */
	int over_budget;       /* the configured limits need more than nofile/4 */
} sl_http_limits;

/*
 * The limits for http.connections = @p connections and
 * http.connections.per-ip = @p per_ip (0: derived): a quarter of
 * RLIMIT_NOFILE for the endpoint, the rest left to the job's clients.
 */
void sl_http_limits_derive(int64_t connections, int64_t per_ip,
			   sl_http_limits *out);

/* What the endpoint counts instead of logging one line each. */
enum sl_http_event {
	SL_HTTP_DROPPED_OLDEST, /* waiting room full: its oldest closed */
	SL_HTTP_SLOW,           /* no whole request head in time */
	SL_HTTP_BUSY,           /* all served: answered 503 */
	SL_HTTP_PROBE_ASIDE,    /* all served: /health or /ready answered aside */
	SL_HTTP_NO_FDS,         /* accept() out of descriptors */
	SL_HTTP_EVENTS
};

typedef struct sl_http_log {
	pthread_mutex_t lock;
	int64_t since_ms;        /* first event of the current interval */
	unsigned count[SL_HTTP_EVENTS];
	unsigned lib_messages;   /* libmicrohttpd's own, this interval */
	char lib_first[200];     /* the first of them */
	const sl_http_limits *limits;
} sl_http_log;

void sl_http_log_init(sl_http_log *log, const sl_http_limits *limits);
void sl_http_log_event(sl_http_log *log, enum sl_http_event event);
void sl_http_log_lib(sl_http_log *log, const char *message);
/*
 * Write the summary line once SL_HTTP_LOG_INTERVAL_MS has passed since
 * the interval's first event (at once with @p now_anyway).  Returns the
 * milliseconds until the next one is due, or -1 with nothing pending.
 */
int64_t sl_http_log_flush(sl_http_log *log, int now_anyway);
void sl_http_log_destroy(sl_http_log *log);

/*
 * The answer to a probe the endpoint cannot serve the usual way: 1 and
 * @p status, @p body when @p path (not NUL-terminated, @p len bytes) is
 * /health or /ready, else 0.
 */
typedef int sl_http_probe_fn(void *cls, const char *path, size_t len,
			     unsigned *status, sl_text *body);

struct MHD_Daemon;
typedef struct sl_http_admit sl_http_admit;

/*
 * Accept on @p listen_fd in a thread of its own and hand complete
 * requests to @p daemon (started with MHD_USE_NO_LISTEN_SOCKET and
 * MHD_USE_ITC).  The listening socket stays the caller's.
 */
int sl_http_admit_start(int listen_fd, struct MHD_Daemon *daemon,
			const sl_http_limits *limits, sl_http_log *log,
			sl_http_probe_fn *probe, void *probe_cls,
			sl_http_admit **out, sl_error *err);
/* libmicrohttpd closed a connection from @p addr (its notify callback). */
void sl_http_admit_closed(sl_http_admit *admit, const struct sockaddr *addr);
/* Stop accepting: the thread ends, the waiting room is closed. */
void sl_http_admit_stop(sl_http_admit *admit);
/* After MHD_stop_daemon (which still calls sl_http_admit_closed). */
void sl_http_admit_free(sl_http_admit *admit);

#endif
