/*
 * kafka_sink_handle.h - what a Kafka sink holds open: the job's shared
 * producer, its topic, and the changelog topics of the state it keeps.
 * Its own header because two parts write through it: the sink
 * (kafka_sink.h) and the state backend (kafka_changelog.h), and the sink
 * calls the state backend's functions, not the other way round.
 */
#ifndef SL_KAFKA_SINK_HANDLE_H
#define SL_KAFKA_SINK_HANDLE_H

#include "kafka_delivery.h"

/* What a dead-letter topic takes (kafka_sink_dead_letter.c). */
typedef struct kafka_dead_letter_topic kafka_dead_letter_topic;

typedef struct kafka_sink {
	sl_stage *stage;
	const char *name;        /* the stage's name: each message's opaque */
	kafka_producer *p;       /* shared with the job's other kafka sinks */
	rd_kafka_topic_t *rkt;   /* `topic`, with this sink's topic settings */
	rd_kafka_topic_conf_t *tc; /* a repartition sink's, until its topic is ready */
	rd_kafka_topic_t **changelogs; /* state changelogs (kafka_changelog.h) */
	size_t changelog_count;
	kafka_dead_letter_topic *dead_letter_topics; /* asked once each */
	int topic_known;         /* `topic` exists (kafka_sink_topic_known) */
	struct kafka_sink_routes *routes; /* topic.expr, header.* (kafka_sink_route.c) */
	struct kafka_packs *packs; /* a repartition sink's (kafka_sink_pack.h) */
} kafka_sink;

#endif
