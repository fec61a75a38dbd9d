/*
 * log.c - see log.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/utf8.h"
#include "runtime/log.h"

static int log_level = SL_LOG_INFO;
static int log_json;
static char log_job[256];
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void sl_log_set_level(int level)
{
	log_level = level;
}

void sl_log_set_format(int json, const char *job)
{
	log_json = json;
	snprintf(log_job, sizeof log_job, "%s", job ? job : "");
}

int sl_log_is_enabled(int level)
{
	return level <= log_level;
}

/*
 * Append @p s as a JSON string at @p n of @p out (of @p size); returns
 * the new length.  Ill-formed UTF-8 becomes U+FFFD, so a message quoting
 * a record's bytes still makes a valid line; a string too long is cut at
 * a character's boundary and still closed.
 */
static size_t json_string(char *out, size_t n, size_t size, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t len = strlen(s), i = 0, room;

	if (n + 3 > size)
		return n;
	room = size - 2; /* the closing quote and the NUL */
	out[n++] = '"';
	while (i < len) {
		size_t ok = sl_utf8_valid_prefix(p + i, len - i), end = i + ok;

		while (i < end) {
			uint8_t c = p[i];
			size_t seq = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

			if (c == '"' || c == '\\') {
				if (n + 2 > room)
					goto full;
				out[n++] = '\\';
				out[n++] = (char)c;
			} else if (c < 0x20) {
				if (n + 6 > room)
					goto full;
				snprintf(out + n, 7, "\\u%04x", c);
				n += 6;
			} else {
				if (n + seq > room)
					goto full;
				memcpy(out + n, p + i, seq);
				n += seq;
				i += seq - 1;
			}
			i++;
		}
		if (i < len) { /* an ill-formed byte */
			if (n + 6 > room)
				goto full;
			memcpy(out + n, "\\ufffd", 6);
			n += 6;
			i++;
		}
	}
full:
	out[n++] = '"';
	out[n] = '\0';
	return n;
}

/* Append to @p line (of @p size) at *@p n, never past its end. */
static void add(char *line, size_t size, size_t *n, const char *fmt, ...)
	SL_PRINTF(4, 5);
static void add(char *line, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n + 1 >= size)
		return;
	va_start(ap, fmt);
	k = vsnprintf(line + *n, size - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = *n + (size_t)k < size ? *n + (size_t)k : size - 1;
}

/* {"time":...,"level":...,"job":...,"stage":...,"message":...,...}; the
 * message is cut short, never the line's closing brace. */
static void json_line(const sl_stage *stage, int level, const char *msg,
		      const sl_origin *origin)
{
	char line[16384], stamp[40];
	const size_t body = sizeof line - 400; /* room for the fields after */
	int64_t now = sl_now_wall_ms();
	time_t secs = (time_t)(now / 1000);
	struct tm tm;
	size_t n = 0;

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	add(line, body, &n, "{\"time\":\"%s.%03dZ\",\"level\":\"%s\",\"job\":",
	    stamp, (int)(now % 1000), level_names[level]);
	n = json_string(line, n, body, log_job);
	if (stage != NULL) {
		add(line, body, &n, ",\"stage\":");
		n = json_string(line, n, body, stage->def->name);
	}
	add(line, body, &n, ",\"message\":");
	n = json_string(line, n, body, msg);
	/* named as sl_origin_format names them: a partition's offset, a
	 * file's line, a generated record's number */
	if (origin != NULL && origin->topic != NULL && origin->partition >= 0) {
		add(line, sizeof line, &n, ",\"topic\":");
		n = json_string(line, n, sizeof line - 64, origin->topic);
		add(line, sizeof line, &n, ",\"partition\":%d,\"offset\":%lld",
		    (int)origin->partition, (long long)origin->offset);
	} else if (origin != NULL && origin->topic != NULL) {
		add(line, sizeof line, &n, ",\"file\":");
		n = json_string(line, n, sizeof line - 64, origin->topic);
		add(line, sizeof line, &n, ",\"line\":%lld",
		    (long long)origin->offset);
	} else if (origin != NULL) {
		add(line, sizeof line, &n, ",\"record\":%lld",
		    (long long)origin->offset);
	}
	add(line, sizeof line, &n, "}\n");
	fputs(line, stderr);
}

static void vlog(const sl_stage *stage, int level, const sl_origin *origin,
		 const char *fmt, va_list ap)
{
	char msg[2048];

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (level < 0 || level > SL_LOG_DEBUG)
		level = SL_LOG_INFO;
	/* one write per line, so lines from stages never interleave */
	if (log_json)
		json_line(stage, level, msg, origin);
	else if (stage != NULL)
		fprintf(stderr, "sluice: %s: %s: %s\n", level_names[level],
			stage->def->name, msg);
	else
		fprintf(stderr, "sluice: %s: %s\n", level_names[level], msg);
}

void sl_stage_vlog(const sl_stage *stage, int level, const char *fmt, va_list ap)
{
	vlog(stage, level, NULL, fmt, ap);
}

void sl_stage_log(const sl_stage *stage, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(stage, level, NULL, fmt, ap);
	va_end(ap);
}

void sl_stage_log_origin(const sl_stage *stage, int level,
			 const sl_origin *origin, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(stage, level, origin, fmt, ap);
	va_end(ap);
}

void sl_origin_format(const char *topic, int has_topic, int32_t partition,
		      int64_t offset, char *buf, size_t size)
{
	if (has_topic && partition >= 0)
		snprintf(buf, size, "topic %s partition %d offset %lld", topic,
			 (int)partition, (long long)offset);
	else if (has_topic)
		snprintf(buf, size, "%s:%lld", topic, (long long)offset);
	else
		snprintf(buf, size, "record #%lld", (long long)offset);
}
