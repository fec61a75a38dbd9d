/*
 * align.h - event-time alignment: inputs that run ahead of the watermark
 * of the stages they feed are paused until it catches up (align.c).
 */
#ifndef SL_ALIGN_H
#define SL_ALIGN_H

#include "runtime/stage.h"

typedef struct sl_align sl_align;

/* After the stages are open: find the sources that can pause their
 * inputs and the stages on event time they feed.  SL_OK or SL_ERR. */
int sl_align_open(sl_engine *e, sl_error *err);

/* After a batch of source @p s, and (tick) for every source each tick:
 * pause the inputs running ahead, resume those caught up, at wall clock
 * @p now.  SL_OK or SL_ERR (a source failed to). */
int sl_align_source(sl_engine *e, const sl_stage *s, int64_t now,
		    sl_error *err);
int sl_align_tick(sl_engine *e, int64_t now, sl_error *err);

/* Input @p topic / @p partition of @p s is no longer read here. */
void sl_align_forget(sl_engine *e, const sl_stage *s, const char *topic,
		     int32_t partition);

/* Account for what is still paused and free. */
void sl_align_close(sl_engine *e);

#endif
