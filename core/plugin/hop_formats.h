/*
 * hop_formats.h - the formats of repartition topics, built into sluice.
 *
 * A repartition topic is sluice's own storage between two parts of a job,
 * so its records are in formats of the engine, not of plugins: values in
 * the binary record codec (base/record_codec.h), keys as the text a
 * keyed stage groups by.  The planner gives the hop's stages these
 * descriptors, and the loader hands out their plugins without loading a
 * library, so sources and sinks call them as any format.  They are not
 * in the registry: a job file cannot name them.
 */
#ifndef SL_HOP_FORMATS_H
#define SL_HOP_FORMATS_H

#include <sluice/plugin.h>
#include "plugin/descriptor.h"

/*
 * Values: sluice's binary record codec, every sl_value type kept as it
 * is (no JSON text to write and parse again).
 */
extern const sl_descriptor sl_hop_value_format;

/*
 * Keys: the key's text, as keyed stages group by it (a string as it is,
 * any other value as its compact JSON text), read back as a string.  The
 * sink partitions by these bytes, so every key a keyed stage counts as
 * one lands in one partition: a typed encoding would send the int 7 and
 * the string "7", one group, to two partitions.  Being UTF-8, a key never
 * starts like the engine's control records (0xff).
 */
extern const sl_descriptor sl_hop_key_format;

/* The plugin built into sluice that @p desc describes, else NULL. */
const sl_plugin *sl_builtin_plugin(const sl_descriptor *desc);

#endif
