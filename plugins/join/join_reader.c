/*
 * join_reader.c - reading the table topic: librdkafka's simple consumer
 * API, partitions started from the beginning into one queue, no group
 * (nothing is committed: the table is rebuilt from the topic at every
 * open, which compaction keeps short), read_committed.  Global: every
 * partition, from open.  Split: a partition from the moment an input of
 * its number comes to the instance (join_reader_take, called before any
 * record of that input is processed) until the last such input leaves.
 *
 * A first read ends once every partition it started reports its end
 * (PARTITION_EOF) at or past the high watermark it had when the read
 * began: offsets alone cannot tell, compaction leaves gaps and
 * transaction markers take offsets but are never delivered.  After that
 * the same queue is polled without waiting, so table updates reach
 * records that come later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "join_reader.h"

#define TIMEOUT_MS 10000
/* A first read that makes no progress this long fails. */
#define STALL_MS 60000

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct pass_ctx {
	rd_kafka_conf_t *conf;
	const sl_stage *stage;
	sl_error *err;
} pass_ctx;

static int set(const sl_stage *stage, rd_kafka_conf_t *conf, const char *key,
	       const char *option, const char *value, sl_error *err)
{
	char why[256];

	if (rd_kafka_conf_set(conf, key, value, why, sizeof why) == RD_KAFKA_CONF_OK)
		return SL_OK;
	return sl_config_error(stage, option, err, "%s", why);
}

static int pass_through(void *ctx, const char *key, const char *value)
{
	pass_ctx *p = ctx;

	return set(p->stage, p->conf, key + strlen("kafka."), key, value,
		   p->err) == SL_OK ? 0 : -1;
}

static rd_kafka_conf_t *reader_conf(const sl_stage *stage, sl_error *err)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char client_id[256];
	const char *defaults[] = {
		"client.id", client_id,
		"isolation.level", "read_committed",
		"enable.partition.eof", "true",
		"enable.auto.commit", "false",
		"enable.auto.offset.store", "false",
		/* an empty fetch finds the end: the broker's usual wait for
		 * data would delay each poll that follows the table */
		"fetch.wait.max.ms", "100",
		/* at the default (100000 records waiting in the queue)
		 * librdkafka pauses fetching for a second while the first
		 * read, which drains the queue far faster, waits: measured,
		 * 200,000 table records took 1.1 s instead of 0.35 s */
		"queued.min.messages", "1000000",
		NULL
	};
	pass_ctx p = { conf, stage, err };
	size_t i;

	snprintf(client_id, sizeof client_id, "sluice-%s-%s-table",
		 sl_job_name(stage), sl_stage_name(stage));
	if (conf == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	if (set(stage, conf, "bootstrap.servers", "bootstrap.servers",
		sl_option(stage, "bootstrap.servers"), err) != SL_OK)
		goto fail;
	for (i = 0; defaults[i] != NULL; i += 2)
		if (set(stage, conf, defaults[i], defaults[i], defaults[i + 1],
			err) != SL_OK)
			goto fail;
	if (sl_option_each(stage, "kafka.", pass_through, &p) != 0)
		goto fail;
	return conf;
fail:
	rd_kafka_conf_destroy(conf);
	return NULL;
}

static int count_partitions(join_reader *r, sl_error *err)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t code;

	code = rd_kafka_metadata(r->rk, 0, r->rkt, &md, TIMEOUT_MS);
	if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
		return sl_error_set(err, SL_ERR_RUNTIME,
				    "table.topic %s: cannot read its metadata: %s",
				    r->topic, rd_kafka_err2str(code));
	if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
	    md->topics[0].partition_cnt == 0) {
		code = md->topic_cnt == 1 ? md->topics[0].err :
			RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
		rd_kafka_metadata_destroy(md);
		/* not the job file's fault: the topic may come later */
		return sl_error_set(err, SL_ERR_RUNTIME, "table.topic %s: %s",
				    r->topic, code ? rd_kafka_err2str(code) :
				    "the topic has no partitions");
	}
	r->nparts = md->topics[0].partition_cnt;
	rd_kafka_metadata_destroy(md);
	return SL_OK;
}

/* The summary shows the table's size: counters move by the change. */
static void count_change(join_reader *r, size_t keys, size_t bytes)
{
	sl_metric_add(r->stage, "table.keys",
		      (int64_t)r->table->keys - (int64_t)keys);
	sl_metric_add(r->stage, "table.bytes",
		      (int64_t)r->table->bytes - (int64_t)bytes);
}

