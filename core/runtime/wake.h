/*
 * wake.h - the run loop waits for any of its sources at once (wake.c).
 */
#ifndef SL_WAKE_H
#define SL_WAKE_H

#include "runtime/stage.h"

/* The engine's wake pipe.  SL_OK or SL_ERR. */
int sl_wake_open(sl_engine *e, sl_error *err);
/* After every stage has closed: no source can wake it any more. */
void sl_wake_close(sl_engine *e);

/* Whether every source still running calls sl_wake() when it has
 * something to hand out, so that none need wait inside its poll. */
int sl_wake_every_source(const sl_engine *e);

/* Wait at most @p timeout_ms for a source's wake; what woke it is
 * consumed.  A wake that came since the last wait returns at once. */
void sl_wake_wait(sl_engine *e, int timeout_ms);

/* The host's wake: safe from any thread. */
void sl_engine_wake(sl_stage *s);

#endif
