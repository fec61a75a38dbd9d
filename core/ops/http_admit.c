/*
 * http_admit.c - the endpoint's accepting thread (see http_admit.h for
 * the why): the waiting room where a connection stays until its request
 * head is whole, the count of connections libmicrohttpd serves (in all
 * and per address), and the answer given aside when they are all taken.
 *
 * No busy loop whatever happens: a connection is polled only while it
 * waits, and only for bytes it has not yet sent (SO_RCVLOWAT); out of
 * descriptors, the listening socket is left alone for NO_FDS_PAUSE_MS
 * (the kernel keeps the queue); every refusal is counted for the
 * summary line (http_log.c) instead of logged.
 */
#define _GNU_SOURCE /* accept4, pipe2 */
#include "config.h"

#ifdef HAVE_MICROHTTPD
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include <sluice/stage.h>

#include "base/clock.h"
#include "ops/http_admit.h"

#define NO_FDS_PAUSE_MS 250
#define FAIR_CHANCE_MS 1000
#define HEAD_MAX 8192       /* a longer head goes to libmicrohttpd (431) */

typedef struct waiting {
	int fd;
	int64_t since_ms;
	struct sockaddr_storage addr;
	socklen_t addr_len;
} waiting;

typedef struct ip_count {
	unsigned char addr[16];   /* IPv4 in the first 4 bytes */
	int family;
	unsigned count;
} ip_count;

struct sl_http_admit {
	int listen_fd, wake[2];
	struct MHD_Daemon *daemon;
	const sl_http_limits *lim;
	sl_http_log *log;
	sl_http_probe_fn *probe;
	void *probe_cls;
	pthread_t thread;
	int running;

	waiting *room;            /* lim->waiting, oldest first */
	size_t room_used;
	int64_t paused_until_ms;  /* out of descriptors: accept again then */
	struct pollfd *fds;       /* wake, listen, the room */

	pthread_mutex_t lock;     /* served and ips: libmicrohttpd's thread too */
	unsigned served;
	ip_count *ips;            /* lim->connections at most */
	size_t ip_used;
};

