/*
 * sluice/operator.h - operator plugins: what happens to records.
 */
#ifndef SLUICE_OPERATOR_H
#define SLUICE_OPERATOR_H

#include <sluice/stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What an operator plugin provides. */
typedef struct sl_operator_class {
	uint32_t struct_size; /**< sizeof(sl_operator_class) */

	/**
	 * Open an instance for @p stage.  SL_OK, or SL_ERR having freed what
	 * it allocated: close is not called when open fails.
	 */
	int (*open)(sl_stage *stage, void **self, sl_error *err);

	/**
	 * Transform @p batch in place: rewrite records, drop them (compact the
	 * array, lower count), add them (sl_batch_push).  New memory comes
	 * from batch->arena.  Per-record failures go through
	 * sl_record_error().  SL_OK or SL_ERR; or SL_MORE: records may be
	 * due that it did not append (to bound the memory of one batch), and
	 * the engine calls tick, which the operator must then have, as soon
	 * as the batch has gone on (hosts where
	 * SL_HOST_HAS(state_timer_set_in) only).
	 */
	int (*process)(void *self, sl_batch *batch, sl_error *err);

	/**
	 * Optional.  Called about every 100 ms with the wall clock (ms since
	 * the epoch); may append records to @p out (a window firing on
	 * processing time or after an idle timeout).  SL_OK or SL_ERR; or
	 * SL_MORE, having appended part of what is due (to bound the memory
	 * of one batch): the engine passes @p out on and calls again at once.
	 * SL_MORE with nothing appended counts as SL_OK: the next call is the
	 * next tick.  Only hosts where SL_HOST_HAS(state_timer_set_in) take
	 * SL_MORE.
	 */
	int (*tick)(void *self, int64_t now_ms, sl_batch *out, sl_error *err);

	/**
	 * Optional.  Every input has ended (a bounded run): append to @p out
	 * everything still held (open windows fire).  SL_OK, SL_ERR, or
	 * SL_MORE as for tick: called again until it returns SL_OK or appends
	 * nothing, so SL_MORE must come with a part.
	 */
	int (*finish)(void *self, sl_batch *out, sl_error *err);

	/** Close the instance and free it.  May be NULL. */
	void (*close)(void *self);

	/**
	 * Optional, for operators on event time that called
	 * sl_watermark_open(): the event time of @p rec in ms, as process()
	 * will read it, in *@p ts; SL_OK, or SL_SKIP when it has none (then
	 * process() reports it).  The engine calls it where it cannot wait
	 * for process(): before a repartition topic, to tell the instances
	 * across it how far event time has come.
	 */
	int (*event_time)(void *self, const sl_record *rec, int64_t *ts);

	/**
	 * Optional: refuse what open would refuse, before anything opens.
	 * `sluice validate` calls it, and `run` before the job starts, with
	 * the stage's checked options (sl_option() and the typed getters),
	 * sl_stage_name(), sl_job_name() and sl_job_delivery() - no other
	 * host function - and it must not connect anywhere or keep anything.
	 * SL_OK, or SL_ERR with sl_config_error() naming the option at fault.
	 */
	int (*check)(const sl_stage *stage, sl_error *err);

	/**
	 * Optional: the stage's upstream sources now read @p inputs too
	 * (partitions as a source reports them with sl_inputs_assigned(),
	 * each with its topic's partition count).  Called before any record
	 * of them reaches process(), after the stage's keyed state of them is
	 * restored: an operator holding data per input partition (a join's
	 * table split like its stream) loads it here.  SL_OK, or SL_ERR to
	 * stop the job.
	 */
	int (*inputs_assigned)(void *self, const struct sl_input *inputs,
			       size_t count, sl_error *err);

	/**
	 * Optional: the stage's upstream sources no longer read @p inputs
	 * (no record of them comes to process() after this); what the
	 * operator held for them can go.
	 */
	void (*inputs_revoked)(void *self, const struct sl_input *inputs,
			       size_t count);
} sl_operator_class;

/**
 * The stage orders records by event time: the engine keeps a watermark
 * for each partition of its keyed state (sluice/state.h), the event time
 * up to which the inputs feeding that partition have delivered: the
 * partitions of that number of the sources upstream as they are
 * assigned, or across a repartition topic what the instances writing it
 * report.  An input that delivers nothing for @p idle_ms (0: never)
 * stops holding its partition back.  A partition that comes to this
 * instance starts its watermark anew, as its state is restored; windows
 * of one partition never wait for another.  Call it from open.  SL_OK or
 * SL_ERR.
 */
#define sl_watermark_open(stage, idle_ms, err) \
	(sl_host_api->watermark_open(stage, idle_ms, err))

/**
 * Record @p rec, whose event time is @p ts, arriving at wall clock
 * @p now (ms), and return the watermark of its partition after it.  Call
 * it for each record, in order, after deciding whether the record is
 * late.
 */
#define sl_watermark_observe(stage, rec, ts, now) \
	(sl_host_api->watermark_observe(stage, rec, ts, now))

/**
 * The watermark at wall clock @p now of the state partition that records
 * of input partition @p partition (sl_origin.partition, as in a record;
 * or a partition a timer fires in) belong to: INT64_MIN before any.
 */
#define sl_watermark(stage, partition, now) \
	(sl_host_api->watermark(stage, partition, now))

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_OPERATOR_H */
