/*
 * descriptor.h - plugin descriptors (NAME.plugin INI files) and the
 * registry of every plugin found on the plugin path.
 *
 * A job is checked against descriptors before any plugin library is
 * loaded, and `sluice plugins` prints them.
 */
#ifndef SL_DESCRIPTOR_H
#define SL_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "plugin/option.h"

/*
 * What a plugin declares it does beyond its kinds (`capabilities` in its
 * descriptor), so the engine plans a job from descriptors alone and a
 * third-party plugin is treated like a built-in one.
 */
enum sl_capability {
	SL_CAP_KEYED = 1,        /* operator: keeps state per record key */
	SL_CAP_SETS_KEY = 2,     /* operator: replaces the record key */
	SL_CAP_PARTITIONED = 4,  /* source: partitioned input that instances share */
	SL_CAP_REPARTITION = 8,  /* source and sink: can carry a repartition hop */
	SL_CAP_TRANSACTIONAL = 16, /* sink: takes part in exactly-once transactions */
	SL_CAP_POSITIONS = 32,    /* sink: keeps the input's positions with its
				     writes, in its transaction (txn_position) */
	SL_CAP_DECODED = 64       /* sink: reads decoded values only, never a
				     record's bytes: nothing is encoded for it */
};

typedef struct sl_descriptor {
	char *name;
	unsigned kinds;
	char *library;   /* module name, without extension */
	int abi;         /* ABI major version the plugin is built for */
	char *summary;
	unsigned capabilities; /* enum sl_capability bits */
	char *path;      /* the descriptor file */
	char *subdir;    /* its folder relative to the root it was found in ("" or "file") */
	sl_opt_desc *options;
	size_t option_count;
} sl_descriptor;

typedef struct sl_registry {
	char **roots;    /* absolute plugin directories, in search order */
	size_t root_count;
	sl_descriptor **plugins; /* first found wins for a name */
	size_t plugin_count;
	char **shadowed; /* per plugin: the first descriptor it hides, or NULL */
} sl_registry;

/*
 * Read the descriptor at @p path (found below @p subdir of a root).
 * Problems go to @p diag as "FILE:LINE: message"; returns NULL then.
 */
sl_descriptor *sl_descriptor_load(const char *path, const char *subdir,
				  sl_diag *diag);
void sl_descriptor_free(sl_descriptor *desc);

/* The option named @p key for a stage of @p kind, or NULL. */
const sl_opt_desc *sl_descriptor_option(const sl_descriptor *desc,
					 unsigned kind, const char *key);

/* "keyed", "sets-key", ... for one enum sl_capability bit. */
const char *sl_capability_name(unsigned capability);

/* "source", "sink", "operator" or "format" for one kind bit. */
const char *sl_kind_name(unsigned kind);
/* "source, sink" for a set of kinds, in @p buf. */
const char *sl_kinds_text(unsigned kinds, char *buf, size_t size);

/*
 * Search @p roots (ROOT/NAME.plugin and ROOT/SUBDIR/NAME.plugin; missing
 * directories are skipped) and fill @p reg.  Broken descriptors, and
 * folders and descriptors not used because others could change them
 * (trust.h), are reported in @p diag.  Returns 0, or -1 when out of
 * memory.
 */
int sl_registry_load(sl_registry *reg, char *const *roots, size_t root_count,
		     sl_diag *diag);
const sl_descriptor *sl_registry_find(const sl_registry *reg, const char *name);
/*
 * The library file of @p desc: the first ROOT/SUBDIR/LIBRARY.la, else
 * .so, that exists, over the roots in search order (a VPATH build keeps
 * descriptors in the source tree and libraries in the build tree).
 * malloc'd; NULL when there is none (or out of memory).
 */
char *sl_registry_library(const sl_registry *reg, const sl_descriptor *desc);
void sl_registry_free(sl_registry *reg);

/*
 * The plugin path in search order: @p job_path (colon-separated, relative
 * entries taken from @p base_dir, the job file's folder; may be NULL), then
 * $SLUICE_PLUGIN_PATH, then the installed plugin directory.  Entries are
 * made absolute; the current directory is never added implicitly.
 */
int sl_plugin_roots(const char *job_path, const char *base_dir, char ***roots,
		    size_t *count);

#endif
