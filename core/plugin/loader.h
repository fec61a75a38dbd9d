/*
 * loader.h - loading plugin libraries with libltdl.
 *
 * A library is looked for only where its descriptor says, under the plugin
 * roots (never the current directory), and refused unless its entry
 * symbol returns a struct stamped with our ABI major version and sizes we
 * understand.
 */
#ifndef SL_LOADER_H
#define SL_LOADER_H

#include <sluice/plugin.h>
#include "plugin/descriptor.h"

typedef struct sl_loader sl_loader;

/*
 * A loader that hands @p host to each plugin's entry function (the
 * engine's table, runtime/engine.h, or a test's); NULL when out of memory.
 */
sl_loader *sl_loader_new(const sl_host *host);
/*
 * The plugin @p desc describes, loaded once and cached.  Errors name the
 * plugin and the file, and say what to do.
 */
int sl_loader_get(sl_loader *loader, const sl_registry *reg,
		  const sl_descriptor *desc, const sl_plugin **out,
		  sl_error *err);
void sl_loader_free(sl_loader *loader);

#endif
