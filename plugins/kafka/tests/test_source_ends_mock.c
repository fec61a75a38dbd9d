/*
 * The bounded run's end (stop = end) against what librdkafka answers, on
 * its in-process mock cluster: the ends looked up for the partitions a
 * source does not know yet, and the group's committed offsets, as
 * rd_kafka_committed() returns them, counted short of those ends until a
 * commit reaches each one.  Offsets only: no transaction (the mock does
 * not stand in for a broker there; the eos tests use a real one).
 */
#include "config.h"

#include "check.h"
#include "kafka_source_shared.h"

#include <librdkafka/rdkafka_mock.h> /* after rdkafka.h, as it asks */

/* The functions under test call nothing of the host. */
const sl_host *sl_host_api;

#define TIMEOUT_MS 10000

static rd_kafka_t *client(rd_kafka_type_t type, const char *servers)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char errstr[512];
	rd_kafka_t *rk;

	/* warnings only: the mock's host has no bootstrap.servers, rightly */
	if (rd_kafka_conf_set(conf, "log_level", "4", errstr,
			      sizeof errstr) != RD_KAFKA_CONF_OK ||
	    (servers != NULL &&
	     rd_kafka_conf_set(conf, "bootstrap.servers", servers, errstr,
			       sizeof errstr) != RD_KAFKA_CONF_OK) ||
	    (type == RD_KAFKA_CONSUMER &&
	     (rd_kafka_conf_set(conf, "group.id", "bounded", errstr,
				sizeof errstr) != RD_KAFKA_CONF_OK ||
	      rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr,
				sizeof errstr) != RD_KAFKA_CONF_OK))) {
		fprintf(stderr, "config: %s\n", errstr);
		exit(99);
	}
	if ((rk = rd_kafka_new(type, conf, errstr, sizeof errstr)) == NULL) {
		fprintf(stderr, "rd_kafka_new: %s\n", errstr);
		exit(99);
	}
	return rk;
}

static void produce(rd_kafka_t *p, int32_t partition, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (rd_kafka_producev(p, RD_KAFKA_V_TOPIC("t"),
				      RD_KAFKA_V_PARTITION(partition),
				      RD_KAFKA_V_VALUE("x", 1),
				      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				      RD_KAFKA_V_END) != RD_KAFKA_RESP_ERR_NO_ERROR)
			exit(99);
}

/* Commit @p offset for "t" @p partition, as the engine's commit would. */
static void commit(rd_kafka_t *c, int32_t partition, int64_t offset)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_resp_err_t code;

	rd_kafka_topic_partition_list_add(l, "t", partition)->offset = offset;
	code = rd_kafka_commit(c, l, 0);
	CHECK_MSG(code == RD_KAFKA_RESP_ERR_NO_ERROR, "commit: %s",
		  rd_kafka_err2str(code));
	rd_kafka_topic_partition_list_destroy(l);
}

/* What the group still misses, asked as kafka_source_group_done asks. */
static int missing(kafka_source *s)
{
	rd_kafka_topic_partition_list_t *q = kafka_source_ends_query(s);
	rd_kafka_resp_err_t code = rd_kafka_committed(s->client.rk, q, TIMEOUT_MS);
	int n;

	CHECK_MSG(code == RD_KAFKA_RESP_ERR_NO_ERROR, "committed: %s",
		  rd_kafka_err2str(code));
	n = kafka_source_ends_missing(s, q);
	rd_kafka_topic_partition_list_destroy(q);
	return n;
}

int main(void)
{
	rd_kafka_t *host = client(RD_KAFKA_PRODUCER, NULL), *producer, *consumer;
	rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(host, 1);
	const int32_t all[] = { 0, 1, 2 };
	rd_kafka_topic_partition_list_t *parts, *q;
	rd_kafka_resp_err_t code;
	kafka_source s;
	int j;

	if (mc == NULL || rd_kafka_mock_topic_create(mc, "t", 3, 1) !=
	    RD_KAFKA_RESP_ERR_NO_ERROR) {
		fprintf(stderr, "no mock cluster\n");
		return 99;
	}
	producer = client(RD_KAFKA_PRODUCER, rd_kafka_mock_cluster_bootstraps(mc));
	produce(producer, 0, 5);
	produce(producer, 1, 3); /* partition 2 stays empty */
	if (rd_kafka_flush(producer, TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return 99;
	consumer = client(RD_KAFKA_CONSUMER, rd_kafka_mock_cluster_bootstraps(mc));

	memset(&s, 0, sizeof s);
	s.client.rk = consumer;
	s.stop_at_end = 1;
	parts = rd_kafka_topic_partition_list_new(3);
	for (j = 0; j < 3; j++) {
		rd_kafka_topic_partition_list_add(parts, "t", all[j]);
		kafka_source_part(&s, "t", all[j], 1);
	}
	/* taken at its first assignment; a writer has added one since */
	s.parts[1].end = 2;

	/* the ends still unknown, looked up as the rebalance does */
	q = kafka_source_unknown_ends(&s, parts);
	CHECK(q->cnt == 2);
	code = rd_kafka_offsets_for_times(consumer, q, TIMEOUT_MS);
	CHECK_MSG(code == RD_KAFKA_RESP_ERR_NO_ERROR, "offsets_for_times: %s",
		  rd_kafka_err2str(code));
	for (j = 0; j < q->cnt; j++)
		kafka_source_part(&s, q->elems[j].topic, q->elems[j].partition,
				  0)->end = q->elems[j].offset;
	rd_kafka_topic_partition_list_destroy(q);
	CHECK(s.parts[0].end == 5);
	CHECK(s.parts[1].end == 2); /* the run's bound does not move */
	CHECK(s.parts[2].end == 0);

	/* nothing committed: both partitions with records are missing */
	CHECK(missing(&s) == 2);
	commit(consumer, 0, 4);
	CHECK(missing(&s) == 2); /* one record of partition 0 short */
	commit(consumer, 0, 5);
	CHECK(missing(&s) == 1);
	commit(consumer, 1, 2);
	CHECK(missing(&s) == 0); /* the empty partition needs nothing */

	rd_kafka_topic_partition_list_destroy(parts);
	kafka_source_book_free(&s);
	rd_kafka_consumer_close(consumer);
	rd_kafka_destroy(consumer);
	rd_kafka_destroy(producer);
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(host);
	return check_done("test_source_ends_mock");
}
