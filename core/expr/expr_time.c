/*
 * expr_time.c - format_time(ms, format): a time in milliseconds since the
 * epoch as text, in UTC, with strftime-style conversions.
 *
 * We format ourselves instead of calling strftime(): its output depends
 * on the locale and the C library, and an unknown conversion there is
 * undefined; here the set is fixed and anything else is an error (at
 * compile time for a literal format):
 *
 *     %Y year (4 digits, more when needed, '-' before the year 0)
 *     %y the year's last 2 digits   %m month 01-12   %d day 01-31
 *     %H hour 00-23   %M minute 00-59   %S second 00-60
 *     %L milliseconds 000-999       %j day of the year 001-366
 *     %a Mon..Sun     %b Jan..Dec   %s seconds since the epoch
 *     %F = %Y-%m-%d   %T = %H:%M:%S %z +0000   %Z UTC   %% a '%'
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "expr/expr_internal.h"

static const char conversions[] = "YymdHMSLjabsFTzZ%";

int sl_xtime_check(const char *fmt, size_t len, char *msg, size_t msgsize)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (fmt[i] != '%')
			continue;
		if (i + 1 == len) {
			snprintf(msg, msgsize, "the format ends in a lone '%%'");
			return -1;
		}
		i++;
		if (fmt[i] == '\0' || strchr(conversions, fmt[i]) == NULL) {
			if ((unsigned char)fmt[i] < 0x20 ||
			    (unsigned char)fmt[i] >= 0x7F)
				snprintf(msg, msgsize, "unsupported conversion "
					 "'%%' then byte 0x%02x (supported: %%%s)",
					 (unsigned char)fmt[i], "Y %y %m %d %H %M "
					 "%S %L %j %a %b %s %F %T %z %Z %%");
			else
				snprintf(msg, msgsize, "unsupported conversion "
					 "'%%%c' (supported: %%%s)", fmt[i],
					 "Y %y %m %d %H %M %S %L %j %a %b %s "
					 "%F %T %z %Z %%");
			return -1;
		}
	}
	return 0;
}

/* The milliseconds of @p v, or -1 with the reason in @p why. */
static int to_ms(const sl_xnode *n, const sl_value *v, int64_t *ms,
		 sl_error *why)
{
	if (v->type == SL_TINT) {
		*ms = v->as.i;
		return 0;
	}
	if (v->type == SL_TDOUBLE) {
		double d = floor(v->as.d);

		/* 2^63 is exact as a double; anything from it up does not fit */
		if (!isfinite(d) || d < -9223372036854775808.0 ||
		    d >= 9223372036854775808.0)
			return sl_xfn_error(why, n->column, XFN_FORMAT_TIME,
					    "the time %g is out of range", v->as.d);
		*ms = (int64_t)d;
		return 0;
	}
	return sl_xfn_error(why, n->column, XFN_FORMAT_TIME,
			    "needs a number of milliseconds, got %s",
			    sl_type_name(v->type));
}

static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	"Fri", "Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Conversion @p c of @p tm into @p out (room for 64 bytes); its length. */
static int convert(char c, const struct tm *tm, int64_t secs, int millis,
		   char *out)
{
	long long year = (long long)tm->tm_year + 1900;

	switch (c) {
	case 'Y': return snprintf(out, 64, year < 0 ? "%05lld" : "%04lld", year);
	case 'y': return snprintf(out, 64, "%02lld", (year % 100 + 100) % 100);
	case 'm': return snprintf(out, 64, "%02d", tm->tm_mon + 1);
	case 'd': return snprintf(out, 64, "%02d", tm->tm_mday);
	case 'H': return snprintf(out, 64, "%02d", tm->tm_hour);
	case 'M': return snprintf(out, 64, "%02d", tm->tm_min);
	case 'S': return snprintf(out, 64, "%02d", tm->tm_sec);
	case 'L': return snprintf(out, 64, "%03d", millis);
	case 'j': return snprintf(out, 64, "%03d", tm->tm_yday + 1);
	case 'a': return snprintf(out, 64, "%s", days[tm->tm_wday % 7]);
	case 'b': return snprintf(out, 64, "%s", months[tm->tm_mon % 12]);
	case 's': return snprintf(out, 64, "%" PRId64, secs);
	case 'F':
		return snprintf(out, 64, year < 0 ? "%05lld-%02d-%02d" :
				"%04lld-%02d-%02d", year, tm->tm_mon + 1,
				tm->tm_mday);
	case 'T':
		return snprintf(out, 64, "%02d:%02d:%02d", tm->tm_hour,
				tm->tm_min, tm->tm_sec);
	case 'z': return snprintf(out, 64, "+0000");
	case 'Z': return snprintf(out, 64, "UTC");
	default: out[0] = '%'; return 1;
	}
}

int sl_xtime_format(const sl_xnode *n, const sl_value *ms,
		    const sl_value *fmt, sl_arena *arena, sl_value *out,
		    sl_error *why)
{
	sl_buf buf = { NULL, 0, 0, arena };
	char msg[160], piece[64];
	int64_t t = 0, secs;
	int millis;
	time_t tt;
	struct tm tm;
	uint32_t i, run;

	if (fmt->type != SL_TSTRING)
		return sl_xfn_error(why, n->column, XFN_FORMAT_TIME,
				    "the format must be a string, got %s",
				    sl_type_name(fmt->type));
	if (to_ms(n, ms, &t, why) != 0)
		return SL_ERR;
	if (sl_xtime_check(fmt->as.s, fmt->len, msg, sizeof msg) != 0)
		return sl_xfn_error(why, n->column, XFN_FORMAT_TIME, "%s", msg);
	secs = t / 1000;
	millis = (int)(t % 1000);
	if (millis < 0) {
		millis += 1000;
		secs--;
	}
	tt = (time_t)secs;
	if (gmtime_r(&tt, &tm) == NULL)
		return sl_xfn_error(why, n->column, XFN_FORMAT_TIME,
				    "the time %" PRId64 " is out of range", t);
	for (i = 0; i < fmt->len; i++) {
		for (run = i; run < fmt->len && fmt->as.s[run] != '%'; run++)
			;
		if (run > i && sl_buf_append(&buf, fmt->as.s + i, run - i) != 0)
			return sl_xfn_no_memory(why);
		if (run == fmt->len)
			break;
		/* sl_xtime_check saw a conversion after each '%' */
		i = run + 1;
		if (sl_buf_append(&buf, piece,
				  (size_t)convert(fmt->as.s[i], &tm, secs,
						  millis, piece)) != 0)
			return sl_xfn_no_memory(why);
	}
	*out = buf.len ? sl_value_string((const char *)buf.data, buf.len)
		       : sl_value_string("", 0);
	return SL_OK;
}
