/*
 * sluice/plugin.h - everything a plugin needs, and its entry point.
 *
 * A plugin is a shared object that exports one symbol, SL_PLUGIN_ENTRY,
 * and ships an INI descriptor (NAME.plugin) that lists its kinds and
 * options.  A minimal plugin:
 *
 *     #include <sluice/plugin.h>
 *     static const sl_operator_class my_op = {
 *             .struct_size = sizeof(sl_operator_class),
 *             .open = my_open,
 *             .process = my_process,
 *             .close = my_close,
 *     };
 *     SL_PLUGIN_DEFINE("my", NULL, NULL, &my_op, NULL)
 *
 * Fill class structs with designated initializers: they grow at the end
 * as the ABI gains optional callbacks, and a plugin built against an
 * older SDK keeps working (the engine reads struct_size).
 *
 * See the template and examples in `pkg-config --variable=sdkdir sluice`
 * (sdk/ in the source tree) for complete ones with their build files,
 * and plugin-guide.md (share/doc/sluice) for the rules they follow.
 */
#ifndef SLUICE_PLUGIN_H
#define SLUICE_PLUGIN_H

#include <sluice/value.h>
#include <sluice/error.h>
#include <sluice/batch.h>
#include <sluice/host.h>
#include <sluice/stage.h>
#include <sluice/source.h>
#include <sluice/sink.h>
#include <sluice/operator.h>
#include <sluice/format.h>
#include <sluice/expr.h>
#include <sluice/state.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a plugin's entry function returns: its kinds, stamped for the ABI. */
typedef struct sl_plugin {
	uint32_t abi_major;   /**< SL_ABI_MAJOR the plugin was built for */
	uint32_t struct_size; /**< sizeof(sl_plugin) the plugin was built with */
	uint32_t host_size;   /**< sizeof(sl_host) the plugin was built with */
	const char *name;     /**< must equal the descriptor's name */
	const sl_source_class *source;     /**< NULL when not a source */
	const sl_sink_class *sink;         /**< NULL when not a sink */
	const sl_operator_class *op;       /**< NULL when not an operator */
	const sl_format_class *format;     /**< NULL when not a format */
} sl_plugin;

/* Visible even when a plugin is built with -fvisibility=hidden. */
#if defined(__GNUC__)
#define SL_EXPORT __attribute__((visibility("default")))
#else
#define SL_EXPORT
#endif

/** The one symbol a plugin exports. */
#define SL_PLUGIN_ENTRY sluice_plugin_entry
#define SL_PLUGIN_ENTRY_NAME "sluice_plugin_entry"

/** Type of the entry function: keep @p host, return the plugin. */
typedef const sl_plugin *(*sl_plugin_entry_fn)(const sl_host *host);

/**
 * Define the entry function and the plugin's host pointer.  Use once per
 * plugin, in one file, with the plugin's name and its kinds (NULL for the
 * kinds it does not provide).
 */
#define SL_PLUGIN_DEFINE(name_, source_, sink_, op_, format_)               \
	const sl_host *sl_host_api;                                         \
	SL_EXPORT const sl_plugin *SL_PLUGIN_ENTRY(const sl_host *host);    \
	SL_EXPORT const sl_plugin *SL_PLUGIN_ENTRY(const sl_host *host)     \
	{                                                                   \
		static const sl_plugin plugin = { SL_ABI_MAJOR,             \
			sizeof(sl_plugin), sizeof(sl_host), name_, source_, \
			sink_, op_, format_ };                              \
		sl_host_api = host;                                         \
		return &plugin;                                             \
	}

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_PLUGIN_H */
