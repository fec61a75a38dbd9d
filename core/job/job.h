/*
 * job.h - a job file, parsed and validated.
 *
 * sl_job_load() reads the INI text, expands ${VAR}, ${VAR:-default} and
 * ${file:PATH},
 * applies --set overrides and keeps the line of every value, so every
 * later check can say FILE:LINE.  sl_job_validate() checks it against the
 * plugin descriptors and wires the stages.
 */
#ifndef SL_JOB_H
#define SL_JOB_H

#include <stddef.h>
#include <stdint.h>
#include <sluice/stage.h>

#include "plugin/descriptor.h"
#include "plugin/engine_options.h"
#include "base/diag.h"
#include "base/names.h"

typedef struct sl_job_option {
	char *key;
	char *value;  /* after ${...} expansion */
	int line;     /* 0 when it came from --set */
	int continued; /* indented lines continued it in the file */
	/* Filled by sl_job_validate() when the value checked out: */
	const sl_opt_desc *desc; /* what it was checked against */
	sl_opt_value parsed;     /* the value, parsed once */
} sl_job_option;

typedef struct sl_job_stage sl_job_stage;

struct sl_job_stage {
	char *name;
	unsigned kind;         /* one enum sl_kind bit */
	int line;              /* line of the [kind NAME] header */
	sl_job_option *options; /* every key of the section, in file order, */
	size_t option_count;    /* `plugin`, `from`, ... included */

	/* Filled by sl_job_validate(): */
	const sl_descriptor *plugin;
	const sl_descriptor *format;     /* sources and sinks */
	const sl_descriptor *key_format; /* sources and sinks */
	sl_stage_settings settings;      /* the engine's options, parsed */
	size_t problems;                 /* found in its own section */
	sl_job_stage **inputs;           /* stages this one reads from */
	size_t input_count;

	/* Stages the planner adds (plan.c); zero for the job file's own. */
	int role;                        /* enum sl_stage_role */
	const sl_job_stage *template_of; /* options not set here come from it */
	const sl_job_stage *serves;      /* the keyed stage a hop feeds */
	char *storage;                   /* the hop's topic: JOB-STAGE-repartition */
	int32_t partitions;              /* repartition.partitions, 0: the input's */
	size_t order_index;              /* its place in sl_job.order (plan.c) */
};

typedef struct sl_job {
	char *path;           /* as given on the command line */
	char *dir;            /* its folder, for relative plugin.path */
	sl_job_option *job_options; /* the [job] section */
	size_t job_option_count;
	int job_line;         /* line of [job], 0 when missing */

	/* [job] values, filled by sl_job_validate() */
	const char *name;
	int delivery;         /* enum sl_delivery */
	int64_t commit_interval_ms;
	const char *plugin_path; /* NULL when not set */
	int log_level;        /* enum sl_log_level */
	int log_json;         /* log.format = json */
	const char *http_listen; /* HOST:PORT, NULL when not set */
	int64_t health_timeout_ms; /* /health: stuck after this long */
	int64_t memory_limit; /* bytes the sources may hold read ahead */
	int64_t http_connections; /* served at once; 0: from RLIMIT_NOFILE */
	int64_t http_connections_per_ip; /* of those from one address; 0: half */

	sl_job_stage *stages; /* in file order */
	size_t stage_count;
	sl_job_stage **order; /* filled by validation: inputs before readers */
	size_t order_count;   /* stage_count, plus the planner's stages */
	sl_job_stage **added; /* the planner's stages (plan.c), owned here */
	size_t added_count;
	sl_names stage_names; /* positions in stages[] by name */
	/* What ${file:PATH} read, alone and as the whole value it is in:
	 * never shown, whatever the key (sl_job_option_is_secret, secret.h) */
	char **secret_values;
	size_t secret_value_count;
} sl_job;

/* One --set stage.key=value from the command line. */
typedef struct sl_job_override {
	const char *stage; /* "job" for the [job] section */
	const char *key;
	const char *value;
} sl_job_override;

