/*
 * format_opts.c - options of the formats of a source or sink (see
 * format_opts.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "job/format_opts.h"

static const char key_prefix[] = "key.";

size_t sl_format_prefix(const sl_descriptor *fmt, int key_side,
			const char *key)
{
	size_t side = key_side ? sizeof key_prefix - 1 : 0;
	size_t n;

	if (fmt == NULL || strncmp(key, key_prefix, side) != 0)
		return 0;
	n = strlen(fmt->name);
	if (strncmp(key + side, fmt->name, n) != 0 || key[side + n] != '.')
		return 0;
	return side + n + 1;
}

const sl_opt_desc *sl_format_option(const sl_descriptor *fmt, int key_side,
				    const char *key)
{
	size_t n = sl_format_prefix(fmt, key_side, key);

	return n ? sl_descriptor_option(fmt, SL_KIND_FORMAT, key + n) : NULL;
}

const char *sl_format_option_key(const sl_descriptor *fmt, int key_side,
				 const char *opt, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s.%s", key_side ? key_prefix : "", fmt->name,
		 opt);
	return buf;
}

int sl_format_options_set(const sl_job_stage *st, const sl_descriptor *fmt,
			  int key_side)
{
	size_t i;

	for (i = 0; i < st->option_count; i++)
		if (sl_format_option(fmt, key_side, st->options[i].key) != NULL)
			return 1;
	return 0;
}
