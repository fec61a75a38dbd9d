/*
 * metric.h - named counters of a stage: what plugins add with the host's
 * metric_add, and what the engine counts for them (metric.c).  A counter
 * that goes down again (partitions paused) is a gauge.
 */
#ifndef SL_METRIC_H
#define SL_METRIC_H

#include "runtime/stage.h"

/* Add @p delta to counter @p name of @p stage (created at 0); nothing
 * when out of memory. */
void sl_stage_metric_add(sl_stage *stage, const char *name, int64_t delta);

#endif