/* One record of the table topic into the table: a NULL value deletes. */
static int apply(join_reader *r, const rd_kafka_message_t *m, sl_error *err)
{
	size_t keys = r->table->keys, bytes = r->table->bytes;

	/* split: what was fetched for a partition just dropped, left in the
	 * queue, must not come back */
	if (r->split && (m->partition < 0 || m->partition >= r->nparts ||
			 r->held[m->partition] == 0))
		return SL_OK;
	r->applied++;
	if (m->payload == NULL)
		join_table_delete(r->table, m->key, m->key_len);
	else if (join_table_put_in(r->table, m->partition, m->key, m->key_len,
				   m->payload, m->len) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	count_change(r, keys, bytes);
	return SL_OK;
}

/* One message of the queue: a record, an end (*@p eof_partition set) or
 * an error.  SL_OK or SL_ERR. */
static int take(join_reader *r, rd_kafka_message_t *m, int32_t *eof_partition,
		sl_error *err)
{
	*eof_partition = -1;
	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		*eof_partition = m->partition;
		return SL_OK;
	}
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
		return apply(r, m, err);
	/* librdkafka retries transport errors by itself; those about the
	 * topic do not pass */
	if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	    m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
	    m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
		return sl_error_set(err, SL_ERR_RUNTIME, "table.topic %s: %s",
				    r->topic, rd_kafka_message_errstr(m));
	sl_log(r->stage, SL_LOG_WARN, "table.topic %s partition %d: %s",
	       r->topic, (int)m->partition, rd_kafka_message_errstr(m));
	return SL_OK;
}

/* Read partitions @p parts (@p count, just started) up to the end each
 * had when the read began; records of the others that come meanwhile
 * apply as well. */
static int read_to_end(join_reader *r, const int32_t *parts, size_t count,
		       sl_error *err)
{
	int64_t *target = malloc((size_t)r->nparts * sizeof *target);
	int64_t lo, hi, last = mono_ms();
	int32_t p, left = 0, eofp;
	size_t i;
	int rc = SL_OK;

	if (target == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (p = 0; p < r->nparts; p++)
		target[p] = -1;
	for (i = 0; i < count; i++) {
		rd_kafka_resp_err_t code;

		p = parts[i];
		code = rd_kafka_query_watermark_offsets(r->rk, r->topic, p, &lo,
							&hi, TIMEOUT_MS);
		if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
			free(target);
			return sl_error_set(err, SL_ERR_RUNTIME,
					    "table.topic %s partition %d: cannot "
					    "find its end: %s", r->topic, (int)p,
					    rd_kafka_err2str(code));
		}
		/* empty: done at once (-1) */
		target[p] = hi > lo ? hi : -1;
		left += hi > lo;
	}
	while (left > 0 && rc == SL_OK) {
		rd_kafka_message_t *m = rd_kafka_consume_queue(r->q, 100);

		if (m == NULL) {
			if (mono_ms() - last > STALL_MS)
				rc = sl_error_set(err, SL_ERR_RUNTIME,
						  "table.topic %s: no progress "
						  "reading it for %d s", r->topic,
						  STALL_MS / 1000);
			if (sl_stopping(r->stage))
				rc = sl_error_set(err, SL_ERR_RUNTIME,
						  "stopped while reading "
						  "table.topic %s", r->topic);
			continue;
		}
		last = mono_ms();
		rc = take(r, m, &eofp, err);
		if (eofp >= 0 && eofp < r->nparts && target[eofp] >= 0 &&
		    m->offset >= target[eofp]) {
			target[eofp] = -1;
			left--;
		}
		rd_kafka_message_destroy(m);
	}
	free(target);
	return rc;
}

/* Start reading partitions @p parts from their beginning and read them
 * to their present end. */
static int start_and_read(join_reader *r, const int32_t *parts, size_t count,
			  sl_error *err)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (rd_kafka_consume_start_queue(r->rkt, parts[i],
						 RD_KAFKA_OFFSET_BEGINNING,
						 r->q) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "table.topic %s "
					    "partition %d: cannot start "
					    "reading: %s", r->topic,
					    (int)parts[i],
					    rd_kafka_err2str(rd_kafka_last_error()));
	return read_to_end(r, parts, count, err);
}

