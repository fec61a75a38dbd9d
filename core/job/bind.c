/*
 * bind.c - a stage's plugin and format names bound to descriptors, with
 * what is wrong when they cannot be (unknown, of another kind, built for
 * another ABI, no library).
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/check.h"
#include "job/format_opts.h"

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

/* "; did you mean 'json'?" when a plugin of kind @p want is named nearly
 * @p name, in @p buf; else "". */
static const char *suggestion(const sl_registry *reg, const char *name,
			      unsigned want, char *buf, size_t size)
{
	sl_suggest near;
	size_t i;

	sl_suggest_init(&near, name);
	for (i = 0; i < reg->plugin_count; i++)
		if (reg->plugins[i]->kinds & want)
			sl_suggest_consider(&near, reg->plugins[i]->name);
	if (sl_suggest_best(&near) == NULL)
		return "";
	snprintf(buf, size, "; did you mean '%s'?", sl_suggest_best(&near));
	return buf;
}

/*
 * The plugin @p name for stage @p st, given by option @p key (@p o, NULL
 * when @p name is the default), needed as @p want; NULL after reporting.
 */
const sl_descriptor *sl_check_resolve(sl_check *c, const sl_job_stage *st,
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
		sl_check_problem(c, st->name, o, "%sunknown %s '%s' (no %s.plugin in: "
				 "%s)%s", pre, what, name, name, text,
				 suggestion(c->reg, name, want, kinds, sizeof kinds));
		return NULL;
	}
	if (!(d->kinds & want)) {
		sl_kinds_text(d->kinds, kinds, sizeof kinds);
		if (want == SL_KIND_FORMAT)
			sl_check_problem(c, st->name, o, "%s'%s' is not a format plugin "
				    "(it provides: %s)", pre, name, kinds);
		else
			sl_check_problem(c, st->name, o, "plugin '%s' is not a%s %s (it "
				    "provides: %s)", name,
				    want == SL_KIND_OPERATOR ? "n" : "",
				    sl_kind_name(want), kinds);
		return NULL;
	}
	if (d->abi != SL_ABI_MAJOR) {
		sl_check_problem(c, st->name, o, "%s%s '%s' is built for plugin ABI %d, "
			    "but this sluice loads ABI %d (%s): rebuild it against "
			    "this sluice's SDK", pre, what, name, d->abi,
			    SL_ABI_MAJOR, d->path);
		return NULL;
	}
	if ((lib = sl_registry_library(c->reg, d)) == NULL) {
		roots_text(c->reg, d->subdir, text, sizeof text);
		sl_check_problem(c, st->name, o, "%s%s '%s': library not found (no %s.la "
			    "or %s.so in: %s)", pre, what, name, d->library,
			    d->library, text);
		return NULL;
	}
	free(lib);
	return d;
}
static void check_format_required(sl_check *c, const sl_job_stage *st,
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

void sl_check_formats(sl_check *c, sl_job_stage *st)
{
	const sl_job_option *o;

	st->format = st->key_format = NULL;
	if (!(st->kind & SOURCE_SINK))
		return;
	o = sl_job_stage_option(st, "format");
	st->format = sl_check_resolve(c, st, "format", o, st->settings.format,
			     SL_KIND_FORMAT);
	o = sl_job_stage_option(st, "key.format");
	st->key_format = sl_check_resolve(c, st, "key.format", o,
				 st->settings.key_format, SL_KIND_FORMAT);
	check_format_required(c, st, st->format, 0);
	check_format_required(c, st, st->key_format, 1);
}

