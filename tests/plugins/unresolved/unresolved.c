/*
 * unresolved.c - an operator that calls a function no library defines.
 * Bound lazily, it would load and then kill the process with "symbol
 * lookup error" on its first batch.
 */
#include <stdlib.h>
#include <sluice/plugin.h>

int sluice_test_nowhere_defined(int x);

static int un_open(sl_stage *stage, void **self, sl_error *err)
{
	*self = stage;
	return SL_OK;
}

static int un_process(void *self, sl_batch *batch, sl_error *err)
{
	return sluice_test_nowhere_defined((int)batch->count) ? SL_OK : SL_OK;
}

static const sl_operator_class unresolved_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = un_open,
	.process = un_process,
};

SL_PLUGIN("unresolved", .op = &unresolved_op)
