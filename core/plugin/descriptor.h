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

/* Kinds of plugin, as a bit set. */
enum sl_kind {
	SL_KIND_SOURCE = 1,
	SL_KIND_SINK = 2,
	SL_KIND_OPERATOR = 4,
	SL_KIND_FORMAT = 8,
	SL_KIND_STORE = 16   /* keeps the job's keyed state durable */
};

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
	SL_CAP_TRANSACTIONAL = 16 /* sink: takes part in exactly-once transactions */
};

typedef enum sl_opt_type {
	SL_OPT_STRING = 0,
	SL_OPT_INT,      /* 64-bit integer, optional min/max */
	SL_OPT_NUMBER,   /* double */
	SL_OPT_BOOL,     /* true/false/yes/no/on/off/1/0 */
	SL_OPT_DURATION, /* 250ms, 60s, 5m, 1h, or a bare number of ms */
	SL_OPT_ENUM,     /* one of `values`; a value may end in ':' to take a suffix ("timestamp:") */
	SL_OPT_LIST,     /* comma-separated strings */
	SL_OPT_EXPR,     /* an expression; the operator compiles it when opened */
	SL_OPT_SIZE      /* bytes: 64MB, 512KB, 1GB (units of 1024), or a bare number */
} sl_opt_type;

/*
 * A checked option value, parsed once: int, duration (ms), size (bytes),
 * bool (0/1) and enum (index among `values`) in i; number in d.  Text
 * types (string, list, expr) keep their text.
 */
typedef struct sl_opt_value {
	int64_t i;
	double d;
} sl_opt_value;

/* For `field` of an engine table: where the parsed value lands. */
#define SL_OPT_FIELD(type, member) (offsetof(type, member) + 1)

typedef struct sl_opt_desc {
	char *name;      /* "path"; "kafka.*" declares every key with that prefix */
	int is_prefix;   /* name ended in ".*"; name holds the prefix "kafka." */
	sl_opt_type type;
	char *def;       /* default value as text, NULL if none */
	int required;
	unsigned kinds;  /* the kinds it applies to (enum sl_kind bits) */
	char *summary;
	char **values;   /* SL_OPT_ENUM */
	size_t value_count;
	int has_min, has_max;
	int64_t min, max; /* SL_OPT_INT, SL_OPT_DURATION (ms), SL_OPT_SIZE bounds */
	double min_number, max_number; /* SL_OPT_NUMBER bounds */
	sl_opt_value def_value; /* def, parsed (when def is set) */
	/*
	 * Engine tables only: SL_OPT_FIELD() of the typed field the value is
	 * stored in (const char * for text types, int64_t for int, duration
	 * and size, double for number, int for bool and enum); 0: none.
	 */
	size_t field;
} sl_opt_desc;

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

/*
 * Check @p value against @p opt (type, enum values, min/max, empty) and
 * parse it into *@p out (may be NULL).  Returns 0, or -1 with the reason,
 * quoting the value, in @p why.
 */
int sl_opt_parse(const sl_opt_desc *opt, const char *value, sl_opt_value *out,
		 char *why, size_t why_size);
/* sl_opt_parse() without the parsed value. */
int sl_opt_check(const sl_opt_desc *opt, const char *value, char *why,
		 size_t why_size);
/*
 * Store a parsed value (@p v, and @p text for text types) into the field
 * of @p base that @p opt's `field` names; nothing when it names none.
 */
void sl_opt_store(const sl_opt_desc *opt, const sl_opt_value *v,
		  const char *text, void *base);

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
