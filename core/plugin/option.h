/*
 * option.h - how an option is declared (a plugin's descriptor, the
 * engine's tables) and how a value of it is checked and parsed, once.
 */
#ifndef SL_OPTION_H
#define SL_OPTION_H

#include <stddef.h>
#include <stdint.h>

/* Kinds of plugin, as a bit set. */
enum sl_kind {
	SL_KIND_SOURCE = 1,
	SL_KIND_SINK = 2,
	SL_KIND_OPERATOR = 4,
	SL_KIND_FORMAT = 8,
	SL_KIND_STORE = 16   /* keeps the job's keyed state durable */
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

#endif
