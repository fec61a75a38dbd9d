/*
 * http-bench.c - the http source benchmark's baseline and load.
 *
 *   http-bench serve PORT
 *       a libmicrohttpd server on 127.0.0.1:PORT that reads each POST's
 *       body and answers 200 {"records":1} at once: what an endpoint
 *       costs without a job behind it.  Runs until SIGTERM.
 *   http-bench load PORT CLIENTS SECONDS
 *       CLIENTS threads, each on one keep-alive connection, POST a small
 *       JSON body to 127.0.0.1:PORT/ one request after the other for
 *       SECONDS; prints "requests/s p50_ms p99_ms non200" of the answers.
 *       A client whose connection drops connects again.
 */
#define _GNU_SOURCE /* strcasestr */
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (argc == 5 && strcmp(argv[1], "load") == 0)
		return load(atoi(argv[2]), atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: http-bench serve PORT | load PORT CLIENTS SECONDS\n");
	return 2;
}
