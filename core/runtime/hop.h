/*
 * hop.h - the engine's side of a repartition hop (hop.c).
 */
#ifndef SL_HOP_H
#define SL_HOP_H

#include "runtime/stage.h"

/*
 * Once every stage but the hops' sources is open: size each hop's topic
 * and have its sink prepare it, and start tracking what each hop's sink
 * will report.  The hops' sources are opened after this.  SL_OK or
 * SL_ERR.
 */
int sl_hop_prepare(sl_engine *e, sl_error *err);

/* Records on their way into hop sink @p s: note their event times, and
 * give each its origin header. */
int sl_hop_observe(sl_engine *e, sl_stage *s, sl_batch *b, sl_error *err);

/* A commit cycle begins: each hop sink reports its inputs' progress
 * into every partition of its topic.  SL_OK or SL_ERR. */
int sl_hop_report(sl_engine *e, sl_error *err);

/* The id a record's origin header and a report line give upstream
 * source @p stage's topic @p topic (NULL: none). */
uint64_t sl_hop_origin_id(const char *stage, const char *topic);

/* A repartition source's batch @p b: each record's origin header taken
 * off, and the records an upstream partition's reports already spoke
 * for dropped (written again after a crash upstream).  SL_OK. */
int sl_hop_drop_replays(sl_engine *e, sl_stage *s, sl_batch *b);

/* Records written by hop sink @p h: the same report between commits, so that the keyed stage's watermark follows the data
 * closely (a commit interval of fast input is a long stretch of event
 * time).  SL_OK or SL_ERR. */
int sl_hop_written(sl_engine *e, sl_stage *h, sl_error *err);

/* A report read by hop source @p s from @p topic / @p partition. */
int sl_hop_received(sl_engine *e, sl_stage *s, const char *topic,
		    int32_t partition, const void *data, size_t len,
		    sl_error *err);

/*
 * Bounded runs: the hop sources whose writers here have all finished are
 * told their input ends (end_input).  SL_OK or SL_ERR.
 */
int sl_hop_end_inputs(sl_engine *e, sl_error *err);

#endif
