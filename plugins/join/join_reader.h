/*
 * join_reader.h - the join's table topic, read with a consumer of its
 * own, then followed: whole (global), or the partitions matching the
 * stream partitions the instance holds (split).
 */
#ifndef JOIN_READER_H
#define JOIN_READER_H

#include <librdkafka/rdkafka.h>
#include <sluice/plugin.h>

#include "join_table.h"

typedef struct join_reader {
	sl_stage *stage;
	const char *topic;
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	rd_kafka_queue_t *q;
	int32_t nparts;
	int split;        /* only the partitions in held (global = false) */
	uint32_t *held;   /* split: per table partition, the inputs holding it */
	join_table *table;
	uint64_t applied; /* table records read, tombstones included */
} join_reader;

/*
 * Connect for @p stage (options bootstrap.servers and kafka.*).  Unless
 * @p split, read table.topic from its beginning into @p table up to the
 * end each partition had when the read began; if @p split, read nothing
 * yet (join_reader_take does, partition by partition).  SL_OK, or SL_ERR
 * having freed what it made.
 */
int join_reader_open(join_reader *r, sl_stage *stage, const char *topic,
		     join_table *table, int split, sl_error *err);

/*
 * Split: the stream partitions @p inputs came to the instance; read the
 * table partitions of the same numbers that it did not hold yet, up to
 * their present end, and follow them.  Every input's topic must have as
 * many partitions as the table topic.  SL_OK or SL_ERR.
 */
int join_reader_take(join_reader *r, const sl_input *inputs, size_t count,
		     sl_error *err);

/* Split: @p inputs left the instance; table partitions no input holds
 * any more are no longer followed and their rows dropped. */
void join_reader_drop(join_reader *r, const sl_input *inputs, size_t count);

/* Apply what has come to the topic since, without waiting.  SL_OK or
 * SL_ERR. */
int join_reader_poll(join_reader *r, sl_error *err);

void join_reader_close(join_reader *r);

#endif
