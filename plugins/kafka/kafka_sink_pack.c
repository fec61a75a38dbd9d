/*
 * kafka_sink_pack.c - a repartition sink's records, in packs (see
 * kafka_pack.h) per partition of its topic.
 *
 * A record joins the pack of the partition its key hashes to (murmur2,
 * as Kafka's own producers partition: the same partitions the records
 * went to before packs), and a pack is produced once full, and always
 * before anything that must come after its records: a progress report
 * into the same partition, a flush, a mark of what is written.  So the
 * engine sees the sink as it saw it before: what it wrote is in the
 * topic, in order, by the time it asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_sink_pack.h"
#include "kafka_topic_watch.h"
#include "kafka_txn_async.h"

/* Kafka's per-message bytes besides key and value, with room to spare. */
#define MESSAGE_ROOM 64

int kafka_sink_packs_open(kafka_sink *k, int32_t partitions, sl_error *err)
{
	kafka_packs *ps = calloc(1, sizeof *ps +
				 (size_t)partitions * sizeof ps->by_partition[0]);
	int32_t i;

	if (ps == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	ps->partitions = partitions;
	for (i = 0; i < partitions; i++)
		kafka_pack_reset(&ps->by_partition[i]);
	ps->next = k->p->packs;
	k->p->packs = ps;
	k->packs = ps;
	return SL_OK;
}

void kafka_sink_packs_close(kafka_sink *k)
{
	kafka_packs **at;
	int32_t i;

	if (k->packs == NULL)
		return;
	for (at = &k->p->packs; *at != NULL; at = &(*at)->next)
		if (*at == k->packs) {
			*at = k->packs->next;
			break;
		}
	for (i = 0; i < k->packs->partitions; i++)
		kafka_pack_free(&k->packs->by_partition[i]);
	free(k->packs);
	k->packs = NULL;
}

/* The most bytes a pack may hold under the producer's message.max.bytes. */
static size_t pack_limit(const kafka_sink *k)
{
	size_t most = k->p->max_message_bytes > KAFKA_PACK_KEY_LEN + MESSAGE_ROOM ?
		k->p->max_message_bytes - KAFKA_PACK_KEY_LEN - MESSAGE_ROOM : 0;

	return most < KAFKA_PACK_BYTES ? most : KAFKA_PACK_BYTES;
}

/* Produce partition @p partition's pack.  SL_OK (also when it only dooms
 * the open transaction) or SL_ERR. */
static int send_pack(kafka_sink *k, int32_t partition, sl_error *err)
{
	kafka_pack *pk = &k->packs->by_partition[partition];
	rd_kafka_resp_err_t code;
	char what[300];

	if (pk->count == 0)
		return SL_OK;
	code = kafka_producer_send(k->p, k->rkt, partition, KAFKA_PACK_KEY,
				   KAFKA_PACK_KEY_LEN, pk->data, pk->len,
				   pk->timestamp, NULL, 0);
	kafka_pack_reset(pk);
	if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
		return SL_OK;
	if (kafka_topic_watch_lost(k->p, rd_kafka_topic_name(k->rkt), code, err))
		return SL_ERR;
	snprintf(what, sizeof what, "cannot produce to repartition topic %s "
		 "partition %d", rd_kafka_topic_name(k->rkt), (int)partition);
	return kafka_producer_failed(k->p, code, what, err);
}

int kafka_sink_packs_send(kafka_sink *k, int32_t partition, sl_error *err)
{
	int32_t i;

	if (k->packs == NULL)
		return SL_OK;
	if (k->packs->failed) {
		*err = k->packs->failure;
		return SL_ERR;
	}
	if (partition >= 0)
		return partition < k->packs->partitions ?
		       send_pack(k, partition, err) : SL_OK;
	for (i = 0; i < k->packs->partitions; i++)
		if (send_pack(k, i, err) != SL_OK)
			return SL_ERR;
	return SL_OK;
}

int kafka_sink_packs_failed(const kafka_sink *k, sl_error *err)
{
	if (k->packs == NULL || !k->packs->failed)
		return 0;
	*err = k->packs->failure;
	return 1;
}

void kafka_sink_packs_send_now(kafka_sink *k)
{
	sl_error e;

	if (k->packs != NULL && !k->packs->failed &&
	    kafka_sink_packs_send(k, -1, &e) != SL_OK) {
		k->packs->failed = 1;
		k->packs->failure = e;
	}
}

rd_kafka_resp_err_t kafka_sink_pack_write(kafka_sink *k, const sl_record *r,
					  sl_error *err)
{
	kafka_packs *ps = k->packs;
	size_t size = kafka_pack_record_size(r);
	int32_t partition;
	kafka_pack *pk;

	*err = (sl_error){ 0 };
	if (ps->failed) {
		*err = ps->failure;
		return RD_KAFKA_RESP_ERR__FAIL;
	}
	/* alone in a pack, it must still fit one message */
	if (size + 1 > pack_limit(k) && size + 1 + KAFKA_PACK_KEY_LEN +
	    MESSAGE_ROOM > k->p->max_message_bytes)
		return RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
	if (r->key_raw.data != NULL)
		partition = rd_kafka_msg_partitioner_murmur2(
			k->rkt, r->key_raw.data, r->key_raw.len,
			ps->partitions, NULL, NULL);
	else
		partition = (int32_t)(ps->unkeyed++ % (uint32_t)ps->partitions);
	pk = &ps->by_partition[partition];
	/* under the producer's message.max.bytes, or it would refuse the
	 * pack, records that each fit included */
	if (kafka_pack_full(pk, size, pack_limit(k)) &&
	    send_pack(k, partition, err) != SL_OK)
		return RD_KAFKA_RESP_ERR__FAIL;
	if (kafka_pack_add(pk, r) != 0)
		return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
	if (pk->count >= KAFKA_PACK_RECORDS && send_pack(k, partition, err) != SL_OK)
		return RD_KAFKA_RESP_ERR__FAIL;
	return RD_KAFKA_RESP_ERR_NO_ERROR;
}
