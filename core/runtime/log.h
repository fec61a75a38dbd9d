/*
 * log.h - the job's log on stderr: one line per message, "sluice: LEVEL:
 * STAGE: message", or with log.format = json one JSON object per line
 * (time, level, job, stage, message, and the topic, partition and offset
 * of a record it speaks of), and how a record's origin is named in it.
 */
#ifndef SL_LOG_H
#define SL_LOG_H

#include <stdarg.h>

#include "runtime/stage.h"

/* The job's log.level: messages above it are not written. */
void sl_log_set_level(int level);
int sl_log_is_enabled(int level);
/* log.format: @p json lines, naming job @p job. */
void sl_log_set_format(int json, const char *job);

/* Log for @p stage (NULL: the job). */
void sl_stage_log(const sl_stage *stage, int level, const char *fmt, ...)
	SL_PRINTF(3, 4);
void sl_stage_vlog(const sl_stage *stage, int level, const char *fmt,
		   va_list ap);
/* The same about a record from @p origin: in JSON, its topic, partition
 * and offset are fields of the line. */
void sl_stage_log_origin(const sl_stage *stage, int level,
			 const sl_origin *origin, const char *fmt, ...)
	SL_PRINTF(4, 5);

/* Describe an origin: "topic T partition P offset O", "PATH:LINE" or
 * "record #N". */
void sl_origin_format(const char *topic, int has_topic, int32_t partition,
		      int64_t offset, char *buf, size_t size);

#endif
