/*
 * kafka_changelog_read.c - reading changelog partitions back to their
 * committed end, to restore keyed state.
 *
 * A consumer of its own for each restore, with no group (nothing is
 * committed: a restore always reads from the beginning, which compaction
 * keeps short), through librdkafka's simple consumer API, which needs no
 * group to read from given partitions.
 *
 * Where the end is: read_committed stops at the last stable offset, and
 * librdkafka reports a partition's end (PARTITION_EOF) each time it
 * reaches a new one.  The high watermark at the start is the target: the
 * end is reached once an EOF comes at or past it.  An EOF short of it
 * means a transaction that is still open holds the rest, typically the
 * previous owner's last commit, whose markers are still on their way, or
 * a crashed instance's, which this instance's init_transactions has just
 * aborted: stopping there would lose committed state, so the read waits.
 * Offsets cannot be counted on otherwise: compaction leaves gaps, and
 * transaction markers and aborted records take offsets but are never
 * delivered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_changelog.h"

#define POLL_MS 100
/* A read that makes no progress this long fails: a transaction left open
 * by a process that is not coming back ends within the broker's
 * transaction.timeout.ms (librdkafka's default: 60 s). */
#define STALL_MS 120000
/* Offsets to read from which a restore is announced before it starts. */
#define LARGE_RESTORE 100000

typedef struct part {
	int32_t partition;
	int64_t target;  /* the high watermark when the read began */
	int64_t eof;     /* the last end reported, -1 none yet */
	int started, done, waiting;
} part;

typedef struct reader {
	kafka_client client; /* first: the opaque of librdkafka's callbacks */
	const char *topic;
	rd_kafka_topic_t *rkt;
	rd_kafka_queue_t *q;
	part *parts;
	size_t count, left;
	int (*apply)(void *ctx, int32_t partition, const void *key, size_t klen,
		     const void *value, size_t vlen);
	void *ctx;
	sl_error *err;
	int failed, stop, moved;
} reader;

static rd_kafka_conf_t *reader_conf(reader *r, sl_error *err)
{
	sl_stage *stage = r->client.stage;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char client_id[256];
	const char *defaults[] = {
		"bootstrap.servers", sl_option(stage, "bootstrap.servers"),
		"client.id", client_id,
		"isolation.level", "read_committed",
		"enable.partition.eof", "true",
		"enable.auto.commit", "false",
		"enable.auto.offset.store", "false",
		/* the end is found by a fetch that comes back empty: the
		 * broker's usual wait for data would add 500 ms to it */
		"fetch.wait.max.ms", "10",
		/* librdkafka 2.0 stops fetching for a second once this many
		 * records wait in its queue: a restore drains them far faster */
		"queued.min.messages", "1000000",
		NULL
	};
	size_t i;

	snprintf(client_id, sizeof client_id, "sluice-%s-%s-restore",
		 sl_job_name(stage), sl_stage_name(stage));
	for (i = 0; defaults[i] != NULL; i += 2)
		if (kafka_conf_set(stage, conf, NULL, defaults[i], defaults[i + 1],
				   err) != SL_OK)
			goto fail;
	if (kafka_conf_connection(stage, conf, err) != SL_OK ||
	    kafka_conf_callbacks(&r->client, conf, err) != SL_OK)
		goto fail;
	return conf;
fail:
	rd_kafka_conf_destroy(conf);
	return NULL;
}

static int fail_part(reader *r, rd_kafka_resp_err_t code, int32_t partition,
		     const char *what)
{
	char ctx[400];

	snprintf(ctx, sizeof ctx, "%s of %s partition %d", what, r->topic,
		 (int)partition);
	r->failed = 1;
	return kafka_error_code(r->err, code, ctx);
}

/*
 * Where each partition ends now, transactions still open included (the
 * high watermark: a read_committed query would stop at the first open
 * transaction and miss what was committed after it); an empty one is
 * done at once.
 */
static int find_targets(reader *r, int64_t deadline)
{
	int32_t *numbers = malloc(r->count * sizeof *numbers);
	int64_t *lo = malloc(r->count * sizeof *lo), *hi = malloc(r->count * sizeof *hi);
	int64_t span = 0;
	size_t i;
	int rc;

	for (i = 0; numbers != NULL && i < r->count; i++)
		numbers[i] = r->parts[i].partition;
	rc = numbers && lo && hi ?
		kafka_watermarks(r->client.stage, r->topic, numbers, r->count,
				 lo, hi, deadline, r->err) :
		sl_error_set(r->err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; rc == SL_OK && i < r->count; i++) {
		part *p = &r->parts[i];

		p->target = hi[i];
		p->eof = -1;
		p->done = hi[i] <= lo[i];
		r->left += !p->done;
		span += hi[i] - lo[i];
	}
	free(numbers);
	free(lo);
	free(hi);
	if (rc != SL_OK) {
		r->failed = 1;
		return SL_ERR;
	}
	/* the engine logs progress as records come; say first what to expect */
	if (span >= LARGE_RESTORE)
		sl_log(r->client.stage, SL_LOG_INFO, "restoring state from %s: up to "
		       "%lld records in %zu partition(s)", r->topic, (long long)span,
		       r->count);
	return SL_OK;
}

static int start(reader *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		part *p = &r->parts[i];

		if (p->done)
			continue;
		if (rd_kafka_consume_start_queue(r->rkt, p->partition,
						 RD_KAFKA_OFFSET_BEGINNING, r->q) != 0)
			return fail_part(r, rd_kafka_last_error(), p->partition,
					 "cannot start reading");
		p->started = 1;
	}
	return SL_OK;
}

