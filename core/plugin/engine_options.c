/*
 * engine_options.c - the table of the engine's stage options.
 */
#include "config.h"

#include <string.h>

#include "plugin/engine_options.h"

#define SOURCE_SINK (SL_KIND_SOURCE | SL_KIND_SINK)
#define STAGE_KINDS (SL_KIND_SOURCE | SL_KIND_SINK | SL_KIND_OPERATOR)
#define ANY_KIND (STAGE_KINDS | SL_KIND_STORE)
#define FIELD(member) SL_OPT_FIELD(sl_stage_settings, member)

static char *errors_values[] = { "fail", "skip", "dead-letter" };

/* Defaults are written as text (what `sluice plugins` prints) and as
 * def_value: engine_options.test-style checks in test_validate keep the
 * two equal. */
static const sl_opt_desc engine_options[] = {
	{ .name = "plugin", .type = SL_OPT_STRING, .required = 1,
	  .kinds = ANY_KIND,
	  .summary = "The plugin that runs this stage (see: sluice plugins)" },
	{ .name = "from", .type = SL_OPT_LIST,
	  .kinds = SL_KIND_OPERATOR | SL_KIND_SINK,
	  .summary = "Stages to read from, comma-separated (default: the "
		     "nearest source or operator above)" },
	{ .name = "errors", .type = SL_OPT_ENUM, .def = "fail",
	  .def_value = { .i = SL_ERRORS_FAIL }, .field = FIELD(errors),
	  .kinds = STAGE_KINDS, .values = errors_values, .value_count = 3,
	  .summary = "A bad record fails the job, is skipped (and counted), or "
		     "goes to dead-letter.topic" },
	{ .name = "dead-letter.topic", .type = SL_OPT_STRING,
	  .field = FIELD(dead_letter_topic), .kinds = STAGE_KINDS,
	  .summary = "Kafka topic for bad records (required with errors = "
		     "dead-letter)" },
	{ .name = "format", .type = SL_OPT_STRING, .def = "string",
	  .field = FIELD(format), .kinds = SOURCE_SINK,
	  .summary = "Format plugin of record values (string, json, bytes)" },
	{ .name = "key.format", .type = SL_OPT_STRING, .def = "string",
	  .field = FIELD(key_format), .kinds = SOURCE_SINK,
	  .summary = "Format plugin of record keys (string, json, bytes)" },
	{ .name = "repartition.partitions", .type = SL_OPT_INT, .has_min = 1,
	  .min = 1, .has_max = 1, .max = 100000,
	  .field = FIELD(repartition_partitions), .kinds = SL_KIND_OPERATOR,
	  .summary = "Keyed stages: partitions of the repartition topic the "
		     "engine adds when the key is not the input's (default: as "
		     "many as the input)" },
	{ .name = "max.event.time.skew", .type = SL_OPT_DURATION, .def = "60s",
	  .def_value = { .i = 60000 }, .field = FIELD(max_event_time_skew_ms),
	  .has_min = 1, .min = 0, .kinds = SL_KIND_OPERATOR,
	  .summary = "Stages on event time: an input whose event time runs "
		     "this far ahead of the slowest input of its source is "
		     "held until the others catch up (0 = never hold)" },
	{ .name = "retry.backoff", .type = SL_OPT_DURATION, .def = "100ms",
	  .def_value = { .i = 100 }, .field = FIELD(retry_backoff_ms),
	  .has_min = 1, .min = 1, .kinds = SL_KIND_SINK,
	  .summary = "Sinks: the first wait before a write or flush that failed "
		     "for a passing reason (a server restarting) is tried again; "
		     "each wait doubles, and tries go on without limit" },
	{ .name = "retry.max.backoff", .type = SL_OPT_DURATION, .def = "30s",
	  .def_value = { .i = 30000 }, .field = FIELD(retry_max_backoff_ms),
	  .has_min = 1, .min = 1, .kinds = SL_KIND_SINK,
	  .summary = "Sinks: the longest wait between tries of a failed write "
		     "or flush" },
};

#define OPTION_COUNT (sizeof engine_options / sizeof engine_options[0])

const sl_opt_desc *sl_engine_stage_options(size_t *count)
{
	*count = OPTION_COUNT;
	return engine_options;
}

const sl_opt_desc *sl_engine_stage_option(const char *key)
{
	size_t i;

	for (i = 0; i < OPTION_COUNT; i++)
		if (strcmp(engine_options[i].name, key) == 0)
			return &engine_options[i];
	return NULL;
}

void sl_stage_settings_init(sl_stage_settings *settings)
{
	size_t i;

	memset(settings, 0, sizeof *settings);
	for (i = 0; i < OPTION_COUNT; i++)
		if (engine_options[i].def != NULL)
			sl_opt_store(&engine_options[i], &engine_options[i].def_value,
				     engine_options[i].def, settings);
}
