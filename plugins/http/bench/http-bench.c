/*
 * http-bench.c - the http source benchmark's baseline and load.
 *
 *   http-bench serve PORT
 *       a libmicrohttpd server on 127.0.0.1:PORT that reads each POST's
 *       body and answers 200 {"records":1} at once: what an endpoint
 *       costs without a job behind it.  Runs until SIGTERM.
 *   http-bench serve-kafka PORT BROKERS TOPIC [MODE] [KEY=VALUE...]
 *       the plain baseline for "answer once the record is safe in
 *       Kafka": a libmicrohttpd server that produces each POST's body to
 *       TOPIC with an idempotent librdkafka producer (acks=all) and
 *       answers 200 once that record's delivery report says it is
 *       written (503 when it failed), its connection suspended in
 *       between; anything but a POST is answered 405.  MODE says when
 *       records are sent (see kafka_loop):
 *         rounds   (default) one epoll loop; the requests read in one
 *                  round are produced together and flushed, a group
 *                  commit, answered from their reports in the flush;
 *         each     the same loop, each record sent as it is read
 *                  (linger.ms=0) and answered from its report;
 *         threads  libmicrohttpd's own thread and a thread polling
 *                  librdkafka, each record sent as it is read.
 *       KEY=VALUE: librdkafka properties, set after the mode's.
 *       Runs until SIGTERM.
 *   http-bench load PORT CLIENTS SECONDS
 *       CLIENTS threads, each on one keep-alive connection, POST a small
 *       JSON body to 127.0.0.1:PORT/ one request after the other for
 *       SECONDS; prints "requests/s p50_ms p99_ms non200" of the answers.
 *       A client whose connection drops connects again.
 */
#define _GNU_SOURCE /* strcasestr */
#include <microhttpd.h>
#include <librdkafka/rdkafka.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- serve ------------------------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	static const char ok[] = "{\"records\":1}\n";
	static int started;
	struct MHD_Response *r;
	enum MHD_Result rc;

	(void)cls; (void)url; (void)method; (void)version; (void)upload;
	if (*con_cls == NULL) {
		*con_cls = &started;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0; /* read and dropped */
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof ok - 1, (void *)ok,
					    MHD_RESPMEM_PERSISTENT);
	rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int serve(int port)
{
	struct MHD_Daemon *d;

	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, (uint16_t)port, NULL,
			     NULL, on_request, NULL,
			     MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "http-bench: cannot listen on port %d\n", port);
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	return 0;
}

/* ---- serve-kafka ------------------------------------------------------- */

/*
 * One request: its body, kept until the answer is sent, so librdkafka
 * references it without a copy; status is set by the delivery report.
 */
typedef struct kafka_request {
	struct MHD_Connection *conn;
	char *body;
	size_t len, cap;
	int produced;
	unsigned status;
} kafka_request;

static rd_kafka_t *producer;
static rd_kafka_topic_t *topic;

typedef enum kafka_mode { BY_ROUND, EACH, THREADS } kafka_mode;

static kafka_mode mode;

/* BY_ROUND: the requests read in one round of the loop, produced
 * together after it. */
static kafka_request **round_items;
static size_t round_count, round_cap;

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status)
{
	static const char ok[] = "{\"records\":1}\n";
	static const char failed[] = "{\"error\":\"not written\"}\n";
	static const char post_only[] = "{\"error\":\"POST only\"}\n";
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = status == MHD_HTTP_OK ?
		MHD_create_response_from_buffer(sizeof ok - 1, (void *)ok,
						MHD_RESPMEM_PERSISTENT) :
		status == MHD_HTTP_METHOD_NOT_ALLOWED ?
		MHD_create_response_from_buffer(sizeof post_only - 1, (void *)post_only,
						MHD_RESPMEM_PERSISTENT) :
		MHD_create_response_from_buffer(sizeof failed - 1, (void *)failed,
						MHD_RESPMEM_PERSISTENT);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_kafka_request(void *cls, struct MHD_Connection *conn,
					const char *url, const char *method,
					const char *version, const char *upload,
					size_t *upload_size, void **con_cls)
{
	kafka_request *q = *con_cls;

	(void)cls; (void)url; (void)version;
	if (q == NULL) {
		if ((q = calloc(1, sizeof *q)) == NULL)
			return MHD_NO;
		q->conn = conn;
		*con_cls = q;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (q->len + *upload_size > q->cap) {
			size_t cap = (q->len + *upload_size) * 2;
			char *grown = realloc(q->body, cap);

			if (grown == NULL)
				return MHD_NO;
			q->body = grown;
			q->cap = cap;
		}
		memcpy(q->body + q->len, upload, *upload_size);
		q->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->produced)
		return answer(conn, q->status); /* resumed by the report */
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED);
	/* suspended before the report can resume it; it takes effect when
	 * this call returns */
	q->produced = 1;
	MHD_suspend_connection(conn);
	if (mode == BY_ROUND) {
		if (round_count == round_cap) {
			size_t cap = round_cap ? round_cap * 2 : 64;
			kafka_request **grown = realloc(round_items, cap * sizeof *grown);

			if (grown == NULL) {
				q->status = MHD_HTTP_SERVICE_UNAVAILABLE;
				MHD_resume_connection(conn);
				return MHD_YES;
			}
			round_items = grown;
			round_cap = cap;
		}
		round_items[round_count++] = q;
		return MHD_YES;
	}
	if (rd_kafka_producev(producer, RD_KAFKA_V_RKT(topic),
			      RD_KAFKA_V_VALUE(q->body, q->len),
			      RD_KAFKA_V_OPAQUE(q), RD_KAFKA_V_END) != 0) {
		q->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		MHD_resume_connection(conn);
	}
	return MHD_YES;
}

