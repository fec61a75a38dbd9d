/*
 * validate.c - check a loaded job against the plugin descriptors and wire
 * its stages, reporting every problem at the line that causes it.
 *
 * Wiring rule.  A stage without `from` reads from the nearest stage above
 * it in the file that produces records: a source or an operator, never a
 * sink.  So a source followed by two sinks fans out to both, which is what
 * a user who lists "where the records go" under a source expects, and a
 * sink placed between two operators does not cut the chain.  `from = a, b`
 * overrides the rule (fan-in).  Sources take no `from`.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/host.h>

#include "expr/expr.h"
#include "job/format_opts.h"
#include "job/job.h"
#include "base/job_limits.h"
#include "job/secret.h"

#define SOURCE_SINK (SL_KIND_SOURCE | SL_KIND_SINK)
#define STAGE_KINDS (SL_KIND_SOURCE | SL_KIND_SINK | SL_KIND_OPERATOR)

typedef struct ctx {
	sl_job *job;
	const sl_registry *reg;
	sl_diag_in in;          /* the job file's problems */
	size_t wiring_problems;
	size_t file_problems; /* found while reading the file, before us */
} ctx;

static void opt_problem(ctx *c, const char *section, const sl_job_option *o,
			const char *fmt, ...) SL_PRINTF(4, 5);

/* A problem with option @p o of @p section ("job" or a stage name). */
static void opt_problem(ctx *c, const char *section, const sl_job_option *o,
			const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	const char *hint = "";

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (strchr(o->value, '\n') != NULL)
		hint = " (an indented line continues the value above it; remove "
		       "the indentation to start a new key)";
	if (o->line > 0)
		sl_diag_at(&c->in, o->line, "%s%s", msg, hint);
	else /* a --set value has no line: name the argument instead */
		sl_diag_at(&c->in, 0, "--set %s.%s: %s%s", section, o->key, msg, hint);
}

/*
 * Edit distance of two short names (a swap of neighbours counts as one
 * edit, the commonest typo), for "did you mean"; large when too long.
 */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	unsigned char d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1u < best)
				best = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < best)
				best = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1u < best)
				best = d[i - 2][j - 2] + 1u;
			d[i][j] = (unsigned char)best;
		}
	}
	return d[la][lb];
}

static void consider(const char **best, size_t *best_d, const char *key,
		     const char *candidate)
{
	size_t d = distance(key, candidate);

	if (d < *best_d) {
		*best = candidate;
		*best_d = d;
	}
}

/* ---- [job] ----------------------------------------------------------------- */

static void check_job_option(ctx *c, const sl_job_option *o)
{
	char why[1024];

	if (sl_job_key_set(c->job, o->key, o->value, why, sizeof why) != 0)
		opt_problem(c, "job", o, "%s", why);
}

static void check_job_section(ctx *c)
{
	sl_job *job = c->job;
	size_t i;

	sl_job_set_defaults(job);
	for (i = 0; i < job->job_option_count; i++)
		check_job_option(c, &job->job_options[i]);
	/* a missing [job] was reported when the file was read */
	if (job->job_line != 0 && sl_job_option_find(job, "name") == NULL)
		sl_diag_at(&c->in, job->job_line, "[job] has no name: add name = NAME "
			"(letters, digits, '.', '_', '-'; used in group and "
			"transactional ids)");
}

/* ---- plugins --------------------------------------------------------------- */

static void roots_text(const sl_registry *reg, const char *subdir, char *buf,
		       size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < reg->root_count && len < size; i++) {
		snprintf(buf + len, size - len, "%s%s%s%s", i ? ", " : "",
			 reg->roots[i], *subdir ? "/" : "", subdir);
		len = strlen(buf);
	}
	if (reg->root_count == 0)
		snprintf(buf, size, "(no plugin directories)");
}

/*
 * The plugin @p name for stage @p st, given by option @p key (@p o, NULL
 * when @p name is the default), needed as @p want; NULL after reporting.
 */
