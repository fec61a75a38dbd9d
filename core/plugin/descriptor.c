/*
 * descriptor.c - read a plugin descriptor (NAME.plugin) and check option
 * values against it.
 *
 *   [plugin]                      [option NAME] / [option PREFIX.*]
 *   name, kinds, library, abi,    kinds, type, required, default, values,
 *   summary, capabilities         min, max, summary
 *
 * A descriptor is parsed in two steps: the INI text into raw fields that
 * remember their lines, then the fields into an sl_descriptor.  Fields
 * depend on each other (min/max are read by type, an option's kinds
 * default to the plugin's), and their order in the file must not matter.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/convert.h"
#include "plugin/descriptor.h"
#include "plugin/engine_options.h"
#include "base/ini_lines.h"

enum { P_NAME, P_KINDS, P_LIBRARY, P_ABI, P_SUMMARY, P_CAPABILITIES,
       P_COUNT };
static const char *const plugin_keys[P_COUNT] = {
	"name", "kinds", "library", "abi", "summary", "capabilities"
};

/* The words of `capabilities`, in enum sl_capability's bit order. */
static const char *const capability_names[] = {
	"keyed", "sets-key", "partitioned", "repartition", "transactional",
	"positions", "decoded"
};

enum { F_KINDS, F_TYPE, F_REQUIRED, F_DEFAULT, F_VALUES, F_MIN, F_MAX,
       F_SUMMARY, F_COUNT };
static const char *const option_keys[F_COUNT] = {
	"kinds", "type", "required", "default", "values", "min", "max", "summary"
};

static const char *const type_names[] = {
	"string", "int", "number", "bool", "duration", "enum", "list", "expr",
	"size"
};

typedef struct field {
	char *text; /* NULL when absent */
	int line;
} field;

typedef struct raw_option {
	char *name;
	int line;
	field f[F_COUNT];
} raw_option;

typedef struct parser {
	const char *path;
	sl_diag_in in;          /* the descriptor's problems */
	int oom;
	int plugin_line;        /* line of [plugin], 0 before it */
	int any_section;        /* a header, even a broken one, was seen */
	field p[P_COUNT];
	raw_option *opts;
	size_t opt_count;
	field *cur;             /* fields of the current section, NULL: ignore */
	const char *const *cur_keys;
	size_t cur_key_count;
	const char *cur_name;   /* "plugin" or "option NAME", for messages */
	field *last;            /* the field a continuation line extends */
} parser;

const char *sl_kind_name(unsigned kind)
{
	switch (kind) {
	case SL_KIND_SOURCE: return "source";
	case SL_KIND_SINK: return "sink";
	case SL_KIND_OPERATOR: return "operator";
	case SL_KIND_FORMAT: return "format";
	case SL_KIND_STORE: return "store";
	default: return "?";
	}
}

const char *sl_kinds_text(unsigned kinds, char *buf, size_t size)
{
	static const unsigned order[] = { SL_KIND_SOURCE, SL_KIND_OPERATOR,
					  SL_KIND_SINK, SL_KIND_FORMAT,
					  SL_KIND_STORE };
	size_t i, len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		if (!(kinds & order[i]))
			continue;
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
			 sl_kind_name(order[i]));
		len = strlen(buf);
	}
	return buf;
}

static int name_chars(const char *s, const char *extra)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* ---- INI text to raw fields ---------------------------------------------- */

static void open_option(parser *ps, const char *name, int line)
{
	raw_option *grown, *o;
	size_t i;

	for (i = 0; i < ps->opt_count; i++) {
		if (strcmp(ps->opts[i].name, name) == 0) {
			sl_diag_at(&ps->in, line, "duplicate [option %s] (first at line %d)",
				name, ps->opts[i].line);
			return;
		}
	}
	grown = realloc(ps->opts, (ps->opt_count + 1) * sizeof *grown);
	if (grown == NULL) {
		ps->oom = 1;
		return;
	}
	ps->opts = grown;
	o = &grown[ps->opt_count];
	memset(o, 0, sizeof *o);
	if ((o->name = strdup(name)) == NULL) {
		ps->oom = 1;
		return;
	}
	o->line = line;
	ps->opt_count++;
	ps->cur = o->f;
	ps->cur_keys = option_keys;
	ps->cur_key_count = F_COUNT;
	ps->cur_name = o->name;
}

