/*
 * state_host.c - state stores in the host table: a stage's stores are
 * created by the operator and owned by the stage, so the engine can reach
 * every store at commit time and frees them after the operator's close().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/state_host.h"

sl_state *sl_state_host_open(sl_stage *stage, const char *name, sl_error *err)
{
	sl_state **grown, *st;
	size_t i;

	if (name == NULL)
		name = "";
	for (i = 0; i < stage->state_count; i++)
		if (strcmp(sl_store_name(stage->states[i]), name) == 0) {
			sl_error_set(err, SL_ERR_RUNTIME,
				     "state store '%s' is already open", name);
			return NULL;
		}
	grown = realloc(stage->states, (stage->state_count + 1) * sizeof *grown);
	if (grown == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	stage->states = grown;
	st = sl_store_new(name);
	if (st == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	stage->states[stage->state_count++] = st;
	return st;
}

void sl_state_host_close_all(sl_stage *stage)
{
	size_t i;

	for (i = 0; i < stage->state_count; i++)
		sl_store_free(stage->states[i]);
	free(stage->states);
	stage->states = NULL;
	stage->state_count = 0;
}