static const sl_descriptor *resolve(ctx *c, const sl_job_stage *st,
				    const char *key, const sl_job_option *o,
				    const char *name, unsigned want)
{
	const sl_descriptor *d = sl_registry_find(c->reg, name);
	const char *what = want == SL_KIND_FORMAT ? "format" : "plugin";
	char text[2048], kinds[64], pre[160] = "";
	sl_job_option fallback = { .key = (char *)key, .value = (char *)name,
				  .line = st->line };
	char *lib;

	if (o == NULL) {
		/* reported at the section header, saying where the name came from */
		o = &fallback;
		snprintf(pre, sizeof pre, "%s defaults to '%s': ", key, name);
	}
	if (d == NULL) {
		roots_text(c->reg, "", text, sizeof text);
		opt_problem(c, st->name, o, "%sunknown %s '%s' (no %s.plugin in: %s)",
			    pre, what, name, name, text);
		return NULL;
	}
	if (!(d->kinds & want)) {
		sl_kinds_text(d->kinds, kinds, sizeof kinds);
		if (want == SL_KIND_FORMAT)
			opt_problem(c, st->name, o, "%s'%s' is not a format plugin "
				    "(it provides: %s)", pre, name, kinds);
		else
			opt_problem(c, st->name, o, "plugin '%s' is not a%s %s (it "
				    "provides: %s)", name,
				    want == SL_KIND_OPERATOR ? "n" : "",
				    sl_kind_name(want), kinds);
		return NULL;
	}
	if (d->abi != SL_ABI_MAJOR) {
		opt_problem(c, st->name, o, "%s%s '%s' is built for plugin ABI %d, "
			    "but this sluice loads ABI %d (%s): rebuild it against "
			    "this sluice's SDK", pre, what, name, d->abi,
			    SL_ABI_MAJOR, d->path);
		return NULL;
	}
	if ((lib = sl_registry_library(c->reg, d)) == NULL) {
		roots_text(c->reg, d->subdir, text, sizeof text);
		opt_problem(c, st->name, o, "%s%s '%s': library not found (no %s.la "
			    "or %s.so in: %s)", pre, what, name, d->library,
			    d->library, text);
		return NULL;
	}
	free(lib);
	return d;
}

static void list_options(const sl_job_stage *st, char *buf, size_t size)
{
	const sl_descriptor *d = st->plugin;
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < d->option_count && len < size; i++) {
		if (!(d->options[i].kinds & st->kind))
			continue;
		snprintf(buf + len, size - len, "%s%s%s", len ? ", " : "",
			 d->options[i].name, d->options[i].is_prefix ? "*" : "");
		len = strlen(buf);
	}
}

static void unknown_option(ctx *c, const sl_job_stage *st,
			   const sl_job_option *o)
{
	const sl_descriptor *d = st->plugin;
	const char *best = NULL;
	size_t best_d = 3, i, n;
	const sl_opt_desc *engine = sl_engine_stage_options(&n);

	char known[1024];

	for (i = 0; i < d->option_count; i++)
		if ((d->options[i].kinds & st->kind) && !d->options[i].is_prefix)
			consider(&best, &best_d, o->key, d->options[i].name);
	for (i = 0; i < n; i++)
		if (engine[i].kinds & st->kind)
			consider(&best, &best_d, o->key, engine[i].name);
	if (best != NULL && best_d <= (strlen(o->key) > 4 ? 2u : 1u)) {
		opt_problem(c, st->name, o, "unknown option '%s' for plugin '%s'; "
			    "did you mean '%s'?", o->key, d->name, best);
		return;
	}
	list_options(st, known, sizeof known);
	if (known[0] == '\0')
		opt_problem(c, st->name, o, "unknown option '%s': plugin '%s' takes "
			    "no options as a %s", o->key, d->name,
			    sl_kind_name(st->kind));
	else
		opt_problem(c, st->name, o, "unknown option '%s' for plugin '%s' "
			    "(its %s options: %s; see: sluice plugins %s)", o->key,
			    d->name, sl_kind_name(st->kind), known, d->name);
}

