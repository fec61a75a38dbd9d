/*
 * stage.h - a running job: its stages and the engine that runs them, the
 * data every part of the runtime reads.  Each part keeps what only it
 * needs in its own struct (struct sl_inputs, sl_commit, sl_changelog).
 */
#ifndef SL_STAGE_H
#define SL_STAGE_H

#include <signal.h>
#include <sluice/plugin.h>

#include "job/job.h"
#include "plugin/loader.h"

typedef struct sl_engine sl_engine;

/* How long the engine waits for a sink to deliver what it holds. */
#define SL_FLUSH_TIMEOUT_MS 60000

/* A named counter a plugin added to (sl_metric_add). */
typedef struct sl_metric {
	char *name;
	int64_t value;
} sl_metric;

/* A partition's position, tracked by the engine for a source's commits. */
typedef struct sl_tracked {
	char *topic;
	int32_t partition;
	int64_t next_offset;
} sl_tracked;

/* What a stateful stage holds (state_host.c, changelog.c). */
typedef struct sl_stage_state {
	struct sl_state **stores; /* keyed state stores the operator opened */
	size_t count;
	size_t peak_bytes;       /* the most they held, and their keys then */
	size_t peak_keys;
	int32_t partitions;      /* their state's partitions */
	void *table;             /* their table in the store */
	int32_t *owned;          /* state partitions held here */
	size_t owned_count;
	uint64_t changelog_written; /* for observers: changes written */
	uint64_t restores;          /* state read back */
	int64_t restore_ms;         /* ... and how long that took */
} sl_stage_state;

/* What a repartition sink or source of a hop holds (hop.c). */
typedef struct sl_stage_hop {
	struct sl_stage *serves; /* the keyed stage it feeds */
	int32_t partitions;      /* sinks: partitions of the topic */
	int64_t reported_ms;     /* sinks: when they last reported */
	char *report;            /* sinks: what they last reported */
	size_t report_len;
	int input_ended;         /* sources: end_input was called */
	const char *id_stage;    /* sinks: the upstream whose id is ... */
	const char *id_topic;
	uint64_t id;             /* ... this (sl_hop_origin_id) */
	int id_lasts;            /* ... and its offsets last (hop.c) */
	size_t seen_input;       /* sources: where the last record's ... */
	size_t seen_origin;      /* ... upstream partition was found */
} sl_stage_hop;

struct sl_stage {
	const sl_job_stage *def; /* from the job file */
	sl_engine *engine;
	unsigned kind;
	const sl_plugin *plugin;
	void *self;              /* the plugin's instance */
	int opened;

	/* sources and sinks: the formats at the edge */
	const sl_format_class *format, *key_format;
	void *format_self, *key_format_self;
	/* what a record's bytes are the encoding of (sl_record.value_codec):
	 * the format's class, or this stage when it sets the format's
	 * options, so a sink re-encodes what another stage's options shaped */
	const void *format_codec, *key_format_codec;
	/* set while one of its formats opens, whose options are then the
	 * stage's under its name (format_opts.h) */
	const sl_descriptor *opening_format;
	int opening_key_format;

	sl_stage **outputs;      /* stages reading from this one */
	size_t output_count;

	int finished;            /* a source that returned SL_EOF */
	int tick_soon;           /* an operator whose process said SL_MORE */
	uint64_t records_in, records_out, skipped;
	uint64_t dead_lettered;  /* records of its own it dead-lettered */
	uint64_t retry_tries;    /* sinks: failed tries of the call retried now */
	int64_t retry_wait_ms;   /* ... and the next wait (0: retry.backoff) */
	int64_t retry_after_ms;  /* the sink asked for this next wait (0: none) */
	sl_metric *metrics;
	size_t metric_count;

	sl_tracked *positions;   /* sources: read and delivered */
	size_t position_count;
	sl_tracked *committed;   /* sources: committed by a transaction */
	size_t committed_count;

	sl_stage_state state;    /* stateful stages */

	sl_tracked *held;        /* sources: the inputs they reported assigned */
	size_t held_count;
	sl_stage **upstream;     /* the sources whose records reach this stage */
	size_t upstream_count;
	struct sl_watermark *wm; /* stages on event time, and the repartition
				  * sinks in front of one: their inputs */
	sl_stage_hop hop;        /* repartition sinks and sources */

	/* sinks: records write() took; records_out is what of it a commit
	 * cycle has seen delivered */
	uint64_t records_written;

	/* for observers (telemetry.h), counted per batch when publishing */
	uint64_t bytes_in, bytes_out; /* sources: bytes read; sinks: written */
	struct sl_gauge *gauges;      /* the plugin's gauges (gauge_set) */
	size_t gauge_count;
};

/* The origin of the record that failed under errors = fail. */
typedef struct sl_failure {
	int set;
	const sl_stage *stage;   /* the stage that reported it */
	char topic[256];
	int has_topic;
	int32_t partition;
	int64_t offset;
	const sl_stage *source;  /* the source stage it came from */
} sl_failure;

struct sl_engine {
	const sl_job *job;
	const sl_registry *registry;
	sl_loader *loader;
	sl_stage *stages;        /* job->order order */
	size_t stage_count;
	sl_arena *arena;         /* the current batch's memory */
	struct release { void (*fn)(void *); void *arg; } *releases;
	size_t release_count, release_cap;
	sl_failure failure;
	volatile sig_atomic_t *stop;
	int progress;            /* print a status line to a terminal */
	int tick_soon;           /* some stage's tick_soon is set */
	sl_stage *dlq_sink;      /* writes every stage's dead letters */
	/* each part's own: inputs.c, commit.c, changelog.c */
	struct sl_inputs *inputs;
	struct sl_commit *commit;
	struct sl_changelog *changelog;
	struct sl_align *align;
	uint64_t dead_letters;
	uint64_t rewinds;        /* sources rewound after an abort, so far */
	uint32_t batch_max;
	int wake[2];             /* wake.c: sources wake the loop; -1 closed */
};

/* Whether records of source @p source reach stage @p s. */
static inline int sl_stage_fed_by(const sl_stage *s, const sl_stage *source)
{
	size_t i;

	for (i = 0; i < s->upstream_count; i++)
		if (s->upstream[i] == source)
			return 1;
	return 0;
}

#endif
