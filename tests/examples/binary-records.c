/*
 * binary-records.c - test helper: binary Kafka records written and read
 * back exactly, which kcat's text formats cannot do for every byte.
 *
 *   binary-records produce BOOTSTRAP TOPIC N
 *       N deterministic records (idempotent producer): keys that are null,
 *       empty or binary; values holding every byte value, NULs, invalid
 *       UTF-8, empty and null values and one of 1 MiB (record 5, when
 *       N > 5); explicit timestamps; no headers, or headers with binary,
 *       empty and null values and a repeated name.
 *   binary-records dump BOOTSTRAP TOPIC MIN
 *       every committed record of TOPIC, one line each, partition by
 *       partition: "k=HEX v=HEX t=TIMESTAMP h=NAME:HEX,..." with "-" for
 *       a null key, value or header value; read again (for up to 15 s)
 *       until there are at least MIN.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define TIMEOUT_MS 30000
#define BIG_VALUE (1 << 20)
#define BASE_TS INT64_C(1700000000000)

static int failed_deliveries;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (m->err) {
		if (failed_deliveries++ == 0)
			fprintf(stderr, "binary-records: delivery: %s\n",
				rd_kafka_err2str(m->err));
	}
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *bootstrap)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char why[512];
	rd_kafka_t *rk;
	int bad;

	bad = rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, why, sizeof why);
	if (!bad && type == RD_KAFKA_PRODUCER) {
		bad = rd_kafka_conf_set(conf, "enable.idempotence", "true", why, sizeof why) ||
		      rd_kafka_conf_set(conf, "message.max.bytes", "2000000", why, sizeof why) ||
		      rd_kafka_conf_set(conf, "message.timeout.ms", "30000", why, sizeof why);
		rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	} else if (!bad) {
		bad = rd_kafka_conf_set(conf, "group.id", "binary-records", why, sizeof why) ||
		      rd_kafka_conf_set(conf, "enable.partition.eof", "true", why, sizeof why) ||
		      rd_kafka_conf_set(conf, "enable.auto.commit", "false", why, sizeof why) ||
		      rd_kafka_conf_set(conf, "isolation.level", "read_committed", why, sizeof why);
	}
	if (bad || (rk = rd_kafka_new(type, conf, why, sizeof why)) == NULL) {
		if (bad)
			rd_kafka_conf_destroy(conf);
		fprintf(stderr, "binary-records: %s\n", why);
		return NULL;
	}
	return rk;
}

/* Record @p i's value into @p buf (room for BIG_VALUE); its length, or -1
 * for a null value. */
static long value_of(long i, uint8_t *buf)
{
	long j, len;

	if (i == 5) {
		for (j = 0; j < BIG_VALUE; j++)
			buf[j] = (uint8_t)(j ^ (j >> 8));
		return BIG_VALUE;
	}
	if (i % 100 == 4)
		return -1;
	if (i % 50 == 2)
		return 0;
	if (i % 7 == 3) {
		/* all 256 byte values, rotated */
		for (j = 0; j < 256; j++)
			buf[j] = (uint8_t)(j + i);
		return 256;
	}
	if (i % 11 == 6) {
		/* NULs, and invalid UTF-8 of every kind */
		static const uint8_t odd[] = "\0\0x\xC0\x80\xED\xA0\x80\xF4\x90\x80\x80"
					     "\xFE\xFF\x80\xE2\x82";
		memcpy(buf, odd, sizeof odd - 1);
		return (long)sizeof odd - 1;
	}
	len = (i * 37) % 300 + 1;
	for (j = 0; j < len; j++)
		buf[j] = (uint8_t)(i * 31 + j * 17);
	return len;
}

/* Record @p i's key into @p buf (8 bytes of room); its length, -1 for null. */
static long key_of(long i, uint8_t *buf)
{
	if (i % 10 == 0)
		return -1;
	if (i % 10 == 1)
		return 0;
	buf[0] = 0;
	buf[1] = (uint8_t)(i >> 16);
	buf[2] = (uint8_t)(i >> 8);
	buf[3] = (uint8_t)i;
	buf[4] = 0xFF;
	buf[5] = (uint8_t)(i * 7);
	return 6;
}

static rd_kafka_headers_t *headers_of(long i)
{
	rd_kafka_headers_t *h;
	uint8_t bin[8];
	int j;

	if (i % 3 == 0)
		return NULL;
	for (j = 0; j < 8; j++)
		bin[j] = (uint8_t)(i * 13 + j * 41);
	bin[2] = 0;
	bin[5] = 0xFF;
	h = rd_kafka_headers_new(5);
	rd_kafka_header_add(h, "bin", -1, bin, sizeof bin);
	if (i % 3 == 2) {
		rd_kafka_header_add(h, "empty", -1, "", 0);
		rd_kafka_header_add(h, "null", -1, NULL, 0);
		rd_kafka_header_add(h, "caf\xC3\xA9", -1, "\x80\x00\xC0", 3);
		rd_kafka_header_add(h, "bin", -1, bin + 1, 3);
	}
	return h;
}

