/*
 * null.c - a sink that discards every record.
 *
 * Useful to measure a pipeline without the cost of output, and to run a
 * job for its side effects (state, metrics).  Nothing is dropped silently:
 * every record is counted in the stage's "discarded" metric.  It reads
 * no record's bytes, and says so (capabilities = decoded): nothing is
 * encoded for it, so a measurement ends at the last operator.
 */
#include <sluice/plugin.h>

static int null_open(sl_stage *stage, void **self, sl_error *err)
{
	(void)err;
	*self = stage;
	return SL_OK;
}

static int null_write(void *self, const sl_batch *batch, sl_error *err)
{
	(void)err;
	if (batch->count > 0)
		sl_metric_add((sl_stage *)self, "discarded", (int64_t)batch->count);
	return SL_OK;
}

/* Nothing is held back, so everything "written" is already final. */
static int null_flush(void *self, int timeout_ms, sl_error *err)
{
	(void)self;
	(void)timeout_ms;
	(void)err;
	return SL_OK;
}

static const sl_sink_class null_sink = {
	.struct_size = sizeof(sl_sink_class),
	.open = null_open,
	.write = null_write,
	.flush = null_flush,
};

SL_PLUGIN("null", .sink = &null_sink)
