/*
 * validate.c - check a loaded job against the plugin descriptors and wire
 * its stages, reporting every problem at the line that causes it: the
 * [job] section here, each stage in check_stage.c (its names resolved in
 * bind.c), the wiring in wire.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/check.h"

void sl_check_problem(sl_check *c, const char *section, const sl_job_option *o,
		      const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	const char *hint = "";

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (o->continued)
		hint = " (an indented line continues the value above it; remove "
		       "the indentation to start a new key)";
	if (o->line > 0)
		sl_diag_at(&c->in, o->line, "%s%s", msg, hint);
	else /* a --set value has no line: name the argument instead */
		sl_diag_at(&c->in, 0, "--set %s.%s: %s%s", section, o->key, msg, hint);
}

/* ---- [job] ----------------------------------------------------------------- */

static void check_job_option(sl_check *c, const sl_job_option *o)
{
	const sl_opt_desc *keys;
	sl_suggest near;
	size_t n, i;
	char why[1024];

	if (sl_job_key_set(c->job, o->key, o->value, why, sizeof why) == 0)
		return;
	keys = sl_job_keys(&n);
	sl_suggest_init(&near, o->key);
	for (i = 0; i < n; i++) {
		if (strcmp(keys[i].name, o->key) == 0)
			break; /* known: its value is wrong */
		sl_suggest_consider(&near, keys[i].name);
	}
	if (i == n && sl_suggest_best(&near) != NULL)
		sl_check_problem(c, "job", o, "unknown key '%s' in [job]; did you "
				 "mean '%s'?", o->key, sl_suggest_best(&near));
	else
		sl_check_problem(c, "job", o, "%s", why);
}

static void check_job_section(sl_check *c)
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
	sl_check c = { job, reg, { diag, job->path, 0 }, 0, sl_diag_total(diag) };
	size_t i;

	reset(job);
	check_job_section(&c);
	for (i = 0; i < job->stage_count; i++)
		sl_check_stage(&c, &job->stages[i]);
	if (sl_check_wire(&c) != 0)
		sl_diag_at(&c.in, 0, "out of memory");
	return c.in.added;
}