static int produce(const char *bootstrap, const char *topic, long n)
{
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bootstrap);
	uint8_t *value = malloc(BIG_VALUE), key[8];
	long i;
	int rc = 0;

	if (rk == NULL || value == NULL) {
		fprintf(stderr, "binary-records: cannot start a producer\n");
		return 1;
	}
	for (i = 0; rc == 0 && i < n; i++) {
		long vlen = value_of(i, value), klen = key_of(i, key);
		rd_kafka_headers_t *h = headers_of(i);
		/* the macros cast their arguments: no expressions in them */
		void *kp = klen < 0 ? NULL : key, *vp = vlen < 0 ? NULL : value;
		size_t ks = klen < 0 ? 0 : (size_t)klen, vs = vlen < 0 ? 0 : (size_t)vlen;
		rd_kafka_resp_err_t code;

		do {
			code = rd_kafka_producev(
				rk, RD_KAFKA_V_TOPIC(topic),
				RD_KAFKA_V_KEY(kp, ks),
				RD_KAFKA_V_VALUE(vp, vs),
				RD_KAFKA_V_TIMESTAMP(BASE_TS + i * 1000),
				RD_KAFKA_V_HEADERS(h),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				RD_KAFKA_V_END);
			if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL)
				rd_kafka_poll(rk, 100);
		} while (code == RD_KAFKA_RESP_ERR__QUEUE_FULL);
		if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
			fprintf(stderr, "binary-records: record %ld: %s\n", i,
				rd_kafka_err2str(code));
			if (h != NULL)
				rd_kafka_headers_destroy(h);
			rc = 1;
		}
		rd_kafka_poll(rk, 0);
	}
	if (rd_kafka_flush(rk, TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		fprintf(stderr, "binary-records: flush timed out\n");
		rc = 1;
	}
	if (failed_deliveries) {
		fprintf(stderr, "binary-records: %d records not delivered\n",
			failed_deliveries);
		rc = 1;
	}
	rd_kafka_destroy(rk);
	free(value);
	return rc;
}

static void put_hex(FILE *out, const void *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	size_t i;

	if (p == NULL) {
		fputc('-', out);
		return;
	}
	for (i = 0; i < len; i++) {
		fputc(digits[b[i] >> 4], out);
		fputc(digits[b[i] & 15], out);
	}
}

static void put_record(FILE *out, const rd_kafka_message_t *m)
{
	rd_kafka_timestamp_type_t type;
	int64_t ts = rd_kafka_message_timestamp(m, &type);
	rd_kafka_headers_t *h;
	size_t i;

	fputs("k=", out);
	put_hex(out, m->key, m->key_len);
	fputs(" v=", out);
	put_hex(out, m->payload, m->len);
	fprintf(out, " t=%" PRId64 "/%s h=", ts,
		type == RD_KAFKA_TIMESTAMP_CREATE_TIME ? "create" :
		type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? "append" : "none");
	if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		const char *name;
		const void *value;
		size_t size;

		for (i = 0; rd_kafka_header_get_all(h, i, &name, &value, &size) ==
			    RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
			if (i > 0)
				fputc(',', out);
			put_hex(out, name, strlen(name));
			fputc(':', out);
			put_hex(out, value, size);
		}
	}
	fputc('\n', out);
}

/* Every record of @p topic into @p out; how many, or -1. */
static long dump_once(const char *bootstrap, const char *topic, FILE *out)
{
	rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, bootstrap);
	const rd_kafka_metadata_t *md = NULL;
	rd_kafka_topic_t *rkt;
	rd_kafka_topic_partition_list_t *parts;
	long count = 0;
	int i, open;

	if (rk == NULL)
		return -1;
	rkt = rd_kafka_topic_new(rk, topic, NULL);
	if (rd_kafka_metadata(rk, 0, rkt, &md, TIMEOUT_MS) ||
	    md->topic_cnt != 1 || md->topics[0].err) {
		fprintf(stderr, "binary-records: no metadata for topic %s\n", topic);
		if (md != NULL)
			rd_kafka_metadata_destroy(md);
		rd_kafka_topic_destroy(rkt);
		rd_kafka_destroy(rk);
		return -1;
	}
	open = md->topics[0].partition_cnt;
	parts = rd_kafka_topic_partition_list_new(open);
	/* partition by partition, in order, so dumps compare after a sort */
	for (i = 0; i < open; i++)
		rd_kafka_topic_partition_list_add(parts, topic, i)->offset =
			RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_assign(rk, parts);
	rd_kafka_topic_partition_list_destroy(parts);
	while (open > 0) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, TIMEOUT_MS);

		if (m == NULL) {
			fprintf(stderr, "binary-records: nothing read for %d s\n",
				TIMEOUT_MS / 1000);
			count = -1;
			break;
		}
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			open--;
		} else if (m->err) {
			fprintf(stderr, "binary-records: %s\n", rd_kafka_message_errstr(m));
			rd_kafka_message_destroy(m);
			count = -1;
			break;
		} else {
			put_record(out, m);
			count++;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return count;
}

static int dump(const char *bootstrap, const char *topic, long min)
{
	int tries;

	/* a transaction's markers may land just after the job ended */
	for (tries = 0;; tries++) {
		FILE *tmp = tmpfile();
		long n;
		int c;

		if (tmp == NULL) {
			perror("binary-records: tmpfile");
			return 1;
		}
		n = dump_once(bootstrap, topic, tmp);
		if (n < 0) {
			fclose(tmp);
			return 1;
		}
		if (n >= min || tries == 75) {
			rewind(tmp);
			while ((c = getc(tmp)) != EOF)
				putchar(c);
			fclose(tmp);
			if (n < min)
				fprintf(stderr, "binary-records: %ld records, not %ld\n",
					n, min);
			return fflush(stdout) != 0 || n < min;
		}
		fclose(tmp);
		usleep(200000);
	}
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "produce") == 0)
		return produce(argv[2], argv[3], atol(argv[4]));
	if (argc == 5 && strcmp(argv[1], "dump") == 0)
		return dump(argv[2], argv[3], atol(argv[4]));
	fprintf(stderr, "usage: binary-records produce BOOTSTRAP TOPIC N\n"
		"       binary-records dump BOOTSTRAP TOPIC MIN\n");
	return 2;
}
