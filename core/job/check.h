/*
 * check.h - what the parts of job validation share (validate.c drives
 * them): the state of one validation and the problem reporter.
 */
#ifndef SL_JOB_CHECK_H
#define SL_JOB_CHECK_H

#include "base/suggest.h"
#include "job/job.h"

#define SOURCE_SINK (SL_KIND_SOURCE | SL_KIND_SINK)
#define STAGE_KINDS (SL_KIND_SOURCE | SL_KIND_SINK | SL_KIND_OPERATOR)

typedef struct sl_check {
	sl_job *job;
	const sl_registry *reg;
	sl_diag_in in;          /* the job file's problems */
	size_t wiring_problems;
	size_t file_problems; /* found while reading the file, before us */
} sl_check;

/* A problem with option @p o of @p section ("job" or a stage name). */
void sl_check_problem(sl_check *c, const char *section, const sl_job_option *o,
		      const char *fmt, ...) SL_PRINTF(4, 5);

/* check_stage.c: a stage's options, its plugin and formats (bind.c). */
void sl_check_stage(sl_check *c, sl_job_stage *st);

/* bind.c: the plugin @p name for stage @p st, given by option @p key
 * (@p o, NULL when @p name is the default), needed as @p want; NULL after
 * reporting. */
const sl_descriptor *sl_check_resolve(sl_check *c, const sl_job_stage *st,
				      const char *key, const sl_job_option *o,
				      const char *name, unsigned want);
/* bind.c: the stage's value and key formats, and their required options. */
void sl_check_formats(sl_check *c, sl_job_stage *st);

/* wire.c: who reads from whom, the order, cycles; 0, or -1 when out of
 * memory. */
int sl_check_wire(sl_check *c);

#endif
