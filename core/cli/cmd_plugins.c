/*
 * cmd_plugins.c - `sluice plugins [NAME]`: what is on the plugin path,
 * and the options of one plugin, read from the descriptors (no plugin
 * library is loaded).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/host.h>

#include "cli/cli.h"
#include "base/convert.h"
#include "base/suggest.h"
#include "job/job.h"

#define COLS 6

typedef struct table {
	char *(*cells)[COLS];
	size_t rows;
	size_t cols;
} table;

static char *dup_or_dash(const char *s)
{
	return strdup(s != NULL && *s != '\0' ? s : "-");
}

static int table_add(table *t, char *const *cells)
{
	char *(*grown)[COLS];
	size_t c;

	grown = realloc(t->cells, (t->rows + 1) * sizeof *grown);
	if (grown == NULL)
		return -1;
	t->cells = grown;
	for (c = 0; c < t->cols; c++)
		grown[t->rows][c] = cells[c];
	t->rows++;
	for (c = 0; c < t->cols; c++)
		if (cells[c] == NULL)
			return -1;
	return 0;
}

/* Print aligned columns; the last one is free text. */
static void table_print(const table *t, const char *indent)
{
	size_t width[COLS] = { 0 }, r, c, n;

	for (r = 0; r < t->rows; r++)
		for (c = 0; c + 1 < t->cols; c++)
			if ((n = strlen(t->cells[r][c])) > width[c])
				width[c] = n;
	for (r = 0; r < t->rows; r++) {
		fputs(indent, stdout);
		for (c = 0; c + 1 < t->cols; c++)
			printf("%-*s  ", (int)width[c], t->cells[r][c]);
		printf("%s\n", t->cells[r][t->cols - 1]);
	}
}

static void table_free(table *t)
{
	size_t r, c;

	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->cols; c++)
			free(t->cells[r][c]);
	free(t->cells);
}

/* A bound as written in a job: "10ms", "1h", "-5" (static buffer). */
static const char *bound_text(const sl_opt_desc *o, int64_t v)
{
	static char buf[32];

	if (o->type == SL_OPT_DURATION)
		return sl_format_duration_ms(v, buf, sizeof buf);
	if (o->type == SL_OPT_SIZE)
		return sl_format_size(v, buf, sizeof buf);
	snprintf(buf, sizeof buf, "%" PRId64, v);
	return buf;
}

/* The summary with the allowed values or bounds appended. */
static char *option_summary(const sl_opt_desc *o)
{
	char extra[1024] = "", *out;
	size_t i, len = 0, size;

	if (o->type == SL_OPT_ENUM) {
		for (i = 0; i < o->value_count && len < sizeof extra; i++) {
			snprintf(extra + len, sizeof extra - len, "%s%s%s",
				 i ? ", " : " (one of: ", o->values[i],
				 i + 1 == o->value_count ? ")" : "");
			len = strlen(extra);
		}
	} else if (o->has_min || o->has_max) {
		char lo[48] = "", hi[48] = "";

		if (o->has_min)
			snprintf(lo, sizeof lo, "min %s", bound_text(o, o->min));
		if (o->has_max)
			snprintf(hi, sizeof hi, "max %s", bound_text(o, o->max));
		snprintf(extra, sizeof extra, " (%s%s%s)", lo,
			 o->has_min && o->has_max ? ", " : "", hi);
	}
	size = strlen(o->summary) + strlen(extra) + 1;
	if ((out = malloc(size)) != NULL)
		snprintf(out, size, "%s%s", o->summary, extra);
	return out;
}

