/*
 * stage_check.h - the plugins' own checks of a job: the optional `check`
 * callback of their classes, run before anything opens.
 */
#ifndef SL_STAGE_CHECK_H
#define SL_STAGE_CHECK_H

#include "base/diag.h"
#include "job/job.h"
#include "plugin/loader.h"

/*
 * Call `check` of every stage of @p job whose plugin has one and whose
 * options checked out (sl_job_stage.problems), with the plugins in
 * @p loader; each refusal goes to @p diag at the line it names.  Returns
 * how many were added.  Fits sl_job_open()'s sl_job_checker.
 */
size_t sl_stage_checks(const sl_job *job, sl_loader *loader,
		       const sl_registry *reg, sl_diag *diag);

#endif
