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
 */static size_t distance(const char *a, const char *b)
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

void sl_check_consider(const char **best, size_t *best_d, const char *key,
		     const char *candidate)
{
	size_t d = distance(key, candidate);

	if (d < *best_d) {
		*best = candidate;
		*best_d = d;
	}
}
int sl_check_is_typo(const char *word, size_t d)
{
	return d <= (strlen(word) > 4 ? 2u : 1u);
}

/* ---- [job] ----------------------------------------------------------------- */

static void check_job_option(sl_check *c, const sl_job_option *o)
{
	const sl_opt_desc *keys;
	const char *best = NULL;
	size_t n, i, best_d = 3;
	char why[1024];

	if (sl_job_key_set(c->job, o->key, o->value, why, sizeof why) == 0)
		return;
	keys = sl_job_keys(&n);
	for (i = 0; i < n; i++) {
		if (strcmp(keys[i].name, o->key) == 0)
			break; /* known: its value is wrong */
		sl_check_consider(&best, &best_d, o->key, keys[i].name);
	}
	if (i == n && best != NULL && sl_check_is_typo(o->key, best_d))
		sl_check_problem(c, "job", o, "unknown key '%s' in [job]; did you "
				 "mean '%s'?", o->key, best);
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

