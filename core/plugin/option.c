/*
 * option.c - an option value checked against its declaration and parsed
 * once (option.h): what descriptors, the engine's tables and validation
 * share.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/convert.h"
#include "plugin/option.h"

/* The index of @p value among @p opt's values, or -1. */
static int enum_index(const sl_opt_desc *opt, const char *value)
{
	size_t i, len;

	for (i = 0; i < opt->value_count; i++) {
		len = strlen(opt->values[i]);
		/* "timestamp:" needs a suffix, which the plugin checks */
		if (len > 0 && opt->values[i][len - 1] == ':') {
			if (strncmp(opt->values[i], value, len) == 0 &&
			    value[len] != '\0')
				return (int)i;
		} else if (strcmp(opt->values[i], value) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static int check_enum(const sl_opt_desc *opt, const char *value,
		      sl_opt_value *out, char *why, size_t why_size)
{
	size_t i, len, used = 0;
	int index = enum_index(opt, value);

	if (index >= 0) {
		out->i = index;
		return 0;
	}
	used = (size_t)snprintf(why, why_size, "'%s' is not one of:", value);
	for (i = 0; i < opt->value_count && used < why_size; i++) {
		len = strlen(opt->values[i]);
		used += (size_t)snprintf(why + used, why_size - used, "%s %s%s",
					 i ? "," : "", opt->values[i],
					 len && opt->values[i][len - 1] == ':' ? "..." : "");
	}
	return -1;
}

/* A bound as the user would write it: "10ms", "1h", "-5". */
static const char *bound_text(const sl_opt_desc *opt, int64_t v, char *buf,
			      size_t size)
{
	if (opt->type == SL_OPT_DURATION)
		return sl_format_duration_ms(v, buf, size);
	if (opt->type == SL_OPT_SIZE)
		return sl_format_size(v, buf, size);
	snprintf(buf, size, "%" PRId64, v);
	return buf;
}

static int check_bounds(const sl_opt_desc *opt, const char *value, int64_t v,
			char *why, size_t why_size)
{
	char bound[32];

	if (opt->has_min && v < opt->min) {
		snprintf(why, why_size, "'%s' is below the minimum %s", value,
			 bound_text(opt, opt->min, bound, sizeof bound));
		return -1;
	}
	if (opt->has_max && v > opt->max) {
		snprintf(why, why_size, "'%s' is above the maximum %s", value,
			 bound_text(opt, opt->max, bound, sizeof bound));
		return -1;
	}
	return 0;
}

static int check_number_bounds(const sl_opt_desc *opt, const char *value,
			       double v, char *why, size_t why_size)
{
	if (opt->has_min && v < opt->min_number) {
		snprintf(why, why_size, "'%s' is below the minimum %g", value,
			 opt->min_number);
		return -1;
	}
	if (opt->has_max && v > opt->max_number) {
		snprintf(why, why_size, "'%s' is above the maximum %g", value,
			 opt->max_number);
		return -1;
	}
	return 0;
}

static int check_list(const char *value, char *why, size_t why_size)
{
	const char *p = value, *end;

	for (;;) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end) {
			snprintf(why, why_size, "empty item in the list '%s'", value);
			return -1;
		}
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

/* The scaled types: int, duration, size. */
static int parse_scaled(const sl_opt_desc *opt, const char *value, int64_t *v,
			char *why, size_t why_size)
{
	if (opt->type == SL_OPT_INT && sl_parse_int(value, v) != 0) {
		snprintf(why, why_size, "'%s' is not an integer", value);
		return -1;
	}
	if (opt->type == SL_OPT_DURATION && sl_parse_duration_ms(value, v) != 0) {
		snprintf(why, why_size, "'%s' is not a duration (250ms, 60s, 5m, "
			 "1h, 2d; a bare number is ms)", value);
		return -1;
	}
	if (opt->type == SL_OPT_SIZE && sl_parse_size(value, v) != 0) {
		snprintf(why, why_size, "'%s' is not a size (64MB, 512KB, 1GB; "
			 "a bare number is bytes)", value);
		return -1;
	}
	return check_bounds(opt, value, *v, why, why_size);
}

int sl_opt_parse(const sl_opt_desc *opt, const char *value, sl_opt_value *out,
		 char *why, size_t why_size)
{
	sl_opt_value scratch;
	int b;

	if (out == NULL)
		out = &scratch;
	memset(out, 0, sizeof *out);
	if (*value == '\0') {
		if (opt->type == SL_OPT_STRING && !opt->required)
			return 0;
		snprintf(why, why_size, "the value is empty");
		return -1;
	}
	switch (opt->type) {
	case SL_OPT_STRING:
	case SL_OPT_EXPR:
		return 0;
	case SL_OPT_INT:
	case SL_OPT_DURATION:
	case SL_OPT_SIZE:
		return parse_scaled(opt, value, &out->i, why, why_size);
	case SL_OPT_NUMBER:
		if (sl_parse_number(value, &out->d) != 0) {
			snprintf(why, why_size, "'%s' is not a number", value);
			return -1;
		}
		return check_number_bounds(opt, value, out->d, why, why_size);
	case SL_OPT_BOOL:
		if (sl_parse_bool(value, &b) != 0) {
			snprintf(why, why_size, "'%s' is not a boolean (true/false, "
				 "yes/no, on/off, 1/0)", value);
			return -1;
		}
		out->i = b;
		return 0;
	case SL_OPT_ENUM:
		return check_enum(opt, value, out, why, why_size);
	case SL_OPT_LIST:
		return check_list(value, why, why_size);
	}
	snprintf(why, why_size, "unknown option type");
	return -1;
}

int sl_opt_check(const sl_opt_desc *opt, const char *value, char *why,
		 size_t why_size)
{
	return sl_opt_parse(opt, value, NULL, why, why_size);
}

void sl_opt_store(const sl_opt_desc *opt, const sl_opt_value *v,
		  const char *text, void *base)
{
	char *at = (char *)base + opt->field - 1;

	if (opt->field == 0)
		return;
	switch (opt->type) {
	case SL_OPT_STRING:
	case SL_OPT_LIST:
	case SL_OPT_EXPR:
		memcpy(at, &text, sizeof text);
		break;
	case SL_OPT_INT:
	case SL_OPT_DURATION:
	case SL_OPT_SIZE:
		memcpy(at, &v->i, sizeof v->i);
		break;
	case SL_OPT_NUMBER:
		memcpy(at, &v->d, sizeof v->d);
		break;
	case SL_OPT_BOOL:
	case SL_OPT_ENUM: {
		int small = (int)v->i;

		memcpy(at, &small, sizeof small);
		break;
	}
	}
}
