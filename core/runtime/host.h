/*
 * host.h - the engine's host table (sluice/host.h), handed to every
 * plugin it loads: whoever creates a loader passes it down
 * (plugin/loader.h), so the parts below the runtime need not name it.
 */
#ifndef SL_RUNTIME_HOST_H
#define SL_RUNTIME_HOST_H

#include <sluice/host.h>

extern const sl_host sl_core_host;

#endif
