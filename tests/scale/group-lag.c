/*
 * group-lag.c - what a consumer group has committed of a topic, for the
 * scale-out tests: "PARTITION COMMITTED HIGH_WATERMARK" per partition,
 * then "lag N", the sum of the differences (a partition never committed
 * counts from its low watermark).
 *
 *   group-lag BOOTSTRAP GROUP TOPIC
 */
#include <stdio.h>
#include <stdlib.h>

#include <librdkafka/rdkafka.h>

#define TIMEOUT_MS 10000

int main(int argc, char **argv)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_partition_list_t *list;
	rd_kafka_conf_t *conf;
	rd_kafka_topic_t *rkt;
	rd_kafka_t *rk;
	char why[512];
	long long lag = 0;
	int i, rc = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: group-lag BOOTSTRAP GROUP TOPIC\n");
		return 2;
	}
	conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], why, sizeof why) ||
	    rd_kafka_conf_set(conf, "group.id", argv[2], why, sizeof why) ||
	    rd_kafka_conf_set(conf, "isolation.level", "read_uncommitted", why,
			      sizeof why)) {
		fprintf(stderr, "group-lag: %s\n", why);
		return 2;
	}
	if ((rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why)) == NULL) {
		fprintf(stderr, "group-lag: %s\n", why);
		return 1;
	}
	rkt = rd_kafka_topic_new(rk, argv[3], NULL);
	if (rd_kafka_metadata(rk, 0, rkt, &md, TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR ||
	    md->topic_cnt != 1 || md->topics[0].err) {
		fprintf(stderr, "group-lag: no topic %s\n", argv[3]);
		return 1;
	}
	list = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
	for (i = 0; i < md->topics[0].partition_cnt; i++)
		rd_kafka_topic_partition_list_add(list, argv[3], i);
	if (rd_kafka_committed(rk, list, TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		fprintf(stderr, "group-lag: cannot read the committed offsets\n");
		return 1;
	}
	for (i = 0; i < list->cnt; i++) {
		int64_t lo = 0, hi = 0, at = list->elems[i].offset;

		if (rd_kafka_query_watermark_offsets(rk, argv[3], i, &lo, &hi,
						     TIMEOUT_MS)) {
			fprintf(stderr, "group-lag: no watermarks of partition %d\n", i);
			rc = 1;
			continue;
		}
		printf("%d %lld %lld\n", i, (long long)at, (long long)hi);
		lag += hi - (at >= 0 ? at : lo);
	}
	printf("lag %lld\n", lag);
	rd_kafka_topic_partition_list_destroy(list);
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return rc;
}
