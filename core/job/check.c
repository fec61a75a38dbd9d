/*
 * check.c - how the parts of job validation report a problem with an
 * option (check.h): at its line, or naming the --set it came from.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "job/check.h"

void sl_check_problem(sl_check *c, const char *section, const sl_job_option *o,
		      const char *fmt, ...)
{
	const char *hint = "";
	char msg[2048];
	va_list ap;

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
