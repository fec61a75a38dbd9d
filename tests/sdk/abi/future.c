/*
 * future.c - an operator built against a newer SDK than the sluice it
 * runs on: its host table has a member `future_call` appended, which the
 * installed host lacks.  It checks SL_HOST_HAS() before calling it and
 * marks each record with what it found ("future" values).  Built with
 * -DFUTURE_NEEDED it instead declares it cannot run without the member.
 */
#include <sluice/plugin.h>

static int future_open(sl_stage *stage, void **self, sl_error *err)
{
	(void)err;
	*self = stage;
	return SL_OK;
}

static int future_process(void *self, sl_batch *batch, sl_error *err)
{
	static sl_value have = { SL_TSTRING, 8, { .s = "has-call" } };
	static sl_value lack = { SL_TSTRING, 8, { .s = "no--call" } };
	uint32_t i;

	(void)self;
	(void)err;
	for (i = 0; i < batch->count; i++)
		sl_record_set_value(&batch->records[i],
				    SL_HOST_HAS(future_call) ? &have : &lack);
	return SL_OK;
}

static const sl_operator_class future_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = future_open,
	.process = future_process,
};

#ifdef FUTURE_NEEDED
SL_PLUGIN("future", .op = &future_op,
	  .host_needs = SL_HOST_SIZE_WITH(future_call))
#else
SL_PLUGIN("future", .op = &future_op)
#endif
