/*
 * metric.c - see metric.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/metric.h"

void sl_stage_metric_add(sl_stage *stage, const char *name, int64_t delta)
{
	sl_metric *grown;
	size_t i;

	for (i = 0; i < stage->metric_count; i++) {
		if (strcmp(stage->metrics[i].name, name) == 0) {
			stage->metrics[i].value += delta;
			return;
		}
	}
	grown = realloc(stage->metrics, (stage->metric_count + 1) * sizeof *grown);
	if (grown == NULL)
		return;
	stage->metrics = grown;
	grown[stage->metric_count].name = strdup(name);
	if (grown[stage->metric_count].name == NULL)
		return;
	grown[stage->metric_count++].value = delta;
}
