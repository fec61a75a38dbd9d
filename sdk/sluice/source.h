/*
 * sluice/source.h - source plugins: where records come from.
 */
#ifndef SLUICE_SOURCE_H
#define SLUICE_SOURCE_H

#include <sluice/stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A position reached in one partition of a source. */
typedef struct sl_position {
	const char *topic;   /**< as in sl_origin.topic */
	int32_t partition;
	int64_t next_offset; /**< offset of the next record to read */
} sl_position;

/** A partition a source reads: what sl_inputs_assigned() reports. */
typedef struct sl_input {
	const char *topic;
	int32_t partition;
	int32_t partitions;   /**< how many partitions @p topic has */
} sl_input;

/** What a source plugin provides. */
typedef struct sl_source_class {
	uint32_t struct_size; /**< sizeof(sl_source_class) */

	/**
	 * Open an instance for @p stage (read its options now) and return it
	 * in @p self.  SL_OK, or SL_ERR having freed what it allocated: close
	 * is not called when open fails.
	 */
	int (*open)(sl_stage *stage, void **self, sl_error *err);

	/**
	 * Append up to @p max records to @p batch, waiting at most
	 * @p timeout_ms for the first one.  Fill key_raw/value_raw (the engine
	 * decodes them with the stage's formats), timestamp, headers and
	 * origin.  Returns SL_OK (with zero or more records), SL_EOF when the
	 * source is exhausted (records appended in the same call still count)
	 * or SL_ERR.  After SL_EOF the engine goes on calling it with
	 * @p max 0 while other sources of the job run, so that a client can
	 * be served (a consumer group member's rebalances); such calls
	 * append nothing.
	 */
	int (*poll)(void *self, sl_batch *batch, uint32_t max, int timeout_ms,
		    sl_error *err);

	/**
	 * Make @p positions durable: every record before them has been
	 * processed and acknowledged by every sink.  Called from the commit
	 * cycle (every `commit.interval.ms` and at the end).  May be NULL for
	 * sources with nothing to commit.
	 */
	int (*commit)(void *self, const sl_position *positions, size_t count,
		      sl_error *err);

	/** Close the instance and free it.  May be NULL. */
	void (*close)(void *self);

	/* Exactly-once (delivery = exactly-once); both optional. */

	/**
	 * An opaque handle that a transactional sink commits positions with
	 * (Kafka: the consumer's group metadata, for KIP-447
	 * send_offsets_to_transaction).  NULL: positions are not committed
	 * through the transaction.
	 */
	void *(*txn_group)(void *self);

	/**
	 * Move back to @p positions, the last committed ones, after the
	 * engine aborted a transaction: what was read since is read again.
	 */
	int (*rewind)(void *self, const sl_position *positions, size_t count,
		      sl_error *err);

	/**
	 * Optional.  How many partitions the input has (the most among its
	 * topics): keyed state is partitioned like the input, so each
	 * stateful stage's table in the store gets this many partitions.  A
	 * source that provides it reports its partitions with
	 * sl_partitions_assigned() / sl_partitions_revoked(); state of the
	 * other sources' records lives in partition 0.  -1 when it cannot
	 * tell (log why): the job stops.
	 */
	int32_t (*partition_count)(void *self);

	/**
	 * Optional.  Bounded runs of an input that other stages write (a
	 * repartition topic): its writers have finished.  Read to the
	 * input's current end, then return SL_EOF from poll (a partitioned
	 * source: once every partition, whoever reads it, is committed up
	 * to that end).
	 */
	int (*end_input)(void *self, sl_error *err);

	/*
	 * Optional, both or neither: event-time alignment.  The engine stops
	 * reading inputs whose event time runs further ahead of the
	 * watermark than the stage's max.event.time.skew, so that open
	 * windows are bounded by the data's disorder rather than by how fast
	 * each input is fetched (as Kafka Streams reads a task's partitions
	 * in timestamp order), and resumes them when the watermark catches
	 * up.  Records of @p inputs already fetched may still come.  Keep
	 * what was fetched for a held input if you can (the Kafka source
	 * leaves its partition queue unread): a held input is let go again
	 * within a few batches on dense data.
	 */

	/** Stop handing out records of @p inputs until resume_inputs.
	 *  SL_OK or SL_ERR. */
	int (*pause_inputs)(void *self, const sl_input *inputs, size_t count,
			    sl_error *err);

	/** Hand out records of @p inputs again.  SL_OK or SL_ERR. */
	int (*resume_inputs)(void *self, const sl_input *inputs, size_t count,
			     sl_error *err);

	/**
	 * Optional (exactly-once).  A transaction carrying @p positions, the
	 * ones this source reported, has committed: they are its committed
	 * positions now (the commit callback is not called for a source
	 * whose positions go through the transaction).
	 */
	void (*txn_committed)(void *self, const sl_position *positions,
			      size_t count);

	/**
	 * Optional: 1 when the source calls sl_partition_end() each time it
	 * has handed out everything an input (a partition it reported with
	 * sl_inputs_assigned()) holds for now.  An input of such a source is
	 * idle for event time only once it has stayed at its end for the
	 * stage's idle.timeout: an input with records left to read (held
	 * back, slow to fetch, its server unreachable) holds the watermark
	 * however long it delivers nothing, as Kafka Streams waits for a
	 * partition with lag.  0 (or a host older than this member): an
	 * input is idle once it has delivered nothing for idle.timeout.
	 */
	uint32_t reports_ends;

	/**
	 * Optional: 1 when the source calls sl_wake() whenever it gets
	 * something to hand out (records, an end, a group event) while poll
	 * is not running, from whichever thread learns of it.  When every
	 * source of a job wakes it, the engine polls each with
	 * @p timeout_ms 0 and waits for the first wake instead, so that
	 * records one source has ready never wait while poll waits in
	 * another.
	 */
	uint32_t wakes;

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
	 * Optional: every record before @p positions, the ones this source
	 * handed out, is delivered as the job's `delivery` promises, so a
	 * source that answers its senders (a push source: an HTTP request
	 * waits for its answer) can answer now.  Called under every
	 * delivery mode, from the run loop's thread:
	 *
	 *  - `none`: after every sink took the records and flushed them;
	 *  - `at-least-once`: after every sink acknowledged them, with
	 *    (after) the commit callback of the same positions;
	 *  - `exactly-once`: after the transaction carrying them committed.
	 *
	 * Positions only grow; a partition not listed has nothing new.  A
	 * source that provides it has its positions tracked even without a
	 * commit or txn_group callback.  Records handed out and not yet
	 * delivered when a transaction aborts are given to rewind: a source
	 * that cannot read them again (a push source) fails their senders
	 * there.  Called by hosts whose table has tells_delivered (table
	 * 13): declare `.host_needs = SL_HOST_SIZE_WITH(tells_delivered)`
	 * when the source cannot work without it.
	 */
	void (*delivered)(void *self, const sl_position *positions,
			  size_t count);
} sl_source_class;