static void on_kafka_completed(void *cls, struct MHD_Connection *conn,
			       void **con_cls, enum MHD_RequestTerminationCode why)
{
	kafka_request *q = *con_cls;

	(void)cls; (void)conn; (void)why;
	if (q != NULL) {
		free(q->body);
		free(q);
		*con_cls = NULL;
	}
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	kafka_request *q = m->_private;

	(void)rk; (void)opaque;
	q->status = m->err == RD_KAFKA_RESP_ERR_NO_ERROR ? MHD_HTTP_OK :
		MHD_HTTP_SERVICE_UNAVAILABLE;
	MHD_resume_connection(q->conn);
}

/*
 * A round's requests in one rd_kafka_produce_batch: enqueued under one
 * lock with one wake-up of the broker thread, so they leave in one
 * ProduceRequest rather than one request each (the broker handles a
 * connection's requests one after the other).
 */
static void produce_round(void)
{
	rd_kafka_message_t *m;
	size_t i;

	if (round_count == 0)
		return;
	if ((m = calloc(round_count, sizeof *m)) != NULL) {
		for (i = 0; i < round_count; i++) {
			m[i].payload = round_items[i]->body;
			m[i].len = round_items[i]->len;
			m[i]._private = round_items[i];
		}
		rd_kafka_produce_batch(topic, RD_KAFKA_PARTITION_UA, 0, m,
				       (int)round_count);
	}
	for (i = 0; i < round_count; i++)
		if (m == NULL || m[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			round_items[i]->status = MHD_HTTP_SERVICE_UNAVAILABLE;
			MHD_resume_connection(round_items[i]->conn);
		}
	free(m);
	round_count = 0;
}

/*
 * The producer: acknowledged by all in-sync replicas, written once
 * (enable.idempotence, which also keeps at most 5 requests in flight
 * and retries), Nagle off.  Sent one by one, records leave at once
 * (linger.ms=0); by round, they wait for the flush that follows each
 * round, which sends at once whatever linger.ms says: with linger.ms=0
 * the broker thread, woken by the round's first record, would send it
 * alone and the rest in another request.
 */
static int start_producer(const char *brokers, const char *topic_name,
			  char **extra, int extra_count)
{
	static const char *const settings[][2] = {
		{ "enable.idempotence", "true" },
		{ "acks", "all" },
		{ "socket.nagle.disable", "true" },
		{ "allow.auto.create.topics", "false" },
	};
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char why[512];
	size_t i;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why,
			      sizeof why) != RD_KAFKA_CONF_OK)
		goto bad;
	for (i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], why,
				      sizeof why) != RD_KAFKA_CONF_OK)
			goto bad;
	/* 5 ms: librdkafka's default, said here to make it plain */
	if (rd_kafka_conf_set(conf, "linger.ms", mode == BY_ROUND ? "5" : "0",
			      why, sizeof why) != RD_KAFKA_CONF_OK)
		goto bad;
	for (i = 0; i < (size_t)extra_count; i++) {
		char *eq = strchr(extra[i], '=');

		if (eq == NULL) {
			snprintf(why, sizeof why, "%s: not KEY=VALUE", extra[i]);
			goto bad;
		}
		*eq = '\0';
		if (rd_kafka_conf_set(conf, extra[i], eq + 1, why,
				      sizeof why) != RD_KAFKA_CONF_OK)
			goto bad;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	if ((producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why)) == NULL) {
		fprintf(stderr, "http-bench: %s\n", why);
		return -1;
	}
	if ((topic = rd_kafka_topic_new(producer, topic_name, NULL)) == NULL) {
		fprintf(stderr, "http-bench: topic %s: %s\n", topic_name,
			rd_kafka_err2str(rd_kafka_last_error()));
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "http-bench: %s\n", why);
	rd_kafka_conf_destroy(conf);
	return -1;
}