static void on_section(void *user, const char *header, int line)
{
	parser *ps = user;
	const char *name;

	ps->cur = NULL;
	ps->last = NULL;
	ps->any_section = 1;
	if (header == NULL)
		return;
	if (strcmp(header, "plugin") == 0) {
		if (ps->plugin_line != 0) {
			sl_diag_at(&ps->in, line, "duplicate [plugin] section (the first is at "
				"line %d)", ps->plugin_line);
			return;
		}
		ps->plugin_line = line;
		ps->cur = ps->p;
		ps->cur_keys = plugin_keys;
		ps->cur_key_count = P_COUNT;
		ps->cur_name = NULL;
		return;
	}
	if (strncmp(header, "option", 6) == 0 &&
	    (header[6] == ' ' || header[6] == '\t')) {
		for (name = header + 6; *name == ' ' || *name == '\t'; name++)
			;
		open_option(ps, name, line);
		return;
	}
	sl_diag_at(&ps->in, line, "unknown section [%s]: expected [plugin] or "
		"[option NAME]", header);
}

static void on_key(void *user, const char *key, const char *value, int line)
{
	parser *ps = user;
	size_t i;

	ps->last = NULL;
	if (ps->cur == NULL) {
		if (!ps->any_section)
			sl_diag_at(&ps->in, line, "key '%s' is outside any section", key);
		return;
	}
	for (i = 0; i < ps->cur_key_count; i++)
		if (strcmp(ps->cur_keys[i], key) == 0)
			break;
	if (i == ps->cur_key_count) {
		sl_diag_at(&ps->in, line, "unknown key '%s' in [%s%s]", key,
			ps->cur_name ? "option " : "plugin",
			ps->cur_name ? ps->cur_name : "");
		return;
	}
	if (ps->cur[i].text != NULL) {
		sl_diag_at(&ps->in, line, "duplicate key '%s' (first at line %d)", key,
			ps->cur[i].line);
		return;
	}
	if ((ps->cur[i].text = strdup(value)) == NULL) {
		ps->oom = 1;
		return;
	}
	ps->cur[i].line = line;
	ps->last = &ps->cur[i];
}

static void on_more(void *user, const char *text, int line)
{
	parser *ps = user;
	size_t old, add;
	char *grown;

	(void)line;
	if (ps->last == NULL)
		return;
	old = strlen(ps->last->text);
	add = strlen(text);
	if ((grown = realloc(ps->last->text, old + add + 2)) == NULL) {
		ps->oom = 1;
		return;
	}
	grown[old] = '\n';
	memcpy(grown + old + 1, text, add + 1);
	ps->last->text = grown;
}

/* ---- raw fields to the descriptor ---------------------------------------- */

/*
 * Split @p text at @p sep into trimmed, non-empty items.  Returns the
 * number of empty items (a problem for the caller), or -1 out of memory.
 */
static int split(const char *text, char sep, char ***items, size_t *count)
{
	const char *p = text, *end, *a, *b;
	char **grown;
	int empty = 0;

	*items = NULL;
	*count = 0;
	for (;; p = end + 1) {
		if ((end = strchr(p, sep)) == NULL)
			end = p + strlen(p);
		for (a = p; a < end && isspace((unsigned char)*a); a++)
			;
		for (b = end; b > a && isspace((unsigned char)b[-1]); b--)
			;
		if (a == b) {
			empty++;
		} else {
			grown = realloc(*items, (*count + 1) * sizeof *grown);
			if (grown == NULL)
				return -1;
			*items = grown;
			if ((grown[*count] = strndup(a, (size_t)(b - a))) == NULL)
				return -1;
			(*count)++;
		}
		if (*end == '\0')
			return empty;
	}
}

