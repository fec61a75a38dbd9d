/*
 * kafka-bare.c - the Kafka benchmark's baseline and its tools, straight on
 * librdkafka, no Sluice in between.
 *
 *   kafka-bare produce BROKERS TOPIC COUNT SIZE RATE
 *       COUNT records "k<i>" -> SIZE bytes, RATE records/s (0: at once),
 *       each stamped with the time it is produced
 *   kafka-bare pipe BROKERS IN OUT COUNT GROUP
 *       consume COUNT records of IN (group GROUP, from the start) and
 *       produce each to OUT with its key, value, timestamp and headers
 *       through an idempotent producer (what the sink uses under
 *       at-least-once), flush; prints the milliseconds it took, start to
 *       flushed.  Consumes in batches from the consumer's queue
 *       (rd_kafka_consume_batch_queue) and serves the producer once per
 *       batch: the client library's limit, and the benchmark's baseline
 *   kafka-bare pipe1 BROKERS IN OUT COUNT GROUP
 *       the same, one rd_kafka_consumer_poll and one producer poll per
 *       record, as a simple client is written
 *   kafka-bare latency BROKERS TOPIC COUNT
 *       read COUNT records of TOPIC (read_committed) as they come and
 *       print the p50 and p99 of (time read - record timestamp) in ms
 *   kafka-bare first BROKERS TOPIC SECONDS
 *       wait up to SECONDS for the first record of TOPIC (read_committed)
 *       and print the wall clock in ms when it was read
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

/* Messages taken from the consumer's queue at once (the engine's batch). */
#define BATCH 1024

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "kafka-bare: %s: %s\n", what, why);
	exit(1);
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *brokers,
			  const char *const *props)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char why[512];
	rd_kafka_t *rk;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why,
			      sizeof why) != RD_KAFKA_CONF_OK)
		die("bootstrap.servers", why);
	for (; props != NULL && props[0] != NULL; props += 2)
		if (rd_kafka_conf_set(conf, props[0], props[1], why, sizeof why) !=
		    RD_KAFKA_CONF_OK)
			die(props[0], why);
	if ((rk = rd_kafka_new(type, conf, why, sizeof why)) == NULL)
		die("rd_kafka_new", why);
	return rk;
}

