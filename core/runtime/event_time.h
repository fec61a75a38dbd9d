/*
 * event_time.h - the host's watermark functions (event_time.c), and
 * freeing a stage's watermark.
 */
#ifndef SL_EVENT_TIME_H
#define SL_EVENT_TIME_H

#include "runtime/stage.h"

int sl_engine_watermark_open(sl_stage *s, int64_t idle_ms, sl_error *err);
int64_t sl_engine_watermark_observe(sl_stage *s, const sl_record *rec,
				    int64_t ts, int64_t now);
int64_t sl_engine_watermark(sl_stage *s, int32_t partition, int64_t now);
void sl_engine_watermark_close(sl_stage *s);

#endif
