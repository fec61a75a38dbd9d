/*
 * progress.h - the one-line status shown on stderr when it is a terminal.
 */
#ifndef SL_PROGRESS_H
#define SL_PROGRESS_H

#include "runtime/stage.h"

/* Redraw at most twice a second; @p final draws once more and ends the line. */
void sl_progress_update(const sl_engine *e, int final);

#endif