/*
 * libmicrohttpd without a thread of its own (MHD_USE_EPOLL) and the
 * producer's delivery reports in one epoll loop: a report is served by
 * the thread that then resumes and answers its connection, so between
 * librdkafka's broker thread reading the acknowledgement and the answer
 * there is one wake-up, not two (a polling thread, then libmicrohttpd's
 * as in "threads").  On 2 cores shared with the clients and the broker,
 * every hand-off costs.
 *
 * By round, the loop is a group commit: what one round read is produced
 * in one batch and flushed, the flush serving the reports; the requests
 * that come meanwhile wait in their sockets for the next round.  The
 * broker handles a connection's requests one after the other, so one
 * ProduceRequest per round instead of one per record is what keeps the
 * latency down under 8 concurrent clients (measured: see http_source.sh).
 */
static int kafka_loop(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	struct epoll_event ev, got[4];
	rd_kafka_queue_t *reports = rd_kafka_queue_get_main(producer);
	int ep = epoll_create1(EPOLL_CLOEXEC), wake[2];

	if (info == NULL || ep < 0 || pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		fprintf(stderr, "http-bench: epoll: %s\n", strerror(errno));
		return -1;
	}
	/* librdkafka writes a byte when the queue of reports is no longer empty */
	rd_kafka_queue_io_event_enable(reports, wake[1], "r", 1);
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.fd = info->epoll_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, info->epoll_fd, &ev);
	ev.data.fd = wake[0];
	epoll_ctl(ep, EPOLL_CTL_ADD, wake[0], &ev);
	while (!stop) {
		MHD_UNSIGNED_LONG_LONG mhd_ms;
		int timeout = 100, n, i;
		char drain[64];

		if (MHD_get_timeout(d, &mhd_ms) == MHD_YES && mhd_ms < 100)
			timeout = (int)mhd_ms;
		n = epoll_wait(ep, got, 4, timeout);
		for (i = 0; i < n; i++)
			if (got[i].data.fd == wake[0])
				while (read(wake[0], drain, sizeof drain) > 0)
					;
		rd_kafka_poll(producer, 0); /* reports resume connections */
		MHD_run(d);
		if (mode == BY_ROUND && round_count > 0) {
			produce_round();
			rd_kafka_flush(producer, 5000); /* serves the reports */
			MHD_run(d);                     /* and sends the answers */
		}
	}
	/* what is in flight is answered before the daemon stops, which
	 * must find no connection suspended */
	do {
		produce_round();
		rd_kafka_flush(producer, 5000);
		MHD_run(d);
	} while (round_count > 0);
	rd_kafka_queue_io_event_enable(reports, -1, NULL, 0);
	rd_kafka_queue_destroy(reports);
	close(wake[0]);
	close(wake[1]);
	close(ep);
	return 0;
}

static int serve_kafka(int port, const char *brokers, const char *topic_name,
		       char **args, int arg_count)
{
	static const char *const names[] = { "rounds", "each", "threads" };
	unsigned flags;
	struct MHD_Daemon *d;
	int rc = 0, i, skip = 0;

	mode = BY_ROUND;
	for (i = 0; arg_count > 0 && i < 3; i++)
		if (strcmp(args[0], names[i]) == 0) {
			mode = (kafka_mode)i;
			skip = 1;
		}
	flags = MHD_ALLOW_SUSPEND_RESUME |
		(mode == THREADS ? MHD_USE_AUTO_INTERNAL_THREAD : MHD_USE_EPOLL);
	if (start_producer(brokers, topic_name, args + skip, arg_count - skip) != 0)
		return 1;
	d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
			     on_kafka_request, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, on_kafka_completed, NULL,
			     MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "http-bench: cannot listen on port %d\n", port);
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (mode == THREADS) {
		while (!stop)
			rd_kafka_poll(producer, 100);
		rd_kafka_flush(producer, 5000);
	} else if (kafka_loop(d) != 0) {
		rc = 1;
	}
	MHD_stop_daemon(d);
	rd_kafka_topic_destroy(topic);
	rd_kafka_destroy(producer);
	free(round_items);
	return rc;
}