/* Expressions are parsed here too, so a typo is found before running. */
static void check_expr(ctx *c, const sl_job_stage *st, const sl_job_option *o)
{
	char msg[256];
	int column = 0;

	if (sl_expr_check(o->value, msg, sizeof msg, &column) != 0) {
		if (sl_key_is_secret(o->key)) /* the reason quotes the text */
			snprintf(msg, sizeof msg, "not an expression (the reason is "
				 "not shown: the key holds a secret)");
		opt_problem(c, st->name, o, "%s: column %d: %s", o->key, column, msg);
	}
}

/* sl_opt_parse() into o->parsed, with the value of a secret key hidden
 * in the reason. */
static int check_value(const sl_opt_desc *opt, sl_job_option *o,
		       char *why, size_t size)
{
	size_t room = strlen(o->value) + size;
	char *full;
	int rc;

	if (!sl_key_is_secret(o->key))
		return sl_opt_parse(opt, o->value, &o->parsed, why, size);
	/* the whole reason, so the value is not cut short before hiding it */
	if ((full = malloc(room)) == NULL) {
		char none[1];

		snprintf(why, size, "bad value (not shown: the key holds a secret)");
		return sl_opt_parse(opt, o->value, &o->parsed, none, sizeof none);
	}
	if ((rc = sl_opt_parse(opt, o->value, &o->parsed, full, room)) != 0) {
		sl_hide_value(full, room, o->value);
		snprintf(why, size, "%s", full);
	}
	free(full);
	return rc;
}

/*
 * The format of @p st, one that takes options, whose options @p key is
 * under ("csv.columns", "key.csv.columns"), or NULL; the length of that
 * prefix in *@p len.  Formats are resolved (and their problems reported)
 * after the options, so they are looked up by name here.
 */
static const sl_descriptor *format_of_key(ctx *c, const sl_job_stage *st,
					  const char *key, size_t *len)
{
	static const char *const format_keys[2] = { "format", "key.format" };
	const sl_job_option *o;
	const sl_descriptor *fmt;
	int side;

	if (!(st->kind & SOURCE_SINK))
		return NULL;
	for (side = 0; side < 2; side++) {
		o = sl_job_stage_option(st, format_keys[side]);
		fmt = sl_registry_find(c->reg, o ? o->value : "string");
		if (fmt != NULL && (fmt->kinds & SL_KIND_FORMAT) &&
		    fmt->option_count > 0 &&
		    (*len = sl_format_prefix(fmt, side, key)) > 0)
			return fmt;
	}
	return NULL;
}

static void unknown_format_option(ctx *c, const sl_job_stage *st,
				  const sl_job_option *o,
				  const sl_descriptor *fmt, const char *name)
{
	const char *best = NULL;
	size_t best_d = 3, i;

	for (i = 0; i < fmt->option_count; i++)
		if (!fmt->options[i].is_prefix)
			consider(&best, &best_d, name, fmt->options[i].name);
	if (best != NULL && best_d <= (strlen(name) > 4 ? 2u : 1u))
		opt_problem(c, st->name, o, "unknown option '%s' of format '%s'; "
			    "did you mean '%.*s%s'?", o->key, fmt->name,
			    (int)(name - o->key), o->key, best);
	else
		opt_problem(c, st->name, o, "unknown option '%s': format '%s' has "
			    "no option '%s' (see: sluice plugins %s)", o->key,
			    fmt->name, name, fmt->name);
}

