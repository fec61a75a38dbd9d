/*
 * txn-produce.c - test helper: the lines of stdin as the records of one
 * Kafka transaction, which is then committed, aborted, or left open
 * (`hold`: prints "open" and waits to be killed), so that tests can build
 * topics with transaction markers, aborted records and an open
 * transaction, which kcat cannot.
 *
 *   txn-produce BOOTSTRAP TOPIC TRANSACTIONAL_ID commit|abort|hold
 *   txn-produce --version     librdkafka's version, for tests that care
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define TIMEOUT_MS 30000

static int check(rd_kafka_error_t *error, const char *what)
{
	if (error == NULL)
		return 0;
	fprintf(stderr, "txn-produce: %s: %s\n", what, rd_kafka_error_string(error));
	rd_kafka_error_destroy(error);
	return -1;
}

static int produce_lines(rd_kafka_t *rk, const char *topic)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while (rc == 0 && (n = getline(&line, &cap, stdin)) >= 0) {
		rd_kafka_resp_err_t code;

		if (n > 0 && line[n - 1] == '\n')
			n--;
		while ((code = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
						 RD_KAFKA_V_VALUE(line, (size_t)n),
						 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
						 RD_KAFKA_V_END)) ==
		       RD_KAFKA_RESP_ERR__QUEUE_FULL)
			rd_kafka_poll(rk, 100);
		if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
			fprintf(stderr, "txn-produce: %s\n", rd_kafka_err2str(code));
			rc = -1;
		}
	}
	free(line);
	return rc;
}

int main(int argc, char **argv)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char why[512];
	rd_kafka_t *rk;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		rd_kafka_conf_destroy(conf);
		printf("%s\n", rd_kafka_version_str());
		return 0;
	}
	if (argc != 5 || (strcmp(argv[4], "commit") && strcmp(argv[4], "abort") &&
			  strcmp(argv[4], "hold"))) {
		fprintf(stderr, "usage: txn-produce BOOTSTRAP TOPIC TRANSACTIONAL_ID "
			"commit|abort|hold\n");
		return 2;
	}
	if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], why, sizeof why) ||
	    rd_kafka_conf_set(conf, "transactional.id", argv[3], why, sizeof why) ||
	    (rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why)) == NULL) {
		fprintf(stderr, "txn-produce: %s\n", why);
		return 1;
	}
	rc = check(rd_kafka_init_transactions(rk, TIMEOUT_MS), "init") ||
	     check(rd_kafka_begin_transaction(rk), "begin") ||
	     produce_lines(rk, argv[2]) ||
	     rd_kafka_flush(rk, TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR;
	if (rc == 0 && strcmp(argv[4], "hold") == 0) {
		printf("open\n");
		fflush(stdout);
		for (;;)
			pause(); /* killed with the transaction still open */
	}
	if (rc == 0)
		rc = strcmp(argv[4], "commit") == 0 ?
			check(rd_kafka_commit_transaction(rk, TIMEOUT_MS), "commit") :
			check(rd_kafka_abort_transaction(rk, TIMEOUT_MS), "abort");
	rd_kafka_destroy(rk);
	return rc ? 1 : 0;
}
