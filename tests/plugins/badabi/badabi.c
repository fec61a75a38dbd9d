/*
 * badabi.c - a test plugin stamped with a plugin ABI this sluice does not
 * speak: the loader must refuse it with a message naming the plugin.
 */
#include <sluice/plugin.h>

static int never_open(sl_stage *stage, void **self, sl_error *err)
{
	return sl_error_set(err, SL_ERR_RUNTIME, "badabi must never be opened");
}

static int never_process(void *self, sl_batch *batch, sl_error *err)
{
	return SL_ERR;
}

static const sl_operator_class badabi_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = never_open,
	.process = never_process,
};

const sl_host *sl_host_api;
const sl_plugin *sluice_plugin_entry(const sl_host *host);

const sl_plugin *sluice_plugin_entry(const sl_host *host)
{
	static const sl_plugin plugin = {
		.abi_major = SL_ABI_MAJOR + 998,
		.struct_size = sizeof(sl_plugin),
		.host_size = sizeof(sl_host),
		.name = "badabi",
		.op = &badabi_op,
	};

	sl_host_api = host;
	return &plugin;
}