static void check_stage_option(ctx *c, sl_job_stage *st, sl_job_option *o)
{
	const sl_opt_desc *opt = sl_engine_stage_option(o->key);
	const sl_descriptor *fmt;
	char why[1024];
	size_t len;

	if (opt != NULL && !(opt->kinds & st->kind)) {
		if (strcmp(o->key, "from") == 0)
			opt_problem(c, st->name, o, "a %s reads from no stage: "
				    "remove 'from'", sl_kind_name(st->kind));
		else if (st->kind == SL_KIND_STORE)
			opt_problem(c, st->name, o, "'%s' does not apply to a store, "
				    "which sees no records", o->key);
		else if (opt->kinds == SL_KIND_OPERATOR)
			opt_problem(c, st->name, o, "'%s' applies to operators only",
				    o->key);
		else
			opt_problem(c, st->name, o, "'%s' applies to sources and sinks "
				    "only; an operator sees decoded values", o->key);
		return;
	}
	if (opt == NULL) {
		if (st->plugin == NULL)
			return; /* nothing to check against */
		opt = sl_descriptor_option(st->plugin, st->kind, o->key);
		if (opt == NULL &&
		    (fmt = format_of_key(c, st, o->key, &len)) != NULL) {
			opt = sl_descriptor_option(fmt, SL_KIND_FORMAT, o->key + len);
			if (opt == NULL) {
				unknown_format_option(c, st, o, fmt, o->key + len);
				return;
			}
		}
		if (opt == NULL) {
			unknown_option(c, st, o);
			return;
		}
	}
	if (check_value(opt, o, why, sizeof why) != 0) {
		opt_problem(c, st->name, o, "%s: %s", o->key, why);
		return;
	}
	o->desc = opt;
	sl_opt_store(opt, &o->parsed, o->value, &st->settings);
	if (opt->type == SL_OPT_EXPR)
		check_expr(c, st, o);
}

static void check_required(ctx *c, const sl_job_stage *st)
{
	const sl_descriptor *d = st->plugin;
	const sl_opt_desc *o;
	size_t i;

	for (i = 0; i < d->option_count; i++) {
		o = &d->options[i];
		if (!o->required || o->is_prefix || !(o->kinds & st->kind) ||
		    sl_job_stage_option(st, o->name) != NULL)
			continue;
		sl_diag_at(&c->in, st->line, "[%s %s]: missing required option '%s' of "
			"plugin '%s'%s%s", sl_kind_name(st->kind), st->name, o->name,
			d->name, *o->summary ? ": " : "", o->summary);
	}
}

static void check_errors_policy(ctx *c, sl_job_stage *st)
{
	const sl_job_option *o = sl_job_stage_option(st, "errors");

	/* a bad value was reported with the other options */
	if (st->settings.errors == SL_ERRORS_DEAD_LETTER &&
	    st->settings.dead_letter_topic == NULL)
		opt_problem(c, st->name, o, "errors = dead-letter needs "
			    "dead-letter.topic = TOPIC in the same stage");
}

/* Required options of format @p fmt, the stage's key or value format. */
static void check_format_required(ctx *c, const sl_job_stage *st,
				  const sl_descriptor *fmt, int key_side)
{
	char key[512];
	size_t i;

	for (i = 0; fmt != NULL && i < fmt->option_count; i++) {
		const sl_opt_desc *o = &fmt->options[i];

		if (!o->required || o->is_prefix)
			continue;
		sl_format_option_key(fmt, key_side, o->name, key, sizeof key);
		if (sl_job_stage_option(st, key) == NULL)
			sl_diag_at(&c->in, st->line, "[%s %s]: missing required option '%s' "
				"of format '%s'%s%s", sl_kind_name(st->kind),
				st->name, key, fmt->name, *o->summary ? ": " : "",
				o->summary);
	}
}

static void check_formats(ctx *c, sl_job_stage *st)
{
	const sl_job_option *o;

	st->format = st->key_format = NULL;
	if (!(st->kind & SOURCE_SINK))
		return;
	o = sl_job_stage_option(st, "format");
	st->format = resolve(c, st, "format", o, st->settings.format,
			     SL_KIND_FORMAT);
	o = sl_job_stage_option(st, "key.format");
	st->key_format = resolve(c, st, "key.format", o,
				 st->settings.key_format, SL_KIND_FORMAT);
	check_format_required(c, st, st->format, 0);
	check_format_required(c, st, st->key_format, 1);
}

static void check_stage(ctx *c, sl_job_stage *st)
{
	const sl_job_option *plugin = sl_job_stage_option(st, "plugin");
	size_t i, before = c->in.added;

	st->plugin = NULL;
	sl_stage_settings_init(&st->settings);
	if (plugin == NULL)
		sl_diag_at(&c->in, st->line, "[%s %s] has no plugin: add plugin = NAME "
			"(see: sluice plugins)", sl_kind_name(st->kind), st->name);
	else if (*plugin->value != '\0')
		st->plugin = resolve(c, st, "plugin", plugin, plugin->value,
				     st->kind);
	for (i = 0; i < st->option_count; i++)
		check_stage_option(c, st, &st->options[i]);
	if (st->plugin != NULL)
		check_required(c, st);
	check_errors_policy(c, st);
	check_formats(c, st);
	st->problems = c->in.added - before;
}

