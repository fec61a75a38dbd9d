/*
 * plugin.c - the kafka plugin's entry point.
 */
#include "kafka_sink.h"
#include "kafka_source.h"

SL_PLUGIN_DEFINE("kafka", &kafka_source_class, &kafka_sink_class, NULL, NULL)