/* ---- load -------------------------------------------------------------- */

typedef struct client {
	pthread_t thread;
	int port;
	int64_t until_us;
	int id;
	int64_t *lat_us;   /* one per answered request */
	size_t count, cap;
	uint64_t non200;
} client;

static int connect_to(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Read one answer: its status, or -1 when the connection failed. */
static int read_answer(int fd, char *buf, size_t size)
{
	size_t have = 0, need = 0;
	char *end;
	long status, body;

	for (;;) {
		ssize_t got = read(fd, buf + have, size - 1 - have);

		if (got <= 0)
			return -1;
		have += (size_t)got;
		buf[have] = '\0';
		if (need == 0 && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");

			body = cl != NULL && cl < end ? strtol(cl + 17, NULL, 10) : 0;
			need = (size_t)(end - buf) + 4 + (size_t)body;
		}
		if (need > 0 && have >= need)
			break;
		if (have >= size - 1)
			return -1;
	}
	if (sscanf(buf, "HTTP/1.%*d %ld", &status) != 1)
		return -1;
	return (int)status;
}

static void *client_run(void *arg)
{
	client *c = arg;
	char req[512], buf[4096];
	int fd = -1;
	uint64_t i = 0;

	while (now_us() < c->until_us) {
		char body[64];
		int n = snprintf(body, sizeof body, "{\"client\":%d,\"i\":%llu}",
				 c->id, (unsigned long long)i++);
		int len = snprintf(req, sizeof req, "POST / HTTP/1.1\r\n"
				   "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
				   "Content-Length: %d\r\n\r\n%s", n, body);
		int64_t t0;
		int status;

		if (fd < 0 && (fd = connect_to(c->port)) < 0) {
			usleep(10000);
			continue;
		}
		t0 = now_us();
		if (write(fd, req, (size_t)len) != len ||
		    (status = read_answer(fd, buf, sizeof buf)) < 0) {
			if (getenv("HTTP_BENCH_DEBUG"))
				fprintf(stderr, "connection lost\n");
			close(fd);
			fd = -1;
			c->non200++;
			continue;
		}
		if (status != 200) {
			if (getenv("HTTP_BENCH_DEBUG"))
				fprintf(stderr, "status %d: %s\n", status, buf);
			c->non200++;
			continue;
		}
		if (c->count == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			int64_t *l = realloc(c->lat_us, cap * sizeof *l);

			if (l == NULL)
				break;
			c->lat_us = l;
			c->cap = cap;
		}
		c->lat_us[c->count++] = now_us() - t0;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int load(int port, int clients, double seconds)
{
	client *c = calloc((size_t)clients, sizeof *c);
	int64_t start = now_us(), *all;
	size_t total = 0, k = 0;
	uint64_t non200 = 0;
	int i;

	if (c == NULL)
		return 1;
	for (i = 0; i < clients; i++) {
		c[i].port = port;
		c[i].id = i;
		c[i].until_us = start + (int64_t)(seconds * 1e6);
		pthread_create(&c[i].thread, NULL, client_run, &c[i]);
	}
	for (i = 0; i < clients; i++) {
		pthread_join(c[i].thread, NULL);
		total += c[i].count;
		non200 += c[i].non200;
	}
	all = malloc((total ? total : 1) * sizeof *all);
	if (all == NULL)
		return 1;
	for (i = 0; i < clients; i++) {
		memcpy(all + k, c[i].lat_us, c[i].count * sizeof *all);
		k += c[i].count;
		free(c[i].lat_us);
	}
	qsort(all, total, sizeof *all, by_value);
	printf("%.0f %.2f %.2f %llu\n",
	       (double)total / ((double)(now_us() - start) / 1e6),
	       total ? (double)all[total / 2] / 1000.0 : 0.0,
	       total ? (double)all[total * 99 / 100] / 1000.0 : 0.0,
	       (unsigned long long)non200);
	free(all);
	free(c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(atoi(argv[2]));
	if (argc >= 5 && strcmp(argv[1], "serve-kafka") == 0)
		return serve_kafka(atoi(argv[2]), argv[3], argv[4], argv + 5, argc - 5);
	if (argc == 5 && strcmp(argv[1], "load") == 0)
		return load(atoi(argv[2]), atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: http-bench serve PORT | serve-kafka PORT BROKERS "
		"TOPIC [rounds|each|threads] [KEY=VALUE...] | load PORT CLIENTS SECONDS\n");
	return 2;
}