/* ---- wiring ---------------------------------------------------------------- */

/*
 * Every check below takes time linear in the job (stages plus `from`
 * items), give or take a logarithm: a job at the stage limit validates
 * at once.
 */

/* Who reads from whom, both ways, and what the walks below need. */
typedef struct graph {
	size_t *start;    /* readers of stage i: reader[start[i] .. start[i+1]) */
	size_t *reader;
	size_t *listed;   /* wire_from: the stage + 1 whose list named it last */
} graph;

static size_t index_of(const sl_job *job, const sl_job_stage *st)
{
	return (size_t)(st - job->stages);
}

static void wiring_problem_from(ctx *c, const sl_job_stage *st,
				const sl_job_option *o, const char *name,
				size_t len, const char *why)
{
	opt_problem(c, st->name, o, "from: '%.*s' %s", (int)len, name, why);
	c->wiring_problems++;
}

/* The stages named by `from = a, b`; -1 when out of memory. */
static int wire_from(ctx *c, graph *g, sl_job_stage *st, const sl_job_option *o)
{
	const char *p = o->value, *end, *a, *b;
	size_t items = 1, self = index_of(c->job, st);
	sl_job_stage *in;

	for (a = p; (a = strchr(a, ',')) != NULL; a++)
		items++;
	if ((st->inputs = calloc(items, sizeof *st->inputs)) == NULL)
		return -1;
	for (;; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		for (a = p; a < end && isspace((unsigned char)*a); a++)
			;
		for (b = end; b > a && isspace((unsigned char)b[-1]); b--)
			;
		in = sl_job_stage_named(c->job, a, (size_t)(b - a));
		if (a == b)
			c->wiring_problems++; /* reported as an empty list item */
		else if (in == NULL)
			wiring_problem_from(c, st, o, a, (size_t)(b - a),
					    "names no stage in this job");
		else if (in->kind == SL_KIND_SINK || in->kind == SL_KIND_STORE)
			wiring_problem_from(c, st, o, a, (size_t)(b - a),
					    in->kind == SL_KIND_SINK ?
					    "is a sink; sinks produce no records "
					    "to read" : "is a store; it keeps state, "
					    "it produces no records");
		else if (g->listed[index_of(c->job, in)] == self + 1)
			wiring_problem_from(c, st, o, a, (size_t)(b - a),
					    "is listed twice");
		else {
			g->listed[index_of(c->job, in)] = self + 1;
			st->inputs[st->input_count++] = in;
		}
		if (*end == '\0')
			return 0;
	}
}

static int wire_stage(ctx *c, graph *g, size_t index)
{
	sl_job_stage *st = &c->job->stages[index];
	const sl_job_option *from = sl_job_stage_option(st, "from");

	if (st->kind == SL_KIND_SOURCE || st->kind == SL_KIND_STORE)
		return 0; /* a `from` there was reported with the options */
	if (from != NULL)
		return wire_from(c, g, st, from);
	/* the nearest stage above that produces records */
	for (; index-- > 0;)
		if (c->job->stages[index].kind & (SL_KIND_SOURCE | SL_KIND_OPERATOR))
			break;
	if (index == (size_t)-1) {
		sl_diag_at(&c->in, st->line, "%s '%s' has no input: there is no source or "
			"operator above it; move it below one or add from = NAME",
			sl_kind_name(st->kind), st->name);
		c->wiring_problems++;
		return 0;
	}
	if ((st->inputs = malloc(sizeof *st->inputs)) == NULL)
		return -1;
	st->inputs[st->input_count++] = &c->job->stages[index];
	return 0;
}

