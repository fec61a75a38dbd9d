/*
 * kafka_changelog.c - changes of keyed state into the job's producer,
 * and the engine's control data into a repartition topic.
 *
 * Changelog records go through the producer the job's sinks share, so
 * under exactly-once they are part of the open transaction: a change
 * becomes visible to a read_committed restore together with the outputs
 * and source offsets of the same commit, or not at all.  The engine picks
 * the partition (the input partition the state belongs to), so no
 * partitioner is involved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_changelog.h"
#include "kafka_sink_pack.h"
#include "kafka_txn_async.h"

rd_kafka_topic_t *kafka_changelog_topic(kafka_sink *k, const char *topic,
					sl_error *err)
{
	rd_kafka_topic_t **grown, *rkt;
	rd_kafka_topic_conf_t *tc;
	size_t i;

	for (i = 0; i < k->changelog_count; i++)
		if (strcmp(rd_kafka_topic_name(k->changelogs[i]), topic) == 0)
			return k->changelogs[i];
	grown = realloc(k->changelogs, (k->changelog_count + 1) * sizeof *grown);
	if (grown == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	k->changelogs = grown;
	/* the producer's defaults: acks=all, as idempotence requires; the
	 * store's name for delivery failures */
	if ((tc = rd_kafka_topic_conf_new()) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	rd_kafka_topic_conf_set_opaque(tc, (void *)k->name);
	rkt = rd_kafka_topic_new(k->p->client.rk, topic, tc);
	if (rkt == NULL) {
		char what[300];

		snprintf(what, sizeof what, "cannot use changelog topic %s", topic);
		kafka_error_code(err, rd_kafka_last_error(), what);
		return NULL;
	}
	k->changelogs[k->changelog_count++] = rkt;
	return rkt;
}

void kafka_changelog_close(kafka_sink *k)
{
	size_t i;

	for (i = 0; i < k->changelog_count; i++)
		rd_kafka_topic_destroy(k->changelogs[i]);
	free(k->changelogs);
	k->changelogs = NULL;
	k->changelog_count = 0;
}

/*
 * One record of the engine's own to partition @p partition of @p rkt,
 * through the job's producer (in the open transaction).  @p what names
 * the destination for errors.
 */
static int produce_to(kafka_sink *k, rd_kafka_topic_t *rkt, int32_t partition,
		      const void *key, size_t klen, const void *value,
		      size_t vlen, const char *what, sl_error *err)
{
	kafka_producer *p = k->p;
	rd_kafka_resp_err_t code;
	char ctx[400];

	if (kafka_producer_writable(p, err) != SL_OK)
		return SL_ERR;
	/* the transaction aborts anyway, and the records are written again */
	if (p->doomed)
		return SL_OK;
	code = kafka_producer_send(p, rkt, partition, key, klen, value, vlen,
				   -1, NULL, 0);
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
		return SL_OK;
	snprintf(ctx, sizeof ctx, "cannot write %s %s partition %d", what,
		 rd_kafka_topic_name(rkt), (int)partition);
	return kafka_producer_failed(p, code, ctx, err);
}

int kafka_changelog_write(kafka_sink *k, rd_kafka_topic_t *rkt,
			  int32_t partition, const void *key, size_t klen,
			  const void *value, size_t vlen, sl_error *err)
{
	/* a NULL value is a NULL payload: a tombstone, which compaction
	 * uses to forget the key */
	return produce_to(k, rkt, partition, key, klen, value,
			  value != NULL ? vlen : 0, "changelog topic", err);
}

int kafka_repartition_control(void *self, int32_t partition, const void *data,
			      size_t len, sl_error *err)
{
	kafka_sink *k = self;

	/* after the records it speaks for */
	if (kafka_sink_packs_send(k, partition, err) != SL_OK)
		return SL_ERR;
	return produce_to(k, k->rkt, partition, KAFKA_CONTROL_KEY,
			  KAFKA_CONTROL_KEY_LEN, data, len, "repartition topic", err);
}
