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
 *     SL_PLUGIN("my", .op = &my_op)
 *
 * Fill class structs with designated initializers: they grow at the end
 * as the ABI gains optional callbacks, and a plugin built against an
 * older SDK keeps working (the engine reads struct_size).  A plugin built
 * against a newer SDK loads on an older host too: before calling a host
 * member added after the first table it checks SL_HOST_HAS(member), or
 * it declares the host it needs (`.host_needs`) and an older host
 * refuses to load it.
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
#include <sluice/store.h>

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
	/* Added after ABI 1's first struct: the loader reads struct_size. */
	uint32_t host_needs;  /**< the host table size it cannot run without
				(SL_HOST_SIZE_WITH()); 0: any host of the ABI */
	uint32_t layout;      /**< SL_LAYOUT_STAMP it was built with */
	const sl_store_class *store; /**< NULL when not a state store */
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
 * The host table size a plugin needs to call host member @p member: for
 * `.host_needs`, when the plugin calls a member added after the first
 * table without checking SL_HOST_HAS() first, so that an older host
 * refuses to load it instead of crashing.
 */
#define SL_HOST_SIZE_WITH(member) \
	((uint32_t)(offsetof(sl_host, member) + sizeof(((sl_host *)0)->member)))

/**
 * Define the entry function and the plugin's host pointer.  Use once per
 * plugin, in one file, with the plugin's name and, as designated
 * initializers of sl_plugin, its kinds and needs:
 *
 *     SL_PLUGIN("my", .op = &my_op)
 *     SL_PLUGIN("kv", .source = &kv_source, .sink = &kv_sink)
 *     SL_PLUGIN("win", .op = &win_op,
 *               .host_needs = SL_HOST_SIZE_WITH(watermark))
 */
#define SL_PLUGIN(name_, ...)                                                \
	const sl_host *sl_host_api;                                         \
	SL_EXPORT const sl_plugin *SL_PLUGIN_ENTRY(const sl_host *host);    \
	SL_EXPORT const sl_plugin *SL_PLUGIN_ENTRY(const sl_host *host)     \
	{                                                                   \
		static const sl_plugin plugin = {                           \
			.abi_major = SL_ABI_MAJOR,                          \
			.struct_size = sizeof(sl_plugin),                   \
			.host_size = sizeof(sl_host),                       \
			.layout = SL_LAYOUT_STAMP,                          \
			.name = name_, __VA_ARGS__ };                       \
		sl_host_api = host;                                         \
		return &plugin;                                             \
	}

/** SL_PLUGIN() with the four kinds in order (NULL for those not provided). */
#define SL_PLUGIN_DEFINE(name_, source_, sink_, op_, format_)               \
	SL_PLUGIN(name_, .source = source_, .sink = sink_, .op = op_,       \
		  .format = format_)

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_PLUGIN_H */
