/*
 * check_stage.c - one stage of a job: every option against its plugin's,
 * its formats' and the engine's descriptors, parsed once into the stage
 * (typed settings, parsed values); required options; the errors policy.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/check.h"
#include "expr/expr.h"
#include "job/format_opts.h"
#include "job/secret.h"

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

static void unknown_option(sl_check *c, const sl_job_stage *st,
			   const sl_job_option *o)
{
	const sl_descriptor *d = st->plugin;
	size_t i, n;
	const sl_opt_desc *engine = sl_engine_stage_options(&n);
	sl_suggest near;
	char known[1024];

	sl_suggest_init(&near, o->key);
	for (i = 0; i < d->option_count; i++)
		if ((d->options[i].kinds & st->kind) && !d->options[i].is_prefix)
			sl_suggest_consider(&near, d->options[i].name);
	for (i = 0; i < n; i++)
		if (engine[i].kinds & st->kind)
			sl_suggest_consider(&near, engine[i].name);
	if (sl_suggest_best(&near) != NULL) {
		sl_check_problem(c, st->name, o, "unknown option '%s' for plugin '%s'; "
			    "did you mean '%s'?", o->key, d->name,
			    sl_suggest_best(&near));
		return;
	}
	list_options(st, known, sizeof known);
	if (known[0] == '\0')
		sl_check_problem(c, st->name, o, "unknown option '%s': plugin '%s' takes "
			    "no options as a %s", o->key, d->name,
			    sl_kind_name(st->kind));
	else
		sl_check_problem(c, st->name, o, "unknown option '%s' for plugin '%s' "
			    "(its %s options: %s; see: sluice plugins %s)", o->key,
			    d->name, sl_kind_name(st->kind), known, d->name);
}

/* Expressions are parsed here too, so a typo is found before running. */
static void check_expr(sl_check *c, const sl_job_stage *st, const sl_job_option *o)
{
	char msg[256];
	int column = 0;

	if (sl_expr_check(o->value, msg, sizeof msg, &column) != 0) {
		if (sl_job_option_is_secret(c->job, o)) /* the reason quotes it */
			snprintf(msg, sizeof msg, "not an expression (the reason is "
				 "not shown: the value holds a secret)");
		sl_check_problem(c, st->name, o, "%s: column %d: %s", o->key, column, msg);
	}
}

/* sl_opt_parse() into o->parsed, with a secret value (its key's, or
 * ${file:} content) hidden in the reason. */
static int check_value(const sl_job *job, const sl_opt_desc *opt,
		       sl_job_option *o, char *why, size_t size)
{
	size_t room = strlen(o->value) + size;
	char *full;
	int rc;

	if (!sl_job_option_is_secret(job, o))
		return sl_opt_parse(opt, o->value, &o->parsed, why, size);
	/* the whole reason, so the value is not cut short before hiding it */
	if ((full = malloc(room)) == NULL) {
		char none[1];

		snprintf(why, size, "bad value (not shown: it holds a secret)");
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
static const sl_descriptor *format_of_key(sl_check *c, const sl_job_stage *st,
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

static void unknown_format_option(sl_check *c, const sl_job_stage *st,
				  const sl_job_option *o,
				  const sl_descriptor *fmt, const char *name)
{
	sl_suggest near;
	size_t i;

	sl_suggest_init(&near, name);
	for (i = 0; i < fmt->option_count; i++)
		if (!fmt->options[i].is_prefix)
			sl_suggest_consider(&near, fmt->options[i].name);
	if (sl_suggest_best(&near) != NULL)
		sl_check_problem(c, st->name, o, "unknown option '%s' of format '%s'; "
			    "did you mean '%.*s%s'?", o->key, fmt->name,
			    (int)(name - o->key), o->key, sl_suggest_best(&near));
	else
		sl_check_problem(c, st->name, o, "unknown option '%s': format '%s' has "
			    "no option '%s' (see: sluice plugins %s)", o->key,
			    fmt->name, name, fmt->name);
}

static void check_stage_option(sl_check *c, sl_job_stage *st, sl_job_option *o)
{
	const sl_opt_desc *opt = sl_engine_stage_option(o->key);
	const sl_descriptor *fmt;
	char why[1024];
	size_t len;

	if (opt != NULL && !(opt->kinds & st->kind)) {
		if (strcmp(o->key, "from") == 0)
			sl_check_problem(c, st->name, o, "a %s reads from no stage: "
				    "remove 'from'", sl_kind_name(st->kind));
		else if (st->kind == SL_KIND_STORE)
			sl_check_problem(c, st->name, o, "'%s' does not apply to a store, "
				    "which sees no records", o->key);
		else if (opt->kinds == SL_KIND_OPERATOR)
			sl_check_problem(c, st->name, o, "'%s' applies to operators only",
				    o->key);
		else
			sl_check_problem(c, st->name, o, "'%s' applies to sources and sinks "
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
	if (check_value(c->job, opt, o, why, sizeof why) != 0) {
		sl_check_problem(c, st->name, o, "%s: %s", o->key, why);
		return;
	}
	o->desc = opt;
	sl_opt_store(opt, &o->parsed, o->value, &st->settings);
	if (opt->type == SL_OPT_EXPR)
		check_expr(c, st, o);
}

static void check_required(sl_check *c, const sl_job_stage *st)
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

static void check_errors_policy(sl_check *c, sl_job_stage *st)
{
	const sl_job_option *o = sl_job_stage_option(st, "errors");

	/* a bad value was reported with the other options */
	if (st->settings.errors == SL_ERRORS_DEAD_LETTER &&
	    st->settings.dead_letter_topic == NULL)
		sl_check_problem(c, st->name, o, "errors = dead-letter needs "
			    "dead-letter.topic = TOPIC in the same stage");
}

/* Required options of format @p fmt, the stage's key or value format. */void sl_check_stage(sl_check *c, sl_job_stage *st)
{
	const sl_job_option *plugin = sl_job_stage_option(st, "plugin");
	size_t i, before = c->in.added;

	st->plugin = NULL;
	sl_stage_settings_init(&st->settings);
	if (plugin == NULL)
		sl_diag_at(&c->in, st->line, "[%s %s] has no plugin: add plugin = NAME "
			"(see: sluice plugins)", sl_kind_name(st->kind), st->name);
	else if (*plugin->value != '\0')
		st->plugin = sl_check_resolve(c, st, "plugin", plugin, plugin->value,
				     st->kind);
	for (i = 0; i < st->option_count; i++)
		check_stage_option(c, st, &st->options[i]);
	if (st->plugin != NULL)
		check_required(c, st);
	check_errors_policy(c, st);
	sl_check_formats(c, st);
	st->problems = c->in.added - before;
}