static void free_strings(char **items, size_t count)
{
	while (count > 0)
		free(items[--count]);
	free(items);
}

/* "source, sink" to kind bits; 0 after reporting a problem. */
static unsigned parse_kinds(parser *ps, const field *f)
{
	char **words;
	size_t count, i;
	unsigned kinds = 0, k;
	int empty = split(f->text, ',', &words, &count);

	if (empty < 0) {
		ps->oom = 1;
	} else if (empty > 0) {
		sl_diag_at(&ps->in, f->line, "kinds: empty item in '%s': list source, sink, "
			"operator, format and/or store", f->text);
	} else {
		for (i = 0; i < count; i++) {
			for (k = SL_KIND_SOURCE; k <= SL_KIND_STORE; k <<= 1)
				if (strcmp(words[i], sl_kind_name(k)) == 0)
					break;
			if (k > SL_KIND_STORE) {
				sl_diag_at(&ps->in, f->line, "unknown kind '%s': expected source, "
					"sink, operator, format or store", words[i]);
				kinds = 0;
				break;
			}
			kinds |= k;
		}
	}
	free_strings(words, count);
	return kinds;
}

/* "keyed, sets-key" to capability bits; 0 after reporting a problem. */
static unsigned parse_capabilities(parser *ps, const field *f)
{
	const size_t known = sizeof capability_names / sizeof capability_names[0];
	char **words;
	size_t count, i, k;
	unsigned caps = 0;
	int empty = split(f->text, ',', &words, &count);

	if (empty < 0) {
		ps->oom = 1;
		return 0;
	}
	if (empty > 0)
		sl_diag_at(&ps->in, f->line, "capabilities: empty item in '%s'", f->text);
	for (i = 0; empty == 0 && i < count; i++) {
		for (k = 0; k < known; k++)
			if (strcmp(words[i], capability_names[k]) == 0)
				break;
		if (k == known) {
			sl_diag_at(&ps->in, f->line, "unknown capability '%s': expected keyed, "
				"sets-key, partitioned, repartition, transactional, "
				"positions or decoded", words[i]);
			caps = 0;
			break;
		}
		caps |= 1u << k;
	}
	free_strings(words, count);
	return caps;
}

const char *sl_capability_name(unsigned capability)
{
	size_t k;

	for (k = 0; k < sizeof capability_names / sizeof capability_names[0]; k++)
		if (capability == 1u << k)
			return capability_names[k];
	return "?";
}

