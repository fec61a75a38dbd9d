/*
 * convert.c - option text to typed values.
 *
 * Strict on purpose: the whole text must be the value (no surrounding
 * blanks, no trailing junk), because a job file that says "10 s" or "1O"
 * is a typo the user wants to hear about, not a number we guessed.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/convert.h"

int sl_parse_int(const char *text, int64_t *out)
{
	const char *p = text;
	char *end;
	long long v;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1; /* also refuses the blanks strtoll would skip */
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (int64_t)v;
	return 0;
}

int sl_parse_number(const char *text, double *out)
{
	const char *p = text;
	char *end;
	double v;

	if (*p == '+' || *p == '-')
		p++;
	/* digits or ".5"; refuses blanks, "inf", "nan" and hex floats */
	if (!isdigit((unsigned char)*p) &&
	    !(*p == '.' && isdigit((unsigned char)p[1])))
		return -1;
	if (strpbrk(p, "xX") != NULL)
		return -1;
	errno = 0;
	v = strtod(text, &end);
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int sl_parse_bool(const char *text, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* A unit of a scaled number: "s" is 1000 ms, "MB" 1 << 20 bytes. */
typedef struct scale_unit {
	const char *unit;
	int64_t scale;
} scale_unit;

/*
 * Digits, then one of @p units (compared by @p same: durations' units
 * are case-sensitive, "10S" a typo; sizes' are not), into *@p out as
 * the number times the unit's scale.  No sign: a negative duration or
 * size is never meant.  0, or -1 when the text is not one, or overflows.
 */
static int parse_scaled(const char *text, const scale_unit *units,
			size_t count, int (*same)(const char *, const char *),
			int64_t *out)
{
	const char *p = text;
	int64_t n = 0;
	size_t i;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		int digit = *p - '0';
		if (n > (INT64_MAX - digit) / 10)
			return -1;
		n = n * 10 + digit;
	}
	for (i = 0; i < count; i++) {
		if (same(p, units[i].unit) != 0)
			continue;
		if (n > INT64_MAX / units[i].scale)
			return -1;
		*out = n * units[i].scale;
		return 0;
	}
	return -1;
}

int sl_parse_duration_ms(const char *text, int64_t *out)
{
	static const scale_unit units[] = {
		{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};

	return parse_scaled(text, units, sizeof units / sizeof units[0],
			    strcmp, out);
}

int sl_parse_size(const char *text, int64_t *out)
{
	static const scale_unit units[] = {
		{ "", 1 }, { "B", 1 },
		{ "KB", 1 << 10 }, { "KiB", 1 << 10 }, { "K", 1 << 10 },
		{ "MB", 1 << 20 }, { "MiB", 1 << 20 }, { "M", 1 << 20 },
		{ "GB", 1 << 30 }, { "GiB", 1 << 30 }, { "G", 1 << 30 },
	};

	return parse_scaled(text, units, sizeof units / sizeof units[0],
			    strcasecmp, out);
}

/* @p v in the first of @p units (largest first) that divides it, else
 * in @p base units, into @p buf. */
static const char *format_scaled(int64_t v, const scale_unit *units,
				 size_t count, const char *base, char *buf,
				 size_t size)
{
	size_t i;

	for (i = 0; v != 0 && i < count; i++) {
		if (v % units[i].scale == 0) {
			snprintf(buf, size, "%" PRId64 "%s", v / units[i].scale,
				 units[i].unit);
			return buf;
		}
	}
	snprintf(buf, size, "%" PRId64 "%s", v, base);
	return buf;
}

const char *sl_format_size(int64_t bytes, char *buf, size_t size)
{
	static const scale_unit units[] = {
		{ "GB", 1 << 30 }, { "MB", 1 << 20 }, { "KB", 1 << 10 },
	};

	return format_scaled(bytes, units, sizeof units / sizeof units[0], "B",
			     buf, size);
}

const char *sl_format_duration_ms(int64_t ms, char *buf, size_t size)
{
	static const scale_unit units[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 },
	};

	return format_scaled(ms, units, sizeof units / sizeof units[0], "ms",
			     buf, size);
}