/**
 * The source now reads @p inputs: the engine restores their keyed state
 * from the job's store and starts counting them in the watermarks of the
 * stages downstream before this returns, so call it before handing out
 * any record of them (in the rebalance callback).  Supersedes
 * sl_partitions_assigned().
 */
#define sl_inputs_assigned(stage, inputs, count, err) \
	(sl_host_api->inputs_assigned(stage, inputs, count, err))

/**
 * The source no longer reads @p inputs (revoked, after sl_commit_now(),
 * or lost): their keyed state now belongs to another instance.
 * Supersedes sl_partitions_revoked().
 */
#define sl_inputs_revoked(stage, inputs, count) \
	(sl_host_api->inputs_revoked(stage, inputs, count))

/**
 * The source has read partition @p partition of @p topic to its end,
 * @p offset (a Kafka consumer's partition EOF): the records it handed
 * out are all there is for now, and the position to commit is
 * @p offset even when no record stands there (transaction markers,
 * aborted records).  It takes effect once the batch being filled has
 * gone through the job.  A source that sets reports_ends calls it for
 * every end it reaches (not only a bounded run's): its inputs go idle
 * only from there.
 */
#define sl_partition_end(stage, topic, partition, offset) \
	(sl_host_api->partition_end(stage, topic, partition, offset))