/* Fill g->start and g->reader from the stages' inputs; -1 when out of memory. */
static int find_readers(const sl_job *job, graph *g)
{
	size_t n = job->stage_count, i, k, edges = 0, *at;

	g->start = calloc(n + 1, sizeof *g->start);
	for (i = 0; i < n; i++)
		edges += job->stages[i].input_count;
	g->reader = calloc(edges ? edges : 1, sizeof *g->reader);
	at = calloc(n + 1, sizeof *at);
	if (g->start == NULL || g->reader == NULL || at == NULL) {
		free(at);
		return -1;
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < job->stages[i].input_count; k++)
			g->start[index_of(job, job->stages[i].inputs[k]) + 1]++;
	for (i = 0; i < n; i++)
		at[i + 1] = g->start[i + 1] += g->start[i];
	for (i = 0; i < n; i++)
		for (k = 0; k < job->stages[i].input_count; k++)
			g->reader[at[index_of(job, job->stages[i].inputs[k])]++] = i;
	free(at);
	return 0;
}

/* ---- cycles ---------------------------------------------------------- */

typedef struct walk {
	ctx *c;
	size_t *stack;        /* stage indices, following inputs upstream */
	size_t *next;         /* per stack entry: the next input to follow */
	size_t *reported_to;  /* per stack entry: reported stages up to it */
	size_t depth;
	unsigned char *color; /* 0 unseen, 1 on the stack, 2 done */
	size_t *at;           /* where a stage with color 1 is on the stack */
	unsigned char *reported;
} walk;

/* Report the cycle stack[from .. depth) once, in the direction data flows. */
static void report_cycle(walk *w, size_t from)
{
	sl_job *job = w->c->job;
	const sl_job_stage *at = NULL, *st;
	const sl_job_option *o;
	char text[2048];
	size_t i, k, n, start, len = 0;

	/* a stage of it is in a cycle reported already: once is enough */
	if (w->reported_to[w->depth - 1] > (from ? w->reported_to[from - 1] : 0))
		return;
	for (i = from; i < w->depth; i++) {
		st = &job->stages[w->stack[i]];
		w->reported[w->stack[i]] = 1;
		w->reported_to[i] = (from ? w->reported_to[from - 1] : 0) + i - from + 1;
		if (sl_job_stage_option(st, "from") != NULL && (at == NULL || st < at))
			at = st;
	}
	if (at == NULL)
		at = &job->stages[w->stack[from]];
	o = sl_job_stage_option(at, "from");
	w->c->wiring_problems++;
	if (w->depth - from == 1) {
		opt_problem(w->c, at->name, o, "stage '%s' reads from itself",
			    at->name);
		return;
	}
	/*
	 * The stack follows inputs upstream, so records flow from stack[i+1]
	 * to stack[i], and from stack[from] to the top.  Start at @p at.
	 */
	n = w->depth - from;
	for (start = from; w->stack[start] != index_of(job, at); start++)
		;
	text[0] = '\0';
	for (k = 0; k <= n && len < sizeof text; k++) {
		i = from + (start - from + n - k % n) % n;
		snprintf(text + len, sizeof text - len, "%s%s", k ? " -> " : "",
			 job->stages[w->stack[i]].name);
		len = strlen(text);
	}
	opt_problem(w->c, at->name, o, "the stages form a cycle: %s", text);
}

static void push(walk *w, size_t st)
{
	w->color[st] = 1;
	w->at[st] = w->depth;
	w->stack[w->depth] = st;
	w->next[w->depth] = 0;
	w->reported_to[w->depth] = w->depth ? w->reported_to[w->depth - 1] : 0;
	w->depth++;
}

/* Depth-first along inputs from @p root, without recursion. */
static void visit(walk *w, size_t root)
{
	const sl_job *job = w->c->job;

	push(w, root);
	while (w->depth > 0) {
		size_t top = w->depth - 1;
		const sl_job_stage *st = &job->stages[w->stack[top]];
		size_t in;

		if (w->next[top] == st->input_count) {
			w->color[w->stack[top]] = 2;
			w->depth--;
			continue;
		}
		in = index_of(job, st->inputs[w->next[top]++]);
		if (w->color[in] == 1)
			report_cycle(w, w->at[in]);
		else if (w->color[in] == 0)
			push(w, in);
	}
}

