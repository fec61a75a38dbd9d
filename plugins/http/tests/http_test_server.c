/*
 * http_test_server.c - an HTTP server for the http sink's tests: it
 * listens on 127.0.0.1 on a free port (written to --port-file), answers
 * as told, and appends the body of every request it answers 2xx to
 * --out (a newline added when the body lacks one), so a test reads
 * what was delivered, in order.
 *
 *   --script LIST    how to answer the first requests, in order, one
 *                    item each: a status (500, 503, 429, ...), `hang`
 *                    (wait --hang-ms, then 500: the client timed out),
 *                    `reset` (close the connection without an answer);
 *                    later requests get 200
 *   --retry-after V  Retry-After of 429 and 503: seconds, or `date`
 *                    (an HTTP-date two seconds ahead); none without it
 *   --refuse MARKER  a body holding MARKER gets 400 and "refused: ..."
 *   --echo-header H  a refusal quotes the value of request header H
 *   --port N         listen on port N rather than a free one
 *   --delay-ms N     wait N ms before answering each request (a slow
 *                    server, so that a test can kill a job mid-run)
 *   --log FILE       one line per request: its number, the status, the
 *                    body's bytes and lines, method and Content-Type
 *   --tls-cert F --tls-key F   HTTPS with this PEM certificate and key
 *
 * It runs until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

enum { ANSWER, HANG, RESET };

typedef struct step {
	int kind;
	unsigned status;
} step;

static step *script;
static size_t script_len;
static const char *retry_after;
static const char *refuse_marker;
static const char *echo_header;
static long hang_ms = 3000;
static long delay_ms;
static FILE *out, *log_file;
static unsigned long requests;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t stop;

typedef struct upload {
	char *data;
	size_t len, cap;
} upload;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("http_test_server: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read %s", path);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void parse_script(const char *text)
{
	char *copy = strdup(text), *item, *save = NULL;

	for (item = strtok_r(copy, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		step s = { ANSWER, 0 };

		if (strcmp(item, "hang") == 0)
			s.kind = HANG;
		else if (strcmp(item, "reset") == 0)
			s.kind = RESET;
		else if ((s.status = (unsigned)atoi(item)) < 100)
			die("bad script item '%s'", item);
		script = realloc(script, (script_len + 1) * sizeof *script);
		script[script_len++] = s;
	}
	free(copy);
}

static int reply(struct MHD_Connection *conn, unsigned status, const char *text,
		 int with_retry_after)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	char date[64];
	int rc;

	if (with_retry_after && retry_after != NULL) {
		if (strcmp(retry_after, "date") == 0) {
			time_t when = time(NULL) + 2;
			struct tm tm;

			gmtime_r(&when, &tm);
			strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
			MHD_add_response_header(r, "Retry-After", date);
		} else {
			MHD_add_response_header(r, "Retry-After", retry_after);
		}
	}
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static size_t count_lines(const upload *u)
{
	size_t i, n = 0;

	for (i = 0; i < u->len; i++)
		n += u->data[i] == '\n';
	if (u->len > 0 && u->data[u->len - 1] != '\n')
		n++;
	return n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **state)
{
	upload *u = *state;
	unsigned long number;
	step s = { ANSWER, 200 };
	const char *type;
	char text[600];

	(void)cls;
	(void)url;
	(void)version;
	if (u == NULL) {
		*state = u = calloc(1, sizeof *u);
		return u != NULL ? MHD_YES : MHD_NO;
	}
	if (*data_size > 0) {
		if (u->len + *data_size + 1 > u->cap) {
			u->cap = (u->len + *data_size + 1) * 2;
			u->data = realloc(u->data, u->cap);
		}
		memcpy(u->data + u->len, data, *data_size);
		u->len += *data_size;
		*data_size = 0;
		return MHD_YES;
	}
	if (u->data == NULL)
		u->data = calloc(1, 1);
	if (delay_ms > 0) {
		struct timespec t = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };

		nanosleep(&t, NULL);
	}
	u->data[u->len] = '\0';
	pthread_mutex_lock(&lock);
	number = ++requests;
	if (number <= script_len)
		s = script[number - 1];
	if (s.kind == ANSWER && s.status == 200 && refuse_marker != NULL &&
	    strstr(u->data, refuse_marker) != NULL)
		s.status = 400;
	type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   "Content-Type");
	if (log_file != NULL) {
		fprintf(log_file, "%lu %s %zu %zu %s %s\n", number,
			s.kind == HANG ? "hang" : s.kind == RESET ? "reset" :
			(snprintf(text, sizeof text, "%u", s.status), text),
			u->len, count_lines(u), method, type ? type : "-");
		fflush(log_file);
	}
	if (s.kind == ANSWER && s.status >= 200 && s.status < 300) {
		fwrite(u->data, 1, u->len, out);
		if (u->len == 0 || u->data[u->len - 1] != '\n')
			fputc('\n', out);
		fflush(out);
	}
	pthread_mutex_unlock(&lock);
	if (s.kind == RESET)
		return MHD_NO;
	if (s.kind == HANG) {
		struct timespec t = { hang_ms / 1000, (hang_ms % 1000) * 1000000L };

		nanosleep(&t, NULL);
		return reply(conn, 500, "hung", 0);
	}
	if (s.status == 400) {
		const char *echo = echo_header == NULL ? NULL :
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    echo_header);

		int n = snprintf(text, sizeof text, "refused: the body holds %s",
				 refuse_marker ? refuse_marker : "(scripted)");

		if (echo != NULL && n > 0 && (size_t)n < sizeof text)
			snprintf(text + n, sizeof text - (size_t)n,
				 "; your %s is %s", echo_header, echo);
		return reply(conn, 400, text, 0);
	}
	snprintf(text, sizeof text, "status %u", s.status);
	return reply(conn, s.status, text,
		     s.status == 429 || s.status == 503);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **state,
		    enum MHD_RequestTerminationCode why)
{
	upload *u = *state;

	(void)cls;
	(void)conn;
	(void)why;
	if (u != NULL) {
		free(u->data);
		free(u);
		*state = NULL;
	}
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *port_file = NULL, *out_path = NULL, *cert = NULL, *key = NULL;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	struct sockaddr_in addr;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	char *cert_pem = NULL, *key_pem = NULL;
	char tmp_port[4096];
	long want_port = 0;
	FILE *pf;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (strcmp(k, "--port-file") == 0)
			port_file = v;
		else if (strcmp(k, "--out") == 0)
			out_path = v;
		else if (strcmp(k, "--script") == 0)
			parse_script(v);
		else if (strcmp(k, "--retry-after") == 0)
			retry_after = v;
		else if (strcmp(k, "--refuse") == 0)
			refuse_marker = v;
		else if (strcmp(k, "--echo-header") == 0)
			echo_header = v;
		else if (strcmp(k, "--hang-ms") == 0)
			hang_ms = atol(v);
		else if (strcmp(k, "--port") == 0)
			want_port = atol(v);
		else if (strcmp(k, "--delay-ms") == 0)
			delay_ms = atol(v);
		else if (strcmp(k, "--log") == 0)
			log_file = fopen(v, "a");
		else if (strcmp(k, "--tls-cert") == 0)
			cert = v;
		else if (strcmp(k, "--tls-key") == 0)
			key = v;
		else
			die("unknown option %s", k);
	}
	if (i != argc || port_file == NULL || out_path == NULL)
		die("usage: --port-file FILE --out FILE [options]");
	if ((out = fopen(out_path, "a")) == NULL)
		die("cannot open %s: %s", out_path, strerror(errno));
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)want_port);
	if (cert != NULL) {
		flags |= MHD_USE_TLS;
		cert_pem = read_file(cert);
		key_pem = read_file(key != NULL ? key : cert);
	}
	signal(SIGPIPE, SIG_IGN);
	if (cert != NULL)
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
				     MHD_OPTION_SOCK_ADDR, &addr,
				     MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
				     MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
				     MHD_OPTION_HTTPS_MEM_KEY, key_pem,
				     MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
				     MHD_OPTION_SOCK_ADDR, &addr,
				     MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
				     MHD_OPTION_END);
	if (d == NULL)
		die("cannot start the server%s", cert ? " (TLS)" : "");
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0)
		die("no port");
	/* written whole, then renamed: a test polling for it never reads
	 * half a number */
	snprintf(tmp_port, sizeof tmp_port, "%s.tmp", port_file);
	if ((pf = fopen(tmp_port, "w")) == NULL)
		die("cannot write %s", tmp_port);
	fprintf(pf, "%u\n", (unsigned)info->port);
	if (fclose(pf) != 0 || rename(tmp_port, port_file) != 0)
		die("cannot write %s", port_file);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	free(cert_pem);
	free(key_pem);
	return 0;
}
