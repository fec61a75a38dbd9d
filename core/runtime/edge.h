/*
 * edge.h - the formats at the edges of a job: a source's records decoded
 * as they come in, a sink's encoded as they go out, and the format
 * instances of a source or sink opened and closed.
 */
#ifndef SL_EDGE_H
#define SL_EDGE_H

#include "runtime/stage.h"

/* Decode @p b, read by source @p s; records the errors policy skips are
 * dropped.  SL_OK, or SL_ERR with @p err. */
int sl_edge_decode(sl_stage *s, sl_batch *b, sl_error *err);
/* Encode @p b for sink @p s, keeping bytes already in its encoding. */
int sl_edge_encode(sl_stage *s, sl_batch *b, sl_error *err);
/* Open @p s's value (@p key_side 0) or key format, descriptor @p d. */
int sl_edge_open_format(sl_engine *e, sl_stage *s, const sl_descriptor *d,
			int key_side, sl_error *err);
void sl_edge_close_format(const sl_format_class *fmt, void *self);

#endif
