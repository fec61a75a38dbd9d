/*
 * format_use.h - a format plugin used by a stage for bytes it reads
 * itself, beside the formats at the job's edges (format_use.c).
 */
#ifndef SL_FORMAT_USE_H
#define SL_FORMAT_USE_H

#include <sluice/plugin.h>

/* The host table's format_use, format_decode and format_release
 * (sluice/format.h). */
sl_format_use *sl_format_use_open(sl_stage *stage, const char *name,
				  sl_error *err);
int sl_format_use_decode(sl_format_use *f, const uint8_t *data, size_t len,
			 sl_arena *arena, sl_value *out, sl_error *err);
void sl_format_use_release(sl_format_use *f);

#endif
