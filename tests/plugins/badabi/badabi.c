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
	static const sl_plugin plugin = { SL_ABI_MAJOR + 998, sizeof(sl_plugin),
		sizeof(sl_host), "badabi", NULL, NULL, &badabi_op, NULL };

	sl_host_api = host;
	return &plugin;
}
