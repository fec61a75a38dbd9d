/*
 * event_time.c - the host's watermark functions (sluice/operator.h): a
 * stage on event time asks the engine, which knows the stage's inputs
 * (inputs.c) and, across a repartition topic, what its writers report
 * (hop.c).
 */
#include "config.h"

#include <stdlib.h>

#include "runtime/event_time.h"
#include "runtime/watermark.h"

int sl_engine_watermark_open(sl_stage *s, int64_t idle_ms, sl_error *err)
{
	const sl_job_stage *d = s->def;
	/* behind a repartition topic only its writers' reports tell */
	int reported = d->input_count == 1 &&
		       d->inputs[0]->role == SL_ROLE_REPARTITION_SOURCE;

	if (s->wm != NULL)
		return SL_OK;
	if ((s->wm = malloc(sizeof *s->wm)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	sl_wm_init(s->wm, idle_ms, reported);
	return SL_OK;
}

int64_t sl_engine_watermark_observe(sl_stage *s, const sl_record *rec,
				    int64_t ts, int64_t now)
{
	if (s->wm == NULL)
		return INT64_MIN;
	/* out of memory: the record's input is not counted, which can
	 * only hold the watermark back */
	sl_wm_observe(s->wm, &rec->origin, ts, now);
	return sl_wm_value(s->wm, sl_wm_group_of(rec->origin.partition), now);
}

int64_t sl_engine_watermark(sl_stage *s, int32_t partition, int64_t now)
{
	if (s->wm == NULL)
		return INT64_MIN;
	return sl_wm_value(s->wm, sl_wm_group_of(partition), now);
}

void sl_engine_watermark_close(sl_stage *s)
{
	if (s->wm == NULL)
		return;
	sl_wm_free(s->wm);
	free(s->wm);
	s->wm = NULL;
}
