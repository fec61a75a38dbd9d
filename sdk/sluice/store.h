/*
 * sluice/store.h - state store plugins: where the keyed state of a job's
 * stages is kept durable.
 *
 * Operators keep keyed state in memory (sluice/state.h); the engine
 * records what changes and, at each commit, writes the changes to the
 * job's store, one table per stateful stage, partitioned like the
 * stage's input: a partition's state moves with the partition from one
 * instance to another, read back from the store.  A job names its store
 * with a `[store NAME]` section; without one, the engine uses a store of
 * the plugin of the first sink that provides one, with that sink's
 * settings.  The Kafka plugin's store keeps a compacted changelog topic
 * per stage, as Kafka Streams does.
 *
 * Under at-least-once the engine flushes the store before it commits
 * the sources' positions; under exactly-once the store's writes must be
 * part of the job's transaction, so the store must belong to the plugin
 * of the sink that owns the transaction.
 */
#ifndef SLUICE_STORE_H
#define SLUICE_STORE_H

#include <sluice/stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a state store plugin provides. */
typedef struct sl_store_class {
	uint32_t struct_size; /**< sizeof(sl_store_class) */

	/**
	 * Open the store, with the options of @p stage.  SL_OK, or SL_ERR
	 * having freed what it allocated: close is not called when open fails.
	 */
	int (*open)(sl_stage *stage, void **self, sl_error *err);

	/** Close the store and free it.  May be NULL. */
	void (*close)(void *self);

	/**
	 * Make ready the table of stateful stage @p owner (its name in the
	 * job) with @p partitions partitions: create it when missing; when
	 * it exists, check that it can hold this state (a mismatch:
	 * SL_ERR_CONFIG saying what to change).  Its handle in *@p table.
	 */
	int (*prepare)(void *self, const char *owner, int32_t partitions,
		       void **table, sl_error *err);

	/**
	 * Write one change to partition @p partition of @p table: @p value
	 * NULL deletes @p key.  Durable after the next flush; under
	 * exactly-once part of the open transaction.
	 */
	int (*write)(void *self, void *table, int32_t partition,
		     const void *key, size_t klen, const void *value,
		     size_t vlen, sl_error *err);

	/** Return once everything written is durable, or fail. */
	int (*flush)(void *self, int timeout_ms, sl_error *err);

	/**
	 * Read @p partitions of @p table back, as committed, calling @p apply
	 * for each entry in the order written (value NULL for a deletion).
	 * A non-zero return of apply stops the reading: return SL_ERR, with
	 * what stopped it in @p err.
	 */
	int (*read)(void *self, void *table, const int32_t *partitions,
		    size_t count,
		    int (*apply)(void *ctx, int32_t partition, const void *key,
				 size_t klen, const void *value, size_t vlen),
		    void *ctx, sl_error *err);

	/**
	 * Optional.  What @p table is called where the store keeps it (a
	 * topic's name), for the job's log; NULL: the stage's name.
	 */
	const char *(*table_name)(void *self, void *table);

	/**
	 * Optional, both or neither: as the sink's (sluice/sink.h), the
	 * store's writes made durable without stopping the job.
	 */
	uint64_t (*mark)(void *self);
	int (*durable)(void *self, uint64_t mark, sl_error *err);
} sl_store_class;

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_STORE_H */