static void produce_one(rd_kafka_t *rk, rd_kafka_topic_t *rkt, const void *key,
			size_t klen, const void *val, size_t vlen, int64_t ts)
{
	rd_kafka_resp_err_t code;

	while ((code = rd_kafka_producev(rk, RD_KAFKA_V_RKT(rkt),
					 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
					 RD_KAFKA_V_KEY(key, klen),
					 RD_KAFKA_V_VALUE((void *)val, vlen),
					 RD_KAFKA_V_TIMESTAMP(ts),
					 RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
		rd_kafka_poll(rk, 10);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		die("produce", rd_kafka_err2str(code));
}

static void flush_all(rd_kafka_t *rk)
{
	if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR)
		die("flush", "records still in flight after 120 s");
}

static int produce(const char *brokers, const char *topic, long count,
		   size_t size, long rate)
{
	static const char *const props[] = { "enable.idempotence", "true",
					     "linger.ms", "5", NULL };
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, brokers, props);
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	char *value = malloc(size), key[32];
	int64_t start = wall_ms();
	long i;

	memset(value, 'x', size);
	for (i = 0; i < count; i++) {
		int n = snprintf(key, sizeof key, "k%ld", i);

		/* at RATE: record i is due at start + i / RATE */
		if (rate > 0)
			while (wall_ms() < start + i * 1000 / rate)
				rd_kafka_poll(rk, 1);
		produce_one(rk, rkt, key, (size_t)n, value, size, 0);
		if ((i & 1023) == 0)
			rd_kafka_poll(rk, 0);
	}
	flush_all(rk);
	free(value);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return 0;
}

/* Headers as the sink forwards them: copied onto the produced record. */
static rd_kafka_headers_t *headers_of(rd_kafka_message_t *m)
{
	rd_kafka_headers_t *h;

	if (rd_kafka_message_headers(m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return NULL;
	return rd_kafka_headers_copy(h);
}

static void forward(rd_kafka_t *p, rd_kafka_topic_t *rkt, rd_kafka_message_t *m)
{
	rd_kafka_headers_t *h = headers_of(m);
	rd_kafka_resp_err_t code;

	while ((code = rd_kafka_producev(p, RD_KAFKA_V_RKT(rkt),
					 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
					 RD_KAFKA_V_KEY(m->key, m->key_len),
					 RD_KAFKA_V_VALUE(m->payload, m->len),
					 RD_KAFKA_V_TIMESTAMP(
						 rd_kafka_message_timestamp(m, NULL)),
					 RD_KAFKA_V_HEADERS(h),
					 RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
		rd_kafka_poll(p, 10);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_headers_destroy(h);
		die("produce", rd_kafka_err2str(code));
	}
}

static int pipe_records(const char *brokers, const char *in, const char *out,
			long count, const char *group, int batched)
{
	/* librdkafka 2.0 backs the fetcher off for a second once this many
	 * records wait (fetch.queue.backoff.ms only came in 2.1): the
	 * default, 100000, starves a fast pipeline in bursts.  The Sluice
	 * jobs of the benchmark get the same setting. */
	const char *const cprops[] = { "group.id", group,
				       "auto.offset.reset", "earliest",
				       "enable.auto.commit", "false",
				       "queued.min.messages", "1000000", NULL };
	static const char *const pprops[] = { "enable.idempotence", "true", NULL };
	int64_t start = wall_ms();
	rd_kafka_t *c = client(RD_KAFKA_CONSUMER, brokers, cprops);
	rd_kafka_t *p = client(RD_KAFKA_PRODUCER, brokers, pprops);
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(p, out, NULL);
	rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
	rd_kafka_message_t *batch[BATCH];
	rd_kafka_queue_t *queue;
	long got = 0;

	rd_kafka_poll_set_consumer(c);
	rd_kafka_topic_partition_list_add(sub, in, RD_KAFKA_PARTITION_UA);
	if (rd_kafka_subscribe(c, sub) != RD_KAFKA_RESP_ERR_NO_ERROR)
		die("subscribe", in);
	rd_kafka_topic_partition_list_destroy(sub);
	queue = rd_kafka_queue_get_consumer(c);
	while (got < count && !batched) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);

		if (m == NULL)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			forward(p, rkt, m);
			got++;
		}
		rd_kafka_message_destroy(m);
		rd_kafka_poll(p, 0);
	}
	while (got < count && batched) {
		ssize_t n = rd_kafka_consume_batch_queue(queue, 100, batch, BATCH);
		ssize_t i;

		for (i = 0; i < n; i++) {
			if (batch[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
				forward(p, rkt, batch[i]);
				got++;
			}
			rd_kafka_message_destroy(batch[i]);
		}
		rd_kafka_poll(p, 0);
	}
	flush_all(p);
	rd_kafka_queue_destroy(queue);
	printf("%lld\n", (long long)(wall_ms() - start));
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(p);
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A read_committed consumer of @p topic from its start, in a group of its
 * own named after @p what. */
static rd_kafka_t *reader(const char *brokers, const char *topic,
			  const char *what)
{
	char group[96];
	const char *const props[] = { "group.id", group,
				      "auto.offset.reset", "earliest",
				      "enable.auto.commit", "false",
				      "isolation.level", "read_committed",
				      "fetch.wait.max.ms", "10", NULL };
	rd_kafka_t *c;
	rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);

	snprintf(group, sizeof group, "kafka-bare-%s-%ld-%ld", what,
		 (long)time(NULL), (long)getpid());
	c = client(RD_KAFKA_CONSUMER, brokers, props);
	rd_kafka_poll_set_consumer(c);
	rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
	if (rd_kafka_subscribe(c, sub) != RD_KAFKA_RESP_ERR_NO_ERROR)
		die("subscribe", topic);
	rd_kafka_topic_partition_list_destroy(sub);
	return c;
}

static int latency(const char *brokers, const char *topic, long count)
{
	rd_kafka_t *c = reader(brokers, topic, "latency");
	int64_t *lat = malloc((size_t)count * sizeof *lat);
	long got = 0;

	while (got < count) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);

		if (m == NULL)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
			lat[got++] = wall_ms() - rd_kafka_message_timestamp(m, NULL);
		rd_kafka_message_destroy(m);
	}
	qsort(lat, (size_t)count, sizeof *lat, cmp_i64);
	printf("%lld %lld\n", (long long)lat[count / 2],
	       (long long)lat[count * 99 / 100]);
	free(lat);
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	return 0;
}

static int first(const char *brokers, const char *topic, long seconds)
{
	rd_kafka_t *c = reader(brokers, topic, "first");
	int64_t until = wall_ms() + seconds * 1000, at = -1;

	while (at < 0 && wall_ms() < until) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);

		if (m == NULL)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
			at = wall_ms();
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	if (at < 0)
		die("first", "no record in time");
	printf("%lld\n", (long long)at);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "produce") == 0)
		return produce(argv[2], argv[3], atol(argv[4]),
			       (size_t)atol(argv[5]), atol(argv[6]));
	if (argc == 7 && strcmp(argv[1], "pipe") == 0)
		return pipe_records(argv[2], argv[3], argv[4], atol(argv[5]), argv[6], 1);
	if (argc == 7 && strcmp(argv[1], "pipe1") == 0)
		return pipe_records(argv[2], argv[3], argv[4], atol(argv[5]), argv[6], 0);
	if (argc == 5 && strcmp(argv[1], "latency") == 0)
		return latency(argv[2], argv[3], atol(argv[4]));
	if (argc == 5 && strcmp(argv[1], "first") == 0)
		return first(argv[2], argv[3], atol(argv[4]));
	fprintf(stderr,
		"usage: kafka-bare produce BROKERS TOPIC COUNT SIZE RATE\n"
		"       kafka-bare pipe BROKERS IN OUT COUNT GROUP\n"
		"       kafka-bare pipe1 BROKERS IN OUT COUNT GROUP\n"
		"       kafka-bare latency BROKERS TOPIC COUNT\n"
		"       kafka-bare first BROKERS TOPIC SECONDS\n");
	return 2;
}
