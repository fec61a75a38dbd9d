/*
 * kafka_sink_pack.h - a repartition sink's records in packs, one per
 * partition of its topic (kafka_sink_pack.c; the format: kafka_pack.h).
 */
#ifndef SL_KAFKA_SINK_PACK_H
#define SL_KAFKA_SINK_PACK_H

#include <sluice/error.h>

#include "kafka_pack.h"
#include "kafka_sink_handle.h"

/* Packs for the @p partitions of the sink's topic, listed in its
 * producer.  SL_OK or SL_ERR. */
int kafka_sink_packs_open(kafka_sink *k, int32_t partitions, sl_error *err);
void kafka_sink_packs_close(kafka_sink *k);

/*
 * @p r into its partition's pack, which is produced when full.
 * NO_ERROR; MSG_SIZE_TOO_LARGE (the record's fault: alone it would not
 * fit a message); __FAIL with @p err set (the job's); another code when a
 * produce call failed as kafka_producer_send's do.
 */
rd_kafka_resp_err_t kafka_sink_pack_write(kafka_sink *k, const sl_record *r,
					  sl_error *err);

/* Produce the pack of @p partition (-1: every one) now.  SL_OK or SL_ERR. */
int kafka_sink_packs_send(kafka_sink *k, int32_t partition, sl_error *err);

/* Whether a pack sent by kafka_sink_packs_send_now() failed: 1 with
 * @p err filled, else 0. */
int kafka_sink_packs_failed(const kafka_sink *k, sl_error *err);

/* The same where no error can be returned (the mark hook): a failure is
 * told by the next call that can. */
void kafka_sink_packs_send_now(kafka_sink *k);

#endif
