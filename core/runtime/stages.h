/*
 * stages.h - the stages of a running job opened, wired and closed.
 */
#ifndef SL_STAGES_H
#define SL_STAGES_H

#include "runtime/stage.h"

/* Who reads from whom: each stage's outputs, from the job's inputs. */
int sl_stages_wire(sl_engine *e, sl_error *err);
/* Open every stage but the sources of repartition hops, or (@p hops)
 * only those; SL_OK or SL_ERR naming the stage. */
int sl_stages_open(sl_engine *e, int hops, sl_error *err);
/* The sink dead letters go through (the first whose plugin writes
 * them), into e->dlq_sink; SL_ERR when a stage needs one and none can. */
int sl_stages_find_dead_letter_sink(sl_engine *e, sl_error *err);
/* Close @p s's plugin instance and formats and free what it holds. */
void sl_stage_close(sl_stage *s);

#endif
