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
	for (i = 0; i < stage->state.count; i++)
		if (strcmp(sl_store_name(stage->state.stores[i]), name) == 0) {
			sl_error_set(err, SL_ERR_RUNTIME,
				     "state store '%s' is already open", name);
			return NULL;
		}
	grown = realloc(stage->state.stores, (stage->state.count + 1) * sizeof *grown);
	if (grown == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	stage->state.stores = grown;
	st = sl_store_new(name);
	if (st == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	stage->state.stores[stage->state.count++] = st;
	return st;
}

void sl_state_host_close_all(sl_stage *stage)
{
	size_t i;

	for (i = 0; i < stage->state.count; i++)
		sl_store_free(stage->state.stores[i]);
	free(stage->state.stores);
	stage->state.stores = NULL;
	stage->state.count = 0;
}