static part *find(reader *r, int32_t partition)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->parts[i].partition == partition)
			return &r->parts[i];
	return NULL;
}

/* A partition's end was reached: done, or waiting for a transaction. */
static void at_end(reader *r, part *p, int64_t offset)
{
	p->eof = offset;
	if (p->done)
		return;
	if (offset >= p->target) {
		p->done = 1;
		r->left--;
		return;
	}
	if (!p->waiting++)
		sl_log(r->client.stage, SL_LOG_INFO, "restoring from %s partition "
		       "%d: committed changes end at offset %lld, before the end "
		       "%lld; waiting for the transaction in between to end",
		       r->topic, (int)p->partition, (long long)offset,
		       (long long)p->target);
}

/* An event of the consumer: an end, or an error, which librdkafka retries
 * unless it is about the topic itself. */
static void on_event(reader *r, const rd_kafka_message_t *m)
{
	part *p = find(r, m->partition);

	switch (m->err) {
	case RD_KAFKA_RESP_ERR__PARTITION_EOF:
		if (p != NULL)
			at_end(r, p, m->offset);
		return;
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
	case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
	case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
		fail_part(r, m->err, m->partition, "cannot read");
		return;
	default:
		sl_log(r->client.stage, SL_LOG_WARN, "restoring from %s partition "
		       "%d: %s", r->topic, (int)m->partition,
		       rd_kafka_message_errstr(m));
	}
}

static int stalled(reader *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		part *p = &r->parts[i];

		if (!p->done)
			return sl_error_set(r->err, SL_ERR_RUNTIME,
				"restoring from %s partition %d: no progress for "
				"%d s, read to offset %lld of %lld%s", r->topic,
				(int)p->partition, STALL_MS / 1000,
				(long long)p->eof, (long long)p->target,
				p->waiting ? " (a transaction that does not end "
				"holds the rest: is another instance of the job "
				"still writing it?)" : "");
	}
	return SL_ERR;
}

/* Each message as the queue serves it (librdkafka destroys it after). */
static void on_message(rd_kafka_message_t *m, void *opaque)
{
	reader *r = opaque;

	/* the rest of what was fetched is dropped after a stop */
	if (r->stop || r->failed)
		return;
	/* errors the client retries are no progress */
	r->moved |= !m->err || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
	if (m->err)
		on_event(r, m);
	else
		r->stop = r->apply(r->ctx, m->partition, m->key, m->key_len,
				   m->payload, m->len) != 0;
}

static int read_all(reader *r)
{
	int64_t progress = kafka_now_ms();

	/* the callback API serves everything already fetched in one call,
	 * where consume_batch_queue would wait for a full batch */
	while (r->left > 0 && !r->stop && !r->failed) {
		r->moved = 0;
		if (rd_kafka_consume_callback_queue(r->q, POLL_MS, on_message, r) < 0)
			return kafka_error_code(r->err, rd_kafka_last_error(),
						"cannot read changelog");
		rd_kafka_poll(r->client.rk, 0); /* logs and error callbacks */
		if (r->moved)
			progress = kafka_now_ms();
		else if (kafka_now_ms() - progress > STALL_MS)
			return stalled(r);
	}
	return r->failed ? SL_ERR : SL_OK;
}

static void reader_close(reader *r)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->parts[i].started)
			rd_kafka_consume_stop(r->rkt, r->parts[i].partition);
	if (r->q != NULL)
		rd_kafka_queue_destroy(r->q);
	if (r->rkt != NULL)
		rd_kafka_topic_destroy(r->rkt);
	if (r->client.rk != NULL)
		rd_kafka_destroy(r->client.rk);
	free(r->parts);
}

int kafka_changelog_read(void *self, const char *topic,
			 const int32_t *partitions, size_t count,
			 int (*apply)(void *ctx, int32_t partition,
				      const void *key, size_t klen,
				      const void *value, size_t vlen),
			 void *ctx, sl_error *err)
{
	kafka_sink *k = self;
	reader r;
	rd_kafka_conf_t *conf;
	char why[512];
	size_t i;
	int rc = SL_ERR;

	memset(&r, 0, sizeof r);
	r.client.stage = k->stage;
	r.topic = topic;
	r.apply = apply;
	r.ctx = ctx;
	r.err = err;
	if (count == 0)
		return SL_OK;
	if ((r.parts = calloc(count, sizeof *r.parts)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	r.count = count;
	for (i = 0; i < count; i++)
		r.parts[i].partition = partitions[i];
	if ((conf = reader_conf(&r, err)) == NULL)
		goto out;
	r.client.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
	if (r.client.rk == NULL) {
		rd_kafka_conf_destroy(conf);
		sl_error_set(err, SL_ERR_RUNTIME, "cannot create a Kafka consumer "
			     "to restore state: %s", why);
		goto out;
	}
	kafka_conf_route_logs(&r.client);
	r.rkt = rd_kafka_topic_new(r.client.rk, topic, NULL);
	r.q = rd_kafka_queue_new(r.client.rk);
	if (r.rkt == NULL || r.q == NULL) {
		kafka_error_code(err, rd_kafka_last_error(), "cannot read changelog");
		goto out;
	}
	if (find_targets(&r, kafka_now_ms() + STALL_MS) == SL_OK &&
	    start(&r) == SL_OK)
		rc = read_all(&r);
out:
	reader_close(&r);
	return rc;
}