static int report_cycles(ctx *c, const unsigned char *placed)
{
	size_t n = c->job->stage_count, i;
	walk w = { c, NULL, NULL, NULL, 0, NULL, NULL, NULL };
	int rc = -1;

	w.stack = calloc(n, sizeof *w.stack);
	w.next = calloc(n, sizeof *w.next);
	w.reported_to = calloc(n, sizeof *w.reported_to);
	w.color = calloc(n, 1);
	w.at = calloc(n, sizeof *w.at);
	w.reported = calloc(n, 1);
	if (w.stack != NULL && w.next != NULL && w.reported_to != NULL &&
	    w.color != NULL && w.at != NULL && w.reported != NULL) {
		for (i = 0; i < n; i++)
			if (!placed[i] && w.color[i] == 0)
				visit(&w, i);
		rc = 0;
	}
	free(w.stack);
	free(w.next);
	free(w.reported_to);
	free(w.color);
	free(w.at);
	free(w.reported);
	return rc;
}

/* ---- order ------------------------------------------------------------ */

/* A min-heap of stage indices: the ready stage that comes first in the file. */
static void heap_push(size_t *heap, size_t *count, size_t v)
{
	size_t i = (*count)++;

	for (; i > 0 && heap[(i - 1) / 2] > v; i = (i - 1) / 2)
		heap[i] = heap[(i - 1) / 2];
	heap[i] = v;
}

static size_t heap_pop(size_t *heap, size_t *count)
{
	size_t top = heap[0], v = heap[--*count], i = 0, child;

	for (; (child = 2 * i + 1) < *count; i = child) {
		if (child + 1 < *count && heap[child + 1] < heap[child])
			child++;
		if (heap[child] >= v)
			break;
		heap[i] = heap[child];
	}
	heap[i] = v;
	return top;
}

/* Inputs before readers, file order among equals; cycles reported. */
static int order_stages(ctx *c, const graph *g)
{
	sl_job *job = c->job;
	size_t n = job->stage_count, placed_count = 0, ready = 0, i, k;
	unsigned char *placed = calloc(n ? n : 1, 1);
	size_t *waiting = calloc(n ? n : 1, sizeof *waiting);
	size_t *heap = calloc(n ? n : 1, sizeof *heap);
	int rc = 0;

	job->order = calloc(n ? n : 1, sizeof *job->order);
	if (placed == NULL || waiting == NULL || heap == NULL || job->order == NULL) {
		rc = -1;
		goto out;
	}
	job->order_count = n;
	for (i = 0; i < n; i++)
		if ((waiting[i] = job->stages[i].input_count) == 0)
			heap_push(heap, &ready, i);
	while (ready > 0) {
		i = heap_pop(heap, &ready);
		placed[i] = 1;
		job->order[placed_count++] = &job->stages[i];
		for (k = g->start[i]; k < g->start[i + 1]; k++)
			if (--waiting[g->reader[k]] == 0)
				heap_push(heap, &ready, g->reader[k]);
	}
	if (placed_count < n)
		rc = report_cycles(c, placed);
	for (i = 0; i < n; i++) /* keep every stage in order, even when stuck */
		if (!placed[i])
			job->order[placed_count++] = &job->stages[i];
out:
	free(placed);
	free(waiting);
	free(heap);
	return rc;
}

static void check_readers(ctx *c, const graph *g)
{
	sl_job *job = c->job;
	size_t i;

	for (i = 0; i < job->stage_count; i++) {
		const sl_job_stage *st = &job->stages[i];

		if ((st->kind & (SL_KIND_SOURCE | SL_KIND_OPERATOR)) &&
		    g->start[i] == g->start[i + 1])
			sl_diag_at(&c->in, st->line, "nothing reads from %s '%s': add a sink "
				"below it or name it in a from =",
				sl_kind_name(st->kind), st->name);
	}
}