int join_reader_open(join_reader *r, sl_stage *stage, const char *topic,
		     join_table *table, int split, sl_error *err)
{
	rd_kafka_conf_t *conf;
	char why[512];
	int64_t began = mono_ms();
	int32_t p, *all = NULL;

	memset(r, 0, sizeof *r);
	r->stage = stage;
	r->topic = topic;
	r->table = table;
	r->split = split;
	if ((conf = reader_conf(stage, err)) == NULL)
		return SL_ERR;
	r->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
	if (r->rk == NULL) {
		rd_kafka_conf_destroy(conf);
		return sl_error_set(err, SL_ERR_CONFIG, "table consumer: %s", why);
	}
	r->rkt = rd_kafka_topic_new(r->rk, topic, NULL);
	r->q = rd_kafka_queue_new(r->rk);
	if (r->rkt == NULL || r->q == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "table.topic %s: %s", topic,
			     rd_kafka_err2str(rd_kafka_last_error()));
		goto fail;
	}
	if (count_partitions(r, err) != SL_OK)
		goto fail;
	if (split) {
		r->held = calloc((size_t)r->nparts, sizeof *r->held);
		if (r->held == NULL) {
			sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			goto fail;
		}
		return SL_OK;
	}
	if ((all = malloc((size_t)r->nparts * sizeof *all)) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto fail;
	}
	for (p = 0; p < r->nparts; p++)
		all[p] = p;
	if (start_and_read(r, all, (size_t)r->nparts, err) != SL_OK)
		goto fail;
	free(all);
	sl_log(stage, SL_LOG_INFO, "table %s read: %zu key(s), %zu byte(s) "
	       "from %llu record(s) in %d partition(s) in %lld ms", topic,
	       table->keys, table->bytes, (unsigned long long)r->applied,
	       (int)r->nparts, (long long)(mono_ms() - began));
	return SL_OK;
fail:
	free(all);
	join_reader_close(r);
	return SL_ERR;
}

int join_reader_take(join_reader *r, const sl_input *inputs, size_t count,
		     sl_error *err)
{
	int32_t *fresh = malloc((count ? count : 1) * sizeof *fresh);
	size_t i, n = 0, keys = r->table->keys;
	uint64_t applied = r->applied;
	int64_t began = mono_ms();
	int rc;

	if (fresh == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	/* all checked before any is taken: a refusal leaves nothing held */
	for (i = 0; i < count; i++)
		if (inputs[i].partitions != r->nparts) {
			free(fresh);
			return sl_error_set(err, SL_ERR_CONFIG,
					    "global = false needs the table "
					    "co-partitioned with the stream, but "
					    "table.topic %s has %d partition(s) "
					    "and the stream's topic %s has %d: "
					    "give them the same count (and "
					    "partition both by the key the same "
					    "way), or set global = true",
					    r->topic, (int)r->nparts,
					    inputs[i].topic,
					    (int)inputs[i].partitions);
		}
	for (i = 0; i < count; i++) {
		int32_t p = inputs[i].partition;

		if (p < 0 || p >= r->nparts)
			continue;
		if (r->held[p]++ == 0)
			fresh[n++] = p;
	}
	rc = n ? start_and_read(r, fresh, n, err) : SL_OK;
	if (rc == SL_OK && n > 0)
		sl_log(r->stage, SL_LOG_INFO, "table %s: %zu partition(s) taken "
		       "(%llu record(s) in %lld ms), %zu key(s) held now, %zu "
		       "before", r->topic, n,
		       (unsigned long long)(r->applied - applied),
		       (long long)(mono_ms() - began), r->table->keys, keys);
	free(fresh);
	return rc;
}

void join_reader_drop(join_reader *r, const sl_input *inputs, size_t count)
{
	size_t i, keys = r->table->keys, bytes = r->table->bytes, dropped = 0;

	for (i = 0; i < count; i++) {
		int32_t p = inputs[i].partition;

		if (p < 0 || p >= r->nparts || r->held[p] == 0 || --r->held[p] > 0)
			continue;
		rd_kafka_consume_stop(r->rkt, p);
		join_table_drop_partition(r->table, p);
		dropped++;
	}
	count_change(r, keys, bytes);
	if (dropped > 0)
		sl_log(r->stage, SL_LOG_INFO, "table %s: %zu partition(s) "
		       "dropped, %zu key(s) held now", r->topic, dropped,
		       r->table->keys);
}

int join_reader_poll(join_reader *r, sl_error *err)
{
	rd_kafka_message_t *m;
	int32_t eofp;

	while ((m = rd_kafka_consume_queue(r->q, 0)) != NULL) {
		int rc = take(r, m, &eofp, err);

		rd_kafka_message_destroy(m);
		if (rc != SL_OK)
			return rc;
	}
	return SL_OK;
}

void join_reader_close(join_reader *r)
{
	int32_t p;

	if (r->rkt != NULL) {
		for (p = 0; p < r->nparts; p++)
			if (!r->split || (r->held != NULL && r->held[p] > 0))
				rd_kafka_consume_stop(r->rkt, p);
		rd_kafka_topic_destroy(r->rkt);
	}
	if (r->q != NULL)
		rd_kafka_queue_destroy(r->q);
	if (r->rk != NULL)
		rd_kafka_destroy(r->rk);
	free(r->held);
	memset(r, 0, sizeof *r);
}
