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

/* Records on their way into hop sink @p s: note their event times. */
int sl_hop_observe(sl_engine *e, sl_stage *s, const sl_batch *b, sl_error *err);

/* Commit cycle @p cycle, about to begin: each hop sink reports its
 * inputs' progress into every partition of its topic (under
 * at-least-once, once @p cycle is committed).  SL_OK or SL_ERR. */
int sl_hop_report(sl_engine *e, uint64_t cycle, sl_error *err);

/* At-least-once, after a commit cycle: each hop sink writes the newest
 * report whose cycle is at most @p committed, the newest committed
 * cycle.  SL_OK or SL_ERR. */
int sl_hop_report_committed(sl_engine *e, uint64_t committed, sl_error *err);

/* Records written by hop sink @p h: under exactly-once, the same report
 * between commits, so that the keyed stage's watermark follows the data
 * closely (a commit interval of fast input is a long stretch of event
 * time).  SL_OK or SL_ERR. */
int sl_hop_written(sl_engine *e, sl_stage *h, sl_error *err);

/* Free what hop sink @p h keeps of its reports. */
void sl_hop_free(sl_stage *h);

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
