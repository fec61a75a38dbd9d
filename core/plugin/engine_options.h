/*
 * engine_options.h - the options the engine takes on every stage, beside
 * its plugin's: their one table (type, default, bounds, the kinds of
 * stage each applies to, what `sluice plugins` prints) and the typed
 * settings validation parses them into.  Descriptors may not redefine
 * them; the runtime reads the settings, never the text.
 */
#ifndef SL_ENGINE_OPTIONS_H
#define SL_ENGINE_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "plugin/option.h"

/* errors = ... on a stage */
enum sl_errors_policy { SL_ERRORS_FAIL = 0, SL_ERRORS_SKIP, SL_ERRORS_DEAD_LETTER };

/* A stage's engine options, parsed (defaults where the file sets none). */
typedef struct sl_stage_settings {
	int errors;                    /* enum sl_errors_policy */
	const char *dead_letter_topic; /* NULL when not set */
	const char *format;            /* sources and sinks: format plugins */
	const char *key_format;
	int64_t repartition_partitions; /* 0: as many as the input */
	int64_t max_event_time_skew_ms; /* 0: never hold an input */
	int64_t retry_backoff_ms;      /* sinks: first wait before a retry */
	int64_t retry_max_backoff_ms;  /* ... and the longest */
} sl_stage_settings;

/* The table, in the order `sluice plugins` prints it. */
const sl_opt_desc *sl_engine_stage_options(size_t *count);

/* The engine option named @p key, or NULL. */
const sl_opt_desc *sl_engine_stage_option(const char *key);

/* Every setting at its default. */
void sl_stage_settings_init(sl_stage_settings *settings);

#endif
