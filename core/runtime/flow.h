/*
 * flow.h - a batch moving down the graph: from the stage that made it to
 * every stage that reads from it, operators then sinks, in the batch's
 * arena.
 */
#ifndef SL_FLOW_H
#define SL_FLOW_H

#include "runtime/stage.h"

/* An empty batch in the engine's arena with room for @p capacity
 * records; 0, or -1 when out of memory. */
int sl_flow_batch_init(sl_engine *e, sl_batch *b, uint32_t capacity);
/* The batch has reached every sink: give its memory back. */
void sl_flow_release(sl_engine *e);
/*
 * Hand @p b, made by @p from, to every stage below it.  SL_OK, or SL_ERR
 * with @p err: the first record failure (the records before it still go
 * on), or a runtime failure (at once).
 */
int sl_flow_deliver(sl_engine *e, sl_stage *from, sl_batch *b, sl_error *err);

#endif
