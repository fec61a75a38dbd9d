/*
 * plugin.c - the kafka plugin's entry point.
 */
#include "kafka_changelog.h"
#include "kafka_sink.h"
#include "kafka_source_shared.h"

SL_PLUGIN("kafka", .source = &kafka_source_class, .sink = &kafka_sink_class,
	  .store = &kafka_store_class)