static int build_plugin(parser *ps, sl_descriptor *d, const char *base)
{
	const field *f = ps->p;
	int64_t abi;

	if (ps->plugin_line == 0) {
		sl_diag_at(&ps->in, 0, "missing [plugin] section");
		return -1;
	}
	if (f[P_NAME].text == NULL)
		sl_diag_at(&ps->in, ps->plugin_line, "[plugin] has no name");
	else if (!name_chars(f[P_NAME].text, "_-"))
		sl_diag_at(&ps->in, f[P_NAME].line, "bad plugin name '%s': use letters, "
			"digits, '_' and '-'", f[P_NAME].text);
	else if (strcmp(f[P_NAME].text, base) != 0)
		sl_diag_at(&ps->in, f[P_NAME].line, "plugin name '%s' does not match the "
			"file name %s.plugin", f[P_NAME].text, base);
	if (f[P_KINDS].text == NULL)
		sl_diag_at(&ps->in, ps->plugin_line, "[plugin] has no kinds");
	else
		d->kinds = parse_kinds(ps, &f[P_KINDS]);
	if (f[P_LIBRARY].text == NULL)
		sl_diag_at(&ps->in, ps->plugin_line, "[plugin] has no library");
	else if (!name_chars(f[P_LIBRARY].text, "_-."))
		sl_diag_at(&ps->in, f[P_LIBRARY].line, "bad library '%s': give the module "
			"name, found beside the descriptor (no '/', no extension "
			"needed)", f[P_LIBRARY].text);
	if (f[P_ABI].text == NULL)
		sl_diag_at(&ps->in, ps->plugin_line, "[plugin] has no abi");
	else if (sl_parse_int(f[P_ABI].text, &abi) != 0 || abi < 1 || abi > 1000000)
		sl_diag_at(&ps->in, f[P_ABI].line, "abi: '%s' is not a version number",
			f[P_ABI].text);
	else
		d->abi = (int)abi;
	if (f[P_CAPABILITIES].text != NULL)
		d->capabilities = parse_capabilities(ps, &f[P_CAPABILITIES]);
	d->name = f[P_NAME].text ? strdup(f[P_NAME].text) : NULL;
	d->library = f[P_LIBRARY].text ? strdup(f[P_LIBRARY].text) : NULL;
	d->summary = strdup(f[P_SUMMARY].text ? f[P_SUMMARY].text : "");
	return 0;
}

/* min or max (@p i: 0 or 1) of a number option */
static void number_bound(parser *ps, const field *lim, int i, sl_opt_desc *o)
{
	double v;

	if (sl_parse_number(lim->text, &v) != 0) {
		sl_diag_at(&ps->in, lim->line, "%s: '%s' is not a number",
			option_keys[F_MIN + i], lim->text);
	} else if (i == 0) {
		o->has_min = 1;
		o->min_number = v;
	} else {
		o->has_max = 1;
		o->max_number = v;
	}
}

static void build_bounds(parser *ps, const raw_option *r, sl_opt_desc *o)
{
	const field *lim[2] = { &r->f[F_MIN], &r->f[F_MAX] };
	int64_t v[2];
	int i, ok;

	for (i = 0; i < 2; i++) {
		if (lim[i]->text == NULL)
			continue;
		if (o->type == SL_OPT_NUMBER) {
			number_bound(ps, lim[i], i, o);
			continue;
		}
		if (o->type != SL_OPT_INT && o->type != SL_OPT_DURATION &&
		    o->type != SL_OPT_SIZE) {
			sl_diag_at(&ps->in, lim[i]->line, "%s applies to int, number, "
				"duration and size options only",
				option_keys[F_MIN + i]);
			continue;
		}
		ok = o->type == SL_OPT_INT ? sl_parse_int(lim[i]->text, &v[i]) :
		     o->type == SL_OPT_SIZE ? sl_parse_size(lim[i]->text, &v[i]) :
		     sl_parse_duration_ms(lim[i]->text, &v[i]);
		if (ok != 0) {
			sl_diag_at(&ps->in, lim[i]->line, "%s: '%s' is not %s",
				option_keys[F_MIN + i], lim[i]->text,
				o->type == SL_OPT_INT ? "an integer" :
				o->type == SL_OPT_SIZE ? "a size" : "a duration");
			continue;
		}
		if (i == 0) {
			o->has_min = 1;
			o->min = v[0];
		} else {
			o->has_max = 1;
			o->max = v[1];
		}
	}
	if (o->has_min && o->has_max &&
	    (o->type == SL_OPT_NUMBER ? o->min_number > o->max_number :
	     o->min > o->max))
		sl_diag_at(&ps->in, r->f[F_MAX].line, "max is below min");
}

