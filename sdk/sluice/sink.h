/*
 * sluice/sink.h - sink plugins: where records go.
 */
#ifndef SLUICE_SINK_H
#define SLUICE_SINK_H

#include <sluice/stage.h>
#include <sluice/source.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a sink plugin provides. */
typedef struct sl_sink_class {
	uint32_t struct_size; /**< sizeof(sl_sink_class) */

	/**
	 * Open an instance for @p stage.  SL_OK, or SL_ERR having freed what
	 * it allocated: close is not called when open fails.
	 */
	int (*open)(sl_stage *stage, void **self, sl_error *err);

	/**
	 * Take the records of @p batch.  key_raw and value_raw hold the bytes
	 * the stage's formats produced (key_raw.data is NULL for a record with
	 * no key).  `key` and `value` hold the decoded values as the last
	 * operator left them (as the source's formats decoded them when no
	 * operator changed them; `key` NULL for a record with no key): a sink
	 * into a system with fields of its own (a database's columns) reads
	 * them, and sl_expr_eval() on the record, instead of parsing the
	 * bytes again.  The batch's memory, values included, is released
	 * after the call: copy what is kept.
	 *
	 * SL_OK, or SL_ERR with @p err: a record the destination refuses for
	 * what it holds goes to sl_record_error() (its SL_SKIP: go on with
	 * the others); SL_ERR_RETRIABLE for a transient fault (a lost
	 * connection, a server restarting), the sink keeping everything not
	 * yet durable so that the same call, made again, succeeds; any other
	 * kind stops the job.
	 */
	int (*write)(void *self, const sl_batch *batch, sl_error *err);

	/**
	 * Return once everything written so far is durable (written and
	 * flushed, acknowledged by the broker, committed by the database),
	 * or fail.  The engine commits source positions only after every
	 * sink's flush succeeded.  SL_ERR_RETRIABLE as for write: nothing
	 * written is dropped, and the same call may be made again.
	 */
	int (*flush)(void *self, int timeout_ms, sl_error *err);

	/** Close the instance and free it.  May be NULL. */
	void (*close)(void *self);

	/*
	 * Exactly-once: a transactional sink provides all three.  The engine
	 * picks one transactional sink as the job's transaction owner; sinks
	 * of the same plugin must share its transaction (one producer per
	 * process, as Kafka Streams' exactly-once v2).
	 */

	/** Open the first transaction (called once, after open). */
	int (*txn_begin)(void *self, sl_error *err);

	/**
	 * Commit everything written since the last commit together with the
	 * sources' positions in @p txn, and begin the next transaction.
	 * Errors: SL_ERR_ABORTABLE (the engine aborts, rewinds sources to the
	 * last committed positions and goes on), SL_ERR_RESTART (the
	 * transaction was lost with the client that held it: the engine
	 * reopens the job from its last committed positions), SL_ERR_FATAL
	 * (a fenced producer: the job stops), anything else stops the job.
	 */
	int (*txn_commit)(void *self, const sl_txn *txn, sl_error *err);

	/** Abort the open transaction and begin the next one. */
	int (*txn_abort)(void *self, sl_error *err);

	/**
	 * Optional: write the original bytes of @p rec (key_raw, value_raw as
	 * the source read them) to @p topic with @p headers, which the engine
	 * fills to name the stage, the error and the record's origin.  Under
	 * exactly-once the record joins the open transaction.  The engine
	 * sends every stage's dead letters (errors = dead-letter) through the
	 * first sink of the job that provides this.
	 *
	 * A dead letter too large for @p topic (often the very reason its
	 * record failed) is not refused: the sink writes it truncated and
	 * says so in a header of its own, naming the original size, besides
	 * @p headers.  SL_ERR only when even that cannot be written (the
	 * topic does not exist, the broker refuses it): the engine then stops
	 * the job on the record (exit code 3), since a restart would read the
	 * same record again.
	 */
	int (*dead_letter)(void *self, const char *topic, const sl_record *rec,
			   const sl_header *headers, size_t header_count,
			   sl_error *err);

	/*
	 * No longer called: keyed state has its own plugin kind, the store
	 * (sluice/store.h).  The members stay so that the struct keeps its
	 * layout within ABI 1; leave them NULL.
	 */
	void (*unused_state_1)(void);
	void (*unused_state_2)(void);
	void (*unused_state_3)(void);

	/*
	 * A plugin with the capability `repartition` (its sink serving the
	 * role SL_ROLE_REPARTITION_SINK, sluice/stage.h) provides these two.
	 */

	/**
	 * Create the stage's storage (sl_stage_storage()) with @p partitions
	 * partitions when missing, keeping records until the job's source
	 * has read them (no time-based deletion); when it exists, check that
	 * it has that many partitions (a mismatch: SL_ERR_CONFIG saying what
	 * to change).
	 */
	int (*prepare_topic)(void *self, int32_t partitions, sl_error *err);

	/**
	 * Write @p data, control data of the engine's, to partition
	 * @p partition of the stage's storage, after the records written so
	 * far (under exactly-once in the open transaction).  The source
	 * reading it hands it back with sl_control_received(), never as a
	 * record.
	 */
	int (*write_control)(void *self, int32_t partition, const void *data,
			     size_t len, sl_error *err);

	/*
	 * Optional, both or neither: at-least-once without stopping the job
	 * to flush.  Each commit cycle the engine takes a mark of every sink
	 * and commits the sources' positions of that cycle once every sink
	 * says its mark is durable, while records keep flowing.  A sink
	 * without them is flushed (flush) every cycle.
	 */

	/** A mark after everything write() has taken so far. */
	uint64_t (*mark)(void *self);

	/**
	 * Whether everything written before @p mark is durable, without
	 * waiting: 1 when it is, 0 not yet, SL_ERR when some of it cannot be
	 * delivered (as flush would fail).
	 */
	int (*durable)(void *self, uint64_t mark, sl_error *err);

	/*
	 * Optional, both or neither, for the transaction owner: exactly-once
	 * without stopping the job while a transaction commits.  A sink
	 * without them commits in txn_commit, and the job waits.
	 */

	/**
	 * Start committing what was written since the last commit together
	 * with the positions in @p txn (copy what you keep) and return
	 * without waiting.  Everything the job writes from now on (records,
	 * dead letters, control data, keyed state changes) belongs to the
	 * next transaction.  SL_OK, or the errors of txn_commit.
	 */
	int (*txn_commit_start)(void *self, const sl_txn *txn, sl_error *err);

	/**
	 * Wait for the commit txn_commit_start started, if any: SL_OK once
	 * it committed and the next transaction is open, or the errors of
	 * txn_commit.  The engine calls it before the next commit, abort or
	 * flush.
	 */
	int (*txn_commit_finish)(void *self, sl_error *err);

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
	 * Optional, for a transaction owner that keeps the input's positions
	 * in its own system, committed with its writes (Kafka Connect's
	 * "offsets in the sink", Flink's two-phase-commit sinks): the next
	 * offset stored for @p topic / @p partition of source stage
	 * @p source, in *@p next_offset.  1 when one is stored, 0 when none
	 * is (the source then starts as its `start` says), SL_ERR with
	 * @p err.  Under exactly-once a source asks it (sl_stored_position())
	 * for every partition it is assigned, and starts there; the sources'
	 * own commits (a Kafka group's offsets) then follow the transaction
	 * only for monitoring.
	 */
	int (*txn_position)(void *self, const char *source, const char *topic,
			    int32_t partition, int64_t *next_offset,
			    sl_error *err);
} sl_sink_class;

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_SINK_H */