/**
 * As sl_partition_end(), and the source will read nothing more of the
 * partition in this run: a bounded run (Kafka's `stop = end`) has read it
 * to where it stops.  Its input then stops holding event time back at
 * once, whatever the stage's idle.timeout, as a finished split does in
 * Flink: a partition that ends early in event time would otherwise hold
 * every window after that time open until the run ends.  Check
 * SL_HOST_HAS(partition_finished) (table 18); without it, call
 * sl_partition_end().
 */
#define sl_partition_finished(stage, topic, partition, offset) \
	(sl_host_api->partition_finished(stage, topic, partition, offset))

/**
 * The source has something to hand out (records, an end, a group event):
 * a run loop waiting for any of its sources polls them again.  Safe from
 * any thread, and cheap (a byte written to a pipe): call it from a
 * client library's callback.  For a source that sets wakes in its class;
 * check SL_HOST_HAS(wake).
 */
#define sl_wake(stage) (sl_host_api->wake(stage))

/**
 * The bytes source @p stage may hold fetched and not yet handed out, all
 * its inputs together: its share of the job's `memory.limit`.  A source
 * that reads ahead (a consumer's prefetch queues) sizes its buffers to
 * it.  Check SL_HOST_HAS(source_memory).
 */
#define sl_source_memory(stage) (sl_host_api->source_memory(stage))

/**
 * A source that serves the role SL_ROLE_REPARTITION_SOURCE read control
 * data the engine wrote with the sink's write_control(): hand it back
 * instead of a record (@p origin says where it was read).  It takes
 * effect, and counts as read, once the batch being filled has gone
 * through the job.
 */
#define sl_control_received(stage, origin, data, len) \
	(sl_host_api->control_received(stage, origin, data, len))

/**
 * The source now reads @p partitions: the engine restores their keyed
 * state from the job's store before this returns, so call it before
 * handing out any record of them (in the rebalance callback).
 */
#define sl_partitions_assigned(stage, partitions, count, err) \
	(sl_host_api->partitions_assigned(stage, partitions, count, err))

/**
 * The source no longer reads @p partitions (revoked, after
 * sl_commit_now(), or lost): the engine drops their keyed state, which
 * now belongs to another instance.
 */
#define sl_partitions_revoked(stage, partitions, count) \
	(sl_host_api->partitions_revoked(stage, partitions, count))

/**
 * 1 when the host calls the delivered callback of source @p stage's class
 * (under every delivery mode), 0 when the class has none.  For a push
 * source that answers its senders from delivered: check it in open.
 * Host table 14: declare `.host_needs = SL_HOST_SIZE_WITH(tells_delivered)`.
 */
#define sl_tells_delivered(stage) (sl_host_api->tells_delivered(stage))

/**
 * Decode @p data, a value's bytes, with source @p stage's value format
 * (in @p arena: a batch's), to refuse what the engine would refuse
 * before handing it out: SL_OK, or SL_ERR with the format's reason in
 * @p why.  A push source checks a request's records so that a request
 * either enters the job whole or is answered with the reason.  Call it
 * from poll (formats are used from the run loop's thread only).  Host
 * table 14: check SL_HOST_HAS(decode_check).
 */
#define sl_decode_check(stage, data, len, arena, why) \
	(sl_host_api->decode_check(stage, data, len, arena, why))

/** One source's part of a transaction: its group handle and positions. */
typedef struct sl_txn_source {
	const char *stage;
	void *group;                   /**< from txn_group() */
	const sl_position *positions;
	size_t count;
} sl_txn_source;

/** What a transaction commits besides the records written into it. */
typedef struct sl_txn {
	const sl_txn_source *sources;
	size_t source_count;
} sl_txn;

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_SOURCE_H */