static void build_values(parser *ps, const raw_option *r, sl_opt_desc *o)
{
	const field *f = &r->f[F_VALUES];
	int empty;

	if (f->text == NULL) {
		if (o->type == SL_OPT_ENUM)
			sl_diag_at(&ps->in, r->line, "[option %s] is an enum without values: add "
				"values = a | b", r->name);
		return;
	}
	if (o->type != SL_OPT_ENUM) {
		sl_diag_at(&ps->in, f->line, "values applies to enum options only");
		return;
	}
	empty = split(f->text, '|', &o->values, &o->value_count);
	if (empty < 0)
		ps->oom = 1;
	else if (empty > 0)
		sl_diag_at(&ps->in, f->line, "values: empty item in '%s'", f->text);
}

static int option_name_ok(parser *ps, const raw_option *r, sl_opt_desc *o)
{
	size_t len = strlen(r->name);

	o->is_prefix = len > 2 && strcmp(r->name + len - 2, ".*") == 0;
	o->name = o->is_prefix ? strndup(r->name, len - 1) : strdup(r->name);
	if (o->name == NULL) {
		ps->oom = 1;
		return 0;
	}
	if (!name_chars(o->name, "._-") ||
	    (o->is_prefix && strchr(o->name, '*') != NULL)) {
		sl_diag_at(&ps->in, r->line, "bad option name '%s': use letters, digits, "
			"'.', '_' and '-', or end it in '.*' for a prefix", r->name);
		return 0;
	}
	/* keys the engine handles on every stage; a plugin may not redefine them */
	if (sl_engine_stage_option(o->name) != NULL) {
		sl_diag_at(&ps->in, r->line, "option '%s' is handled by the engine on "
			"every stage; remove it from the descriptor", o->name);
		return 0;
	}
	return 1;
}

static void build_option(parser *ps, const raw_option *r, sl_opt_desc *o,
			 unsigned plugin_kinds)
{
	const field *f = r->f;
	sl_opt_desc check;
	char why[512];
	size_t t;
	int b;

	if (!option_name_ok(ps, r, o))
		return;
	if (f[F_TYPE].text == NULL) {
		sl_diag_at(&ps->in, r->line, "[option %s] has no type", r->name);
	} else {
		for (t = 0; t < sizeof type_names / sizeof type_names[0]; t++)
			if (strcmp(f[F_TYPE].text, type_names[t]) == 0)
				break;
		if (t == sizeof type_names / sizeof type_names[0])
			sl_diag_at(&ps->in, f[F_TYPE].line, "unknown type '%s': expected string, "
				"int, number, bool, duration, enum, list, expr or size",
				f[F_TYPE].text);
		else
			o->type = (sl_opt_type)t;
	}
	o->kinds = plugin_kinds;
	if (f[F_KINDS].text != NULL) {
		o->kinds = parse_kinds(ps, &f[F_KINDS]);
		if (plugin_kinds != 0 && (o->kinds & ~plugin_kinds))
			sl_diag_at(&ps->in, f[F_KINDS].line, "option kinds '%s' are not all "
				"kinds of the plugin", f[F_KINDS].text);
	}
	if (f[F_REQUIRED].text != NULL) {
		if (sl_parse_bool(f[F_REQUIRED].text, &b) != 0)
			sl_diag_at(&ps->in, f[F_REQUIRED].line, "required: '%s' is not true or "
				"false", f[F_REQUIRED].text);
		else
			o->required = b;
	}
	build_values(ps, r, o);
	build_bounds(ps, r, o);
	o->summary = strdup(f[F_SUMMARY].text ? f[F_SUMMARY].text : "");
	if (f[F_DEFAULT].text != NULL) {
		o->def = strdup(f[F_DEFAULT].text);
		check = *o;
		check.required = 0;
		if (sl_opt_parse(&check, f[F_DEFAULT].text, &o->def_value, why,
				 sizeof why) != 0)
			sl_diag_at(&ps->in, f[F_DEFAULT].line, "default: %s", why);
	}
	if (o->summary == NULL || (f[F_DEFAULT].text && o->def == NULL))
		ps->oom = 1;
}

