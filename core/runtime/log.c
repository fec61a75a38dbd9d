/*
 * log.c - see log.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "runtime/log.h"

static int log_level = SL_LOG_INFO;
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void sl_log_set_level(int level)
{
	log_level = level;
}

int sl_log_is_enabled(int level)
{
	return level <= log_level;
}

void sl_stage_vlog(const sl_stage *stage, int level, const char *fmt, va_list ap)
{
	char msg[2048];

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (level < 0 || level > SL_LOG_DEBUG)
		level = SL_LOG_INFO;
	/* one write per line, so lines from stages never interleave */
	if (stage != NULL)
		fprintf(stderr, "sluice: %s: %s: %s\n", level_names[level],
			stage->def->name, msg);
	else
		fprintf(stderr, "sluice: %s: %s\n", level_names[level], msg);
}

void sl_stage_log(const sl_stage *stage, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_stage_vlog(stage, level, fmt, ap);
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