static void ip_key(const struct sockaddr *sa, ip_count *key)
{
	memset(key, 0, sizeof *key);
	key->family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(key->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(key->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

/* Its entry in ips (locked), or NULL. */
static ip_count *ip_find(sl_http_admit *a, const ip_count *key)
{
	size_t i;

	for (i = 0; i < a->ip_used; i++)
		if (a->ips[i].family == key->family &&
		    memcmp(a->ips[i].addr, key->addr, sizeof key->addr) == 0)
			return &a->ips[i];
	return NULL;
}

/* Take a served slot for @p sa: 1, or 0 when none is left for it. */
static int take_slot(sl_http_admit *a, const struct sockaddr *sa)
{
	ip_count key, *ip;
	int ok = 0;

	ip_key(sa, &key);
	pthread_mutex_lock(&a->lock);
	ip = ip_find(a, &key);
	if (a->served < a->lim->connections &&
	    (ip == NULL || ip->count < a->lim->per_ip)) {
		if (ip == NULL) { /* served < connections: there is room */
			ip = &a->ips[a->ip_used++];
			*ip = key;
			ip->count = 0;
		}
		ip->count++;
		a->served++;
		ok = 1;
	}
	pthread_mutex_unlock(&a->lock);
	return ok;
}

void sl_http_admit_closed(sl_http_admit *a, const struct sockaddr *sa)
{
	ip_count key, *ip;

	ip_key(sa, &key);
	pthread_mutex_lock(&a->lock);
	ip = ip_find(a, &key);
	if (ip != NULL && a->served > 0) {
		a->served--;
		if (--ip->count == 0)
			*ip = a->ips[--a->ip_used];
	}
	pthread_mutex_unlock(&a->lock);
}

/* Out of the room, oldest first kept; closed unless @p keep. */
static void room_remove(sl_http_admit *a, size_t i, int keep)
{
	if (!keep)
		close(a->room[i].fd);
	memmove(&a->room[i], &a->room[i + 1],
		(a->room_used - i - 1) * sizeof a->room[0]);
	a->room_used--;
}

static void send_all_once(int fd, const char *p, size_t len)
{
	ssize_t n;

	/* a small answer on a fresh connection: the socket buffer takes it;
	 * a client that does not read it loses it, we do not wait */
	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/*
 * All served: /health and /ready get their answer here, the rest 503;
 * then the connection is closed.  @p head holds its @p head_len bytes.
 */
static void answer_aside(sl_http_admit *a, int fd, const char *head,
			 size_t head_len)
{
	const char *path = NULL, *end = NULL;
	int is_head = head_len > 5 && memcmp(head, "HEAD ", 5) == 0;
	unsigned status = 503;
	sl_text body = { 0 }, out = { 0 };
	char drain[HEAD_MAX];

	if (is_head)
		path = head + 5;
	else if (head_len > 4 && memcmp(head, "GET ", 4) == 0)
		path = head + 4;
	if (path != NULL)
		end = memchr(path, ' ', head_len - (size_t)(path - head));
	if (end != NULL && a->probe(a->probe_cls, path, (size_t)(end - path),
				    &status, &body)) {
		sl_http_log_event(a->log, SL_HTTP_PROBE_ASIDE);
	} else {
		sl_text_free(&body);
		sl_text_printf(&body, "busy: as many connections are served as "
			       "allowed (%u, %u from one address); try again\n",
			       a->lim->connections, a->lim->per_ip);
		status = 503;
		sl_http_log_event(a->log, SL_HTTP_BUSY);
	}
	sl_text_printf(&out, "HTTP/1.1 %u %s\r\nContent-Type: text/plain; "
		       "charset=utf-8\r\nCache-Control: no-store\r\n%s"
		       "Connection: close\r\nContent-Length: %zu\r\n\r\n",
		       status, status == 200 ? "OK" : "Service Unavailable",
		       status == 503 ? "Retry-After: 1\r\n" : "",
		       body.data ? body.len : 0);
	if (!is_head && body.data != NULL)
		sl_text_printf(&out, "%.*s", (int)body.len, body.data);
	/* read what we answer: closing on unread bytes would reset the
	 * connection, and the answer with it */
	(void)recv(fd, drain, head_len, MSG_DONTWAIT);
	if (!out.failed && out.data != NULL)
		send_all_once(fd, out.data, out.len);
	shutdown(fd, SHUT_WR);
	close(fd);
	sl_text_free(&body);
	sl_text_free(&out);
}

/* The end of the request head in @p buf, or NULL while incomplete. */
static const char *head_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (buf[i] == '\n' && (buf[i + 1] == '\n' ||
				       (buf[i + 1] == '\r' && i + 2 < len &&
					buf[i + 2] == '\n')))
			return buf + i + (buf[i + 1] == '\n' ? 2 : 3);
	return NULL;
}

/* Room entry @p i is readable: pass it on once its head is whole. */
static void look_at(sl_http_admit *a, size_t i)
{
	char buf[HEAD_MAX];
	const char *end;
	waiting w = a->room[i];
	int lowat;
	ssize_t n = recv(w.fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) { /* gone, or reset */
		room_remove(a, i, 0);
		return;
	}
	end = head_end(buf, (size_t)n);
	if (end == NULL && (size_t)n < sizeof buf) {
		/* more to come: what we peeked stays readable, so poll would
		 * report it again at once; wake us for more than that only */
		lowat = (int)n + 1;
		setsockopt(w.fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
		return;
	}
	lowat = 1;
	setsockopt(w.fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
	room_remove(a, i, 1);
	if (take_slot(a, (struct sockaddr *)&w.addr)) {
		/* it closes the socket if it cannot take it */
		if (MHD_add_connection(a->daemon, w.fd, (struct sockaddr *)&w.addr,
				       w.addr_len) != MHD_YES)
			sl_http_admit_closed(a, (struct sockaddr *)&w.addr);
		return;
	}
	answer_aside(a, w.fd, buf, end ? (size_t)(end - buf) : (size_t)n);
}

static void accept_some(sl_http_admit *a)
{
	/* then the waiting get a look: a connection that sent its request
	 * at once is passed on before it could be the oldest */
	unsigned round, rounds = a->lim->waiting / 2 ? a->lim->waiting / 2 : 1;
	waiting w;

	for (round = 0; round < rounds; round++) {
		w.addr_len = sizeof w.addr;
		w.fd = accept4(a->listen_fd, (struct sockaddr *)&w.addr,
			       &w.addr_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (w.fd >= 0) {
			if (a->room_used == a->lim->waiting) {
				room_remove(a, 0, 0);
				sl_http_log_event(a->log, SL_HTTP_DROPPED_OLDEST);
			}
			w.since_ms = sl_now_mono_ms();
			a->room[a->room_used++] = w;
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		/* out of descriptors, accept() fails whether a connection
		 * waits or not: the oldest waiting one is closed for a new one
		 * only when it has had its chance, never the one we just took */
		if (a->room_used > 0 && (errno == EMFILE || errno == ENFILE) &&
		    sl_now_mono_ms() - a->room[0].since_ms >= FAIR_CHANCE_MS) {
			room_remove(a, 0, 0);
			sl_http_log_event(a->log, SL_HTTP_DROPPED_OLDEST);
			continue;
		}
		/* out of descriptors (or memory): the queue waits in the kernel */
		sl_http_log_event(a->log, SL_HTTP_NO_FDS);
		a->paused_until_ms = sl_now_mono_ms() + NO_FDS_PAUSE_MS;
		return;
	}
}

static int64_t earlier(int64_t t, int64_t u)
{
	return t < 0 ? u : u < 0 ? t : t < u ? t : u;
}

static void *run(void *arg)
{
	sl_http_admit *a = arg;
	size_t i, polled;
	int64_t now, wait_ms;
	int listening;

	for (;;) {
		now = sl_now_mono_ms();
		while (a->room_used > 0 &&
		       now - a->room[0].since_ms >= SL_HTTP_HEAD_MS) {
			room_remove(a, 0, 0);
			sl_http_log_event(a->log, SL_HTTP_SLOW);
		}
		/* libmicrohttpd's thread counts messages too, without waking
		 * us: look at least once an interval */
		wait_ms = sl_http_log_flush(a->log, 0);
		if (wait_ms < 0)
			wait_ms = SL_HTTP_LOG_INTERVAL_MS;
		if (a->room_used > 0)
			wait_ms = earlier(wait_ms, a->room[0].since_ms +
					  SL_HTTP_HEAD_MS - now);
		listening = now >= a->paused_until_ms;
		if (!listening)
			wait_ms = earlier(wait_ms, a->paused_until_ms - now);
		a->fds[0].fd = a->wake[0];
		a->fds[0].events = POLLIN;
		a->fds[1].fd = listening ? a->listen_fd : -1;
		a->fds[1].events = POLLIN;
		for (i = 0; i < a->room_used; i++) {
			a->fds[2 + i].fd = a->room[i].fd;
			a->fds[2 + i].events = POLLIN;
			a->fds[2 + i].revents = 0;
		}
		polled = a->room_used;
		if (poll(a->fds, 2 + polled,
			 (int)(wait_ms < 1 ? 1 : wait_ms > 60000 ? 60000 : wait_ms)) < 0) {
			if (errno == EINTR)
				continue;
			a->paused_until_ms = sl_now_mono_ms() + NO_FDS_PAUSE_MS;
			continue;
		}
		if (a->fds[0].revents)
			break;
		/* backwards: look_at removes the entry it looks at */
		for (i = polled; i-- > 0;)
			if (a->fds[2 + i].revents)
				look_at(a, i);
		if (listening && a->fds[1].revents)
			accept_some(a);
	}
	return NULL;
}

int sl_http_admit_start(int listen_fd, struct MHD_Daemon *daemon,
			const sl_http_limits *limits, sl_http_log *log,
			sl_http_probe_fn *probe, void *probe_cls,
			sl_http_admit **out, sl_error *err)
{
	sl_http_admit *a = calloc(1, sizeof *a);
	int code;

	if (a == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	a->listen_fd = listen_fd;
	a->daemon = daemon;
	a->lim = limits;
	a->log = log;
	a->probe = probe;
	a->probe_cls = probe_cls;
	a->wake[0] = a->wake[1] = -1;
	a->room = calloc(limits->waiting, sizeof *a->room);
	a->fds = calloc(limits->waiting + 2, sizeof *a->fds);
	a->ips = calloc(limits->connections, sizeof *a->ips);
	pthread_mutex_init(&a->lock, NULL);
	if (a->room == NULL || a->fds == NULL || a->ips == NULL) {
		sl_http_admit_free(a);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	if (pipe2(a->wake, O_CLOEXEC) != 0) {
		sl_error_set(err, SL_ERR_RUNTIME, "cannot make a pipe: %s",
			     strerror(errno));
		sl_http_admit_free(a);
		return SL_ERR;
	}
	/* before the thread: libmicrohttpd may close what it hands over */
	*out = a;
	code = pthread_create(&a->thread, NULL, run, a);
	if (code != 0) {
		*out = NULL;
		sl_error_set(err, SL_ERR_RUNTIME, "cannot start the thread that "
			     "accepts connections: %s", strerror(code));
		sl_http_admit_free(a);
		return SL_ERR;
	}
	a->running = 1;
	return SL_OK;
}

void sl_http_admit_stop(sl_http_admit *a)
{
	if (a == NULL || !a->running)
		return;
	if (write(a->wake[1], "x", 1) < 0)
		(void)0; /* a pipe of ours with room: cannot fail */
	pthread_join(a->thread, NULL);
	a->running = 0;
	while (a->room_used > 0)
		room_remove(a, a->room_used - 1, 0);
}

void sl_http_admit_free(sl_http_admit *a)
{
	if (a == NULL)
		return;
	sl_http_admit_stop(a);
	if (a->wake[0] >= 0) {
		close(a->wake[0]);
		close(a->wake[1]);
	}
	pthread_mutex_destroy(&a->lock);
	free(a->room);
	free(a->fds);
	free(a->ips);
	free(a);
}
#endif