/*
 * A batch goes to every reader of the stage that made it, so below a
 * fan-out followed by a fan-in a stage runs once per path that reaches
 * it: a ladder of 40 diamonds is 2^40 runs per batch.  Count the runs
 * (readers before writers, saturating) and refuse what passes the limit.
 */
static int check_runs(ctx *c, const graph *g)
{
	sl_job *job = c->job;
	size_t n = job->stage_count, i, k;
	uint64_t *runs = calloc(n + 1, sizeof *runs);

	if (runs == NULL)
		return -1;
	for (i = n; i-- > 0;) {
		size_t s = index_of(job, job->order[i]);

		for (k = g->start[s]; k < g->start[s + 1]; k++)
			runs[s] += 1 + runs[g->reader[k]];
		if (runs[s] > SL_JOB_MAX_RUNS)
			runs[s] = SL_JOB_MAX_RUNS + 1;
	}
	for (i = 0; i < n; i++)
		if (job->stages[i].kind == SL_KIND_SOURCE && runs[i] > SL_JOB_MAX_RUNS)
			sl_diag_at(&c->in, job->stages[i].line, "a batch of source '%s' would "
				"run more than %d stages, counting a stage once per "
				"path from the source (fan-out followed by fan-in "
				"runs it once per path); a job allows at most %d",
				job->stages[i].name, SL_JOB_MAX_RUNS, SL_JOB_MAX_RUNS);
	free(runs);
	return 0;
}

static const sl_job_stage *first_store(const sl_job *job)
{
	size_t i;

	for (i = 0; i < job->stage_count; i++)
		if (job->stages[i].kind == SL_KIND_STORE)
			return &job->stages[i];
	return NULL;
}

static int wire(ctx *c)
{
	sl_job *job = c->job;
	size_t i, sources = 0, sinks = 0, store = 0;
	graph g = { NULL, NULL, NULL };
	int rc = -1;

	if ((g.listed = calloc(job->stage_count + 1, sizeof *g.listed)) == NULL)
		return -1;
	for (i = 0; i < job->stage_count; i++) {
		sources += job->stages[i].kind == SL_KIND_SOURCE;
		sinks += job->stages[i].kind == SL_KIND_SINK;
		if (job->stages[i].kind == SL_KIND_STORE && store++ > 0)
			sl_diag_at(&c->in, job->stages[i].line, "a second [store]: the keyed "
				"state of a job is kept by one store (the first is "
				"'%s')", first_store(job)->name);
		if (wire_stage(c, &g, i) != 0)
			goto out;
	}
	if (find_readers(job, &g) != 0 || order_stages(c, &g) != 0)
		goto out;
	rc = 0;
	/*
	 * A section the reader refused is the likelier cause of a job without
	 * a sink or of a stage nobody reads, so these only speak for files
	 * that read cleanly; a stage left unread is most often a typo in a
	 * from, so that one waits until the wiring is otherwise right.
	 */
	if (c->file_problems > 0)
		goto out;
	if (sources == 0)
		sl_diag_at(&c->in, 0, "the job has no source: add a [source NAME] section");
	if (sinks == 0)
		sl_diag_at(&c->in, 0, "the job has no sink: add a [sink NAME] section");
	if (c->wiring_problems == 0) {
		check_readers(c, &g);
		rc = check_runs(c, &g);
	}
out:
	free(g.start);
	free(g.reader);
	free(g.listed);
	return rc;
}

static void reset(sl_job *job)
{
	size_t i;

	for (i = 0; i < job->stage_count; i++) {
		free(job->stages[i].inputs);
		job->stages[i].inputs = NULL;
		job->stages[i].input_count = 0;
	}
	free(job->order);
	job->order = NULL;
	job->order_count = 0;
}

size_t sl_job_validate(sl_job *job, const sl_registry *reg, sl_diag *diag)
{
	ctx c = { job, reg, { diag, job->path, 0 }, 0, sl_diag_total(diag) };
	size_t i;

	reset(job);
	check_job_section(&c);
	for (i = 0; i < job->stage_count; i++)
		check_stage(&c, &job->stages[i]);
	if (wire(&c) != 0)
		sl_diag_at(&c.in, 0, "out of memory");
	return c.in.added;
}
