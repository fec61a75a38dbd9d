/*
 * join_reader.h - the join's table topic, read whole with a consumer of
 * its own, then followed.
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
	join_table *table;
	uint64_t applied; /* table records read, tombstones included */
} join_reader;

/*
 * Connect for @p stage (options bootstrap.servers and kafka.*) and read
 * table.topic from its beginning into @p table up to the end each
 * partition had when the read began.  SL_OK, or SL_ERR having freed what
 * it made.
 */
int join_reader_open(join_reader *r, sl_stage *stage, const char *topic,
		     join_table *table, sl_error *err);

/* Apply what has come to the topic since, without waiting.  SL_OK or
 * SL_ERR. */
int join_reader_poll(join_reader *r, sl_error *err);

void join_reader_close(join_reader *r);

#endif
