/*
 * plan.h - split a validated job where a keyed stage needs its input
 * repartitioned, and describe the result (see plan.c).
 */
#ifndef SL_PLAN_H
#define SL_PLAN_H

#include <stdio.h>

#include "job/job.h"

/*
 * Add the repartition hops @p job needs (stages with role
 * SL_ROLE_REPARTITION_SINK and _SOURCE, in job->added and job->order),
 * whose formats are sluice's own (plugin/hop_formats.h).  Returns 0, or
 * -1 when out of memory.  Keyed stages that would need a hop their
 * source's plugin cannot carry are listed in @p notes (may be NULL) for
 * the user.
 */
int sl_plan_job(sl_job *job, sl_diag *notes);

/* The internal topic "JOB-STAGE-SUFFIX" of @p stage, in @p buf. */
void sl_plan_topic(const sl_job *job, const sl_job_stage *stage,
		   const char *suffix, char *buf, size_t size);

/* The partitioned source of the job file that @p stage's input comes
 * from, through any hops (NULL when none). */
const sl_job_stage *sl_plan_partitioned_source(const sl_job_stage *stage);

/* Print the parts of the planned job and its internal topics. */
void sl_plan_print(const sl_job *job, FILE *out);

#endif