/*
 * Parse @p path.  Problems (unreadable file, syntax, a line longer than
 * SL_JOB_MAX_LINE, duplicate sections, missing [job], an undefined ${VAR},
 * an unreadable ${file:PATH}, an override naming no stage) go to @p diag; returns NULL when the file
 * could not be parsed at all, else the job (check diag->count).
 */
sl_job *sl_job_load(const char *path, const sl_job_override *overrides,
		    size_t override_count, sl_diag *diag);

/*
 * Check @p job against the plugins in @p reg: [job] keys, plugins and
 * their kinds, options (unknown, missing, type), formats, errors policy,
 * wiring (unknown `from`, cycles, a stage with no input).  Fills the
 * resolved fields.  Returns the number of problems added to @p diag.
 * Pass the diag sl_job_load() filled: when it already holds problems, the
 * checks a refused section would set off (no source, no sink, a stage
 * nobody reads) are left out.
 */
size_t sl_job_validate(sl_job *job, const sl_registry *reg, sl_diag *diag);

/* The [job] values as they are when the file does not set them: the
 * defaults of the [job] keys' table (job_keys.c), their one copy. */
void sl_job_set_defaults(sl_job *job);
/* Check [job] key @p key's @p value and set it in @p job: 0, or -1 with
 * the reason in @p why.  @p value must live as long as the job. */
int sl_job_key_set(sl_job *job, const char *key, const char *value,
		   char *why, size_t why_size);
/* The [job] keys' table: each lands parsed in its field of sl_job. */
const sl_opt_desc *sl_job_keys(size_t *count);
/* "none", "at-least-once" or "exactly-once", as a job file writes it. */
const char *sl_job_delivery_name(int delivery);

/* The stage named @p name (@p len bytes), or NULL. */
sl_job_stage *sl_job_stage_named(const sl_job *job, const char *name,
				 size_t len);

/* The option @p key of @p stage as written, or NULL. */
const sl_job_option *sl_job_stage_option(const sl_job_stage *stage,
					 const char *key);
const sl_job_option *sl_job_option_find(const sl_job *job, const char *key);

/* Parse "stage.key=value" (the text is kept, not copied); 0 or -1. */
int sl_job_override_parse(char *text, sl_job_override *out);

void sl_job_free(sl_job *job);



struct sl_loader;

/*
 * Checks of a loaded job from a part above this one (the plugins' own
 * check callbacks, runtime/stage_check.h): problems go to @p diag, the
 * count is returned.
 */
typedef size_t (*sl_job_checker)(const sl_job *job, struct sl_loader *loader,
				 const sl_registry *reg, sl_diag *diag);

/*
 * What `run` and `validate` share: load @p path with @p overrides, find
 * the plugins (job.plugin.path, $SLUICE_PLUGIN_PATH, installed dir) into
 * @p reg, validate, plan (plan.h), load every plugin the job uses into
 * *@p loader, with the loader's checks, handing each the request's host
 * table (the engine's, runtime/engine.h), then run the checks across
 * stages (job_checks.c) and the request's checker.  On any problem print
 * every diagnostic line, sorted by line, to stderr and return 2 (the
 * exit code; 1 for a failure that is not the job's); else return 0 with
 * *job and *loader set.
 */
typedef struct sl_job_request {
	const char *path;
	const sl_job_override *overrides; /* --set, in order */
	size_t override_count;
	const sl_host *host;      /* what every plugin loaded is handed */
	sl_job_checker checker;   /* may be NULL */
	sl_diag *notes;           /* what to know about the plan; may be NULL */
} sl_job_request;

int sl_job_open(const sl_job_request *request, sl_job **job,
		sl_registry *reg, struct sl_loader **loader);

/*
 * The checks across stages that need the plugins loaded: under
 * exactly-once every sink takes part in the transaction and a store
 * joins the owner's; errors = dead-letter has a sink that writes dead
 * letters.  Problems go to @p diag; returns how many.
 */
size_t sl_job_check_across(const sl_job *job, struct sl_loader *loader,
			   const sl_registry *reg, sl_diag *diag);
#endif