static sl_descriptor *build(parser *ps, const char *path, const char *subdir,
			    const char *base)
{
	sl_descriptor *d = calloc(1, sizeof *d);
	size_t i;

	if (d == NULL) {
		ps->oom = 1;
		return NULL;
	}
	d->path = strdup(path);
	d->subdir = strdup(subdir);
	if (build_plugin(ps, d, base) == 0 && ps->opt_count > 0) {
		d->options = calloc(ps->opt_count, sizeof *d->options);
		if (d->options == NULL)
			ps->oom = 1;
		else
			d->option_count = ps->opt_count;
		for (i = 0; i < d->option_count; i++)
			build_option(ps, &ps->opts[i], &d->options[i], d->kinds);
	}
	if (d->path == NULL || d->subdir == NULL || d->summary == NULL)
		ps->oom = 1;
	return d;
}

static void free_parser(parser *ps)
{
	size_t i, j;

	for (i = 0; i < P_COUNT; i++)
		free(ps->p[i].text);
	for (i = 0; i < ps->opt_count; i++) {
		for (j = 0; j < F_COUNT; j++)
			free(ps->opts[i].f[j].text);
		free(ps->opts[i].name);
	}
	free(ps->opts);
}

/* "dir/file.plugin" -> "file" */
static char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t len = strlen(base);

	if (len > 7 && strcmp(base + len - 7, ".plugin") == 0)
		len -= 7;
	return strndup(base, len);
}

sl_descriptor *sl_descriptor_load(const char *path, const char *subdir,
				  sl_diag *diag)
{
	static const sl_ini_handlers handlers = { on_section, on_key, on_more };
	sl_descriptor *d = NULL;
	parser ps;
	char *text, *base;
	size_t len;
	int err, n;

	if ((err = sl_read_file(path, &text, &len)) != 0) {
		sl_diag_add(diag, path, 0, "cannot read: %s", strerror(err));
		return NULL;
	}
	memset(&ps, 0, sizeof ps);
	ps.path = path;
	ps.in.diag = diag;
	ps.in.file = path;
	n = sl_ini_parse(path, text, len, &handlers, &ps, diag);
	free(text);
	if (n < 0)
		ps.oom = 1;
	else
		ps.in.added += (size_t)n;
	if ((base = base_name(path)) == NULL)
		ps.oom = 1;
	else if (!ps.oom)
		d = build(&ps, path, subdir ? subdir : "", base);
	free(base);
	free_parser(&ps);
	if (ps.oom)
		sl_diag_add(diag, path, 0, "out of memory");
	if (ps.oom || ps.in.added > 0) {
		sl_descriptor_free(d);
		return NULL;
	}
	return d;
}

void sl_descriptor_free(sl_descriptor *desc)
{
	size_t i;

	if (desc == NULL)
		return;
	for (i = 0; i < desc->option_count; i++) {
		sl_opt_desc *o = &desc->options[i];
		free(o->name);
		free(o->def);
		free(o->summary);
		free_strings(o->values, o->value_count);
	}
	free(desc->options);
	free(desc->name);
	free(desc->library);
	free(desc->summary);
	free(desc->path);
	free(desc->subdir);
	free(desc);
}

const sl_opt_desc *sl_descriptor_option(const sl_descriptor *desc,
					 unsigned kind, const char *key)
{
	const sl_opt_desc *best = NULL;
	size_t i, best_len = 0, len;

	for (i = 0; i < desc->option_count; i++) {
		const sl_opt_desc *o = &desc->options[i];

		if (!(o->kinds & kind))
			continue;
		if (!o->is_prefix) {
			if (strcmp(o->name, key) == 0)
				return o;
			continue;
		}
		/* the longest matching prefix wins; "kafka." alone is no key */
		len = strlen(o->name);
		if (strncmp(o->name, key, len) == 0 && key[len] != '\0' &&
		    len > best_len) {
			best = o;
			best_len = len;
		}
	}
	return best;
}
