/*
 * passthrough.c - an operator that hands every record on untouched: the
 * engine's own cost per stage in benchmarks and wiring tests.
 */
#include <stdlib.h>
#include <sluice/plugin.h>

static int pt_open(sl_stage *stage, void **self, sl_error *err)
{
	*self = stage;
	return SL_OK;
}

static int pt_process(void *self, sl_batch *batch, sl_error *err)
{
	return SL_OK;
}

static const sl_operator_class passthrough_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = pt_open,
	.process = pt_process,
};

SL_PLUGIN("passthrough", .op = &passthrough_op)
