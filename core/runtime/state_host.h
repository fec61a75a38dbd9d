/*
 * state_host.h - the host's state_open: the keyed state stores a stage's
 * operator opens, owned by the stage (state_host.c).
 */
#ifndef SL_STATE_HOST_H
#define SL_STATE_HOST_H

#include "runtime/stage.h"
#include "state/state.h"

sl_state *sl_state_host_open(sl_stage *stage, const char *name, sl_error *err);
/* After the operator's close: free every store it opened. */
void sl_state_host_close_all(sl_stage *stage);

#endif