static const char *type_name(sl_opt_type t)
{
	static const char *const names[] = { "string", "int", "number", "bool",
		"duration", "enum", "list", "expr", "size" };
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static int add_option_row(table *t, const sl_opt_desc *o)
{
	char kinds[64], name[256];
	char *cells[COLS];

	snprintf(name, sizeof name, "%s%s", o->name, o->is_prefix ? "*" : "");
	cells[0] = strdup(name);
	cells[1] = strdup(type_name(o->type));
	cells[2] = dup_or_dash(o->def);
	cells[3] = strdup(o->required ? "yes" : "no");
	cells[4] = strdup(sl_kinds_text(o->kinds, kinds, sizeof kinds));
	cells[5] = option_summary(o);
	return table_add(t, cells);
}

static int print_options(const sl_opt_desc *opts, size_t count,
			 const char *title)
{
	static char *const head[COLS] = { "OPTION", "TYPE", "DEFAULT",
					  "REQUIRED", "KINDS", "SUMMARY" };
	table t = { NULL, 0, COLS };
	char *cells[COLS];
	size_t i;
	int rc = 0;

	printf("\n%s:\n", title);
	if (count == 0) {
		printf("  (none)\n");
		return 0;
	}
	for (i = 0; i < COLS; i++)
		cells[i] = strdup(head[i]);
	rc = table_add(&t, cells);
	for (i = 0; rc == 0 && i < count; i++)
		rc = add_option_row(&t, &opts[i]);
	if (rc == 0)
		table_print(&t, "  ");
	table_free(&t);
	return rc;
}

static int describe(const sl_registry *reg, const sl_descriptor *d)
{
	const sl_opt_desc *engine;
	char kinds[64], title[256], *lib;
	size_t n;

	lib = sl_registry_library(reg, d);
	printf("%s: %s\n", d->name, d->summary);
	printf("  kinds:      %s\n", sl_kinds_text(d->kinds, kinds, sizeof kinds));
	if (d->capabilities != 0) {
		unsigned cap;
		const char *sep = "";

		printf("  capabilities: ");
		for (cap = 1; cap != 0 && cap <= d->capabilities; cap <<= 1)
			if (d->capabilities & cap) {
				printf("%s%s", sep, sl_capability_name(cap));
				sep = ", ";
			}
		printf("\n");
	}
	printf("  library:    %s\n", lib ? lib : "(not found beside the descriptor)");
	printf("  abi:        %d%s\n", d->abi,
	       d->abi == SL_ABI_MAJOR ? "" : " (this sluice loads another ABI)");
	printf("  descriptor: %s\n", d->path);
	free(lib);
	/* a format's options are set on the stage that uses it (format_opts.h) */
	if (d->kinds == SL_KIND_FORMAT && d->option_count > 0)
		snprintf(title, sizeof title, "Options (set on the source or sink "
			 "as %s.OPTION, or key.%s.OPTION for the key format)",
			 d->name, d->name);
	else
		snprintf(title, sizeof title, "Options");
	if (print_options(d->options, d->option_count, title) != 0)
		return -1;
	engine = sl_engine_stage_options(&n);
	return print_options(engine, n, "Engine options (every stage)");
}

static const char *status_of(const sl_registry *reg, const sl_descriptor *d)
{
	char *lib;

	if (d->abi != SL_ABI_MAJOR)
		return " [built for another ABI]";
	if ((lib = sl_registry_library(reg, d)) == NULL)
		return " [library missing]";
	free(lib);
	return "";
}

static int list_plugins(const sl_registry *reg)
{
	table t = { NULL, 0, 3 };
	char kinds[64], *cells[COLS], *summary;
	const sl_descriptor *d;
	const char *status;
	size_t i, size;
	int rc = 0;

	printf("Plugin path:\n");
	for (i = 0; i < reg->root_count; i++)
		printf("  %s\n", reg->roots[i]);
	if (reg->plugin_count == 0) {
		printf("\nNo plugins found.\n");
		return 0;
	}
	printf("\nPlugins:\n");
	for (i = 0; rc == 0 && i < reg->plugin_count; i++) {
		d = reg->plugins[i];
		status = status_of(reg, d);
		size = strlen(d->summary) + strlen(status) + 1;
		if ((summary = malloc(size)) != NULL)
			snprintf(summary, size, "%s%s", d->summary, status);
		cells[0] = strdup(d->name);
		cells[1] = strdup(sl_kinds_text(d->kinds, kinds, sizeof kinds));
		cells[2] = summary;
		if ((rc = table_add(&t, cells)) != 0)
			break;
		/* the descriptor on a line of its own, under the summary */
		cells[0] = strdup("");
		cells[1] = strdup("");
		cells[2] = strdup(d->path);
		rc = table_add(&t, cells);
	}
	if (rc == 0)
		table_print(&t, "  ");
	table_free(&t);
	return rc;
}

static void print_warnings(const sl_diag *diag)
{
	size_t i;

	for (i = 0; i < diag->count; i++)
		fprintf(stderr, "warning: %s\n",
			diag->lines[i] ? diag->lines[i] : "out of memory");
	if (diag->more > 0)
		fprintf(stderr, "warning: and %zu more problems\n", diag->more);
}

/* Say that no plugin is named @p name, suggesting the closest one. */
static void no_such_plugin(const sl_registry *reg, const char *name)
{
	sl_suggest s;
	size_t i;

	sl_suggest_init(&s, name);
	for (i = 0; i < reg->plugin_count; i++)
		sl_suggest_consider(&s, reg->plugins[i]->name);
	if (sl_suggest_best(&s) != NULL)
		fprintf(stderr, "sluice plugins: no plugin '%s' on the plugin path; "
			"did you mean '%s'?\n", name, sl_suggest_best(&s));
	else
		fprintf(stderr, "sluice plugins: no plugin '%s' on the plugin path "
			"(run 'sluice plugins' to list them)\n", name);
}

int sl_cmd_plugins(int argc, char **argv)
{
	sl_diag diag = { 0 };
	sl_registry reg;
	char **roots = NULL;
	size_t count = 0, i;
	const sl_descriptor *d = NULL;
	int rc = 0;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		if (argv[1][0] == '-')
			fprintf(stderr, "sluice plugins: unknown option '%s'\n",
				argv[1]);
		else
			fprintf(stderr, "sluice plugins: one plugin at a time\n");
		sl_cli_command_usage(sl_cli_command_find("plugins"), stderr);
		return 2;
	}
	memset(&reg, 0, sizeof reg);
	if (sl_plugin_roots(NULL, NULL, &roots, &count) != 0 ||
	    sl_registry_load(&reg, roots, count, &diag) != 0) {
		fprintf(stderr, "sluice: out of memory\n");
		rc = 1;
	} else if (argc == 2 && (d = sl_registry_find(&reg, argv[1])) == NULL) {
		print_warnings(&diag);
		no_such_plugin(&reg, argv[1]);
		rc = 2;
	} else {
		print_warnings(&diag);
		if ((argc == 2 ? describe(&reg, d) : list_plugins(&reg)) != 0) {
			fprintf(stderr, "sluice: out of memory\n");
			rc = 1;
		}
	}
	for (i = 0; i < count; i++)
		free(roots[i]);
	free(roots);
	sl_registry_free(&reg);
	sl_diag_free(&diag);
	return rc;
}
