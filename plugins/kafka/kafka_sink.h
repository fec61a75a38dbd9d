/*
 * kafka_sink.h - the Kafka sink: opening and options (kafka_sink.c),
 * records into the producer (kafka_sink_write.c), dead letters cut to
 * what their topic takes (kafka_sink_dead_letter.c).
 */
#ifndef SL_KAFKA_SINK_H
#define SL_KAFKA_SINK_H

#include "kafka_sink_handle.h"

extern const sl_sink_class kafka_sink_class;

/* Whether the sink's topic exists, asked at the first call (kafka_sink_write.c):
 * SL_OK, or SL_ERR with @p err naming it. */
int kafka_sink_topic_known(kafka_sink *k, sl_error *err);

int kafka_sink_write(void *self, const sl_batch *batch, sl_error *err);
int kafka_sink_flush(void *self, int timeout_ms, sl_error *err);
/* The class's mark and durable: the shared producer's (kafka_delivery.h). */
uint64_t kafka_sink_mark(void *self);
int kafka_sink_durable(void *self, uint64_t mark, sl_error *err);
/* Produce @p r with its own headers, then @p extra, to @p rkt; on success
 * the producer owns what it needs (kafka_producer_send). */
rd_kafka_resp_err_t kafka_sink_produce(kafka_sink *k, rd_kafka_topic_t *rkt,
				       const sl_record *r,
				       const sl_header *extra,
				       size_t extra_count);
/* The class's dead_letter (sluice/sink.h): whole, or truncated to fit. */
int kafka_sink_dead_letter(void *self, const char *topic, const sl_record *rec,
			   const sl_header *headers, size_t header_count,
			   sl_error *err);
/* Forget the dead-letter topics' limits (the sink closes). */
void kafka_sink_dead_letter_close(kafka_sink *k);

/* kafka_sink_route.c: topic.expr and header.NAME, compiled at open. */
typedef struct kafka_sink_routes kafka_sink_routes;
int kafka_sink_routes_open(kafka_sink *k, sl_error *err);
void kafka_sink_routes_close(kafka_sink *k);
/* Whether the sink's topic is computed per record (topic.expr). */
int kafka_sink_routed(const kafka_sink *k);
/* @p rec's topic; NULL with @p err (SL_ERR_RECORD: the record's fault). */
rd_kafka_topic_t *kafka_sink_route(kafka_sink *k, const sl_batch *batch,
				   const sl_record *rec, sl_error *err);
/* @p rec's header.NAME values, in @p batch's arena (none: count 0). */
int kafka_sink_headers(kafka_sink *k, const sl_batch *batch,
		       const sl_record *rec, sl_header **out, size_t *count,
		       sl_error *err);

#endif
