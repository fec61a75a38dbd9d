/*
 * nullcb.c - plugins whose struct sizes are right but that leave a
 * callback the engine must call NULL.  Built three times: NULLCB_NAME
 * names the plugin, and NULLCB_NO_OPEN, NULLCB_NO_PROCESS or
 * NULLCB_NO_DECODE says which callback is missing.
 */
#include <stdlib.h>
#include <sluice/plugin.h>

/* Each build uses some of these. */
#define UNUSED __attribute__((unused))

static UNUSED int nc_open(sl_stage *stage, void **self, sl_error *err)
{
	*self = stage;
	return SL_OK;
}

static UNUSED int nc_process(void *self, sl_batch *batch, sl_error *err)
{
	return SL_OK;
}

static UNUSED int nc_encode(void *self, const sl_value *value, sl_buf *out,
		     sl_error *err)
{
	return SL_OK;
}

#ifdef NULLCB_NO_DECODE
static const sl_format_class nullcb_format = {
	.struct_size = sizeof(sl_format_class),
	.encode = nc_encode,
};
SL_PLUGIN(NULLCB_NAME, .format = &nullcb_format)
#else
static const sl_operator_class nullcb_op = {
	.struct_size = sizeof(sl_operator_class),
#ifndef NULLCB_NO_OPEN
	.open = nc_open,
#endif
#ifndef NULLCB_NO_PROCESS
	.process = nc_process,
#endif
};
SL_PLUGIN(NULLCB_NAME, .op = &nullcb_op)
#endif
