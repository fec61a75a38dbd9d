/*
 * state.h - the keyed state store behind sluice/state.h.
 *
 * An open-addressing hash table of entries that own their key and value
 * bytes, plus a heap of timers.  Values and timers live in two namespaces
 * of the same table, so both are persisted the same way: as changes.
 *
 * Changes: when tracking is on, every entry written or deleted since the
 * last sl_store_changes_clear() is listed once.  The engine's commit
 * iterates them with sl_store_changes() — serialized key, value or NULL
 * for a tombstone — writes them to the changelog and clears them; a
 * restart applies the changelog's records with sl_store_restore().  With
 * tracking off (no changelog) deletes free their entry at once.
 *
 * Serialized keys: 'v' + key for values; 't' + when (8 bytes, big-endian,
 * sign bit flipped so they sort) + key for timers, whose value is empty.
 */
#ifndef SL_STATE_H
#define SL_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <sluice/plugin.h>

sl_state *sl_store_new(const char *name);
void sl_store_free(sl_state *st);
const char *sl_store_name(const sl_state *st);

/* The operations of sluice/state.h. */
int sl_store_get(const sl_state *st, const void *key, size_t klen,
		 sl_bytes *out);
int sl_store_put(sl_state *st, const void *key, size_t klen, const void *val,
		 size_t vlen);
void *sl_store_slot(sl_state *st, const void *key, size_t klen, size_t vlen,
		    int *created);
int sl_store_delete(sl_state *st, const void *key, size_t klen);
size_t sl_store_count(const sl_state *st);
/* The memory the store holds, in bytes: entries, their table, key and
 * value blocks (malloc's overhead counted), timers. */
size_t sl_store_bytes(const sl_state *st);
int sl_store_each(const sl_state *st,
		  int (*fn)(void *ctx, const void *key, size_t klen,
			    const void *val, size_t vlen),
		  void *ctx);
/* sl_store_each for the entries of one state partition. */
int sl_store_each_in(const sl_state *st, int32_t partition,
		     int (*fn)(void *ctx, const void *key, size_t klen,
			       const void *val, size_t vlen),
		     void *ctx);
int sl_store_timer_set(sl_state *st, int64_t when, const void *key,
		       size_t klen);
/* sl_store_timer_set in state @p partition rather than the current one. */
int sl_store_timer_set_in(sl_state *st, int32_t partition, int64_t when,
			  const void *key, size_t klen);
int sl_store_timer_delete(sl_state *st, int64_t when, const void *key,
			  size_t klen);
int sl_store_timer_next(const sl_state *st, int64_t *when);
int sl_store_timers_fire(sl_state *st, int64_t upto,
			 int (*fn)(void *ctx, int64_t when, const void *key,
				   size_t klen),
			 void *ctx);
/* Fire the timers of each partition up to what @p upto says for it. */
int sl_store_timers_fire_by(sl_state *st,
			    int64_t (*upto)(void *ctx, int32_t partition),
			    int (*fn)(void *ctx, int64_t when, const void *key,
				      size_t klen),
			    void *ctx);

/* Record changes from now on (on) or stop and forget them (off). */
void sl_store_track(sl_state *st, int on);

/*
 * Call @p fn for each entry changed since the last clear, in the order
 * first changed: its serialized key, and its serialized value or NULL for
 * a deletion.  Stops at and returns the first non-zero return of @p fn.
 */
int sl_store_changes(sl_state *st,
		     int (*fn)(void *ctx, int32_t partition, const uint8_t *key,
			       size_t klen, const uint8_t *val, size_t vlen),
		     void *ctx);
size_t sl_store_change_count(const sl_state *st);
/* The changes are durable: forget them (and free deleted entries). */
void sl_store_changes_clear(sl_state *st);

/*
 * Apply one changelog record (a serialized key and value, val NULL for a
 * tombstone) without recording it as a change.  0, or -1 for a malformed
 * key or when out of memory.
 */
int sl_store_restore(sl_state *st, const uint8_t *key, size_t klen,
		     const uint8_t *val, size_t vlen);

/*
 * Entries written from now on belong to input partition @p partition (the
 * engine sets it before an operator sees records of that partition, and
 * before restoring a partition's changelog).  State is partitioned like
 * the input, so it can follow a partition to another instance.
 */
void sl_store_set_partition(sl_state *st, int32_t partition);
/* Forget every entry of @p partition, and its pending changes, without
 * recording a change: the partition now belongs to another instance. */
void sl_store_drop_partition(sl_state *st, int32_t partition);

/* Drop everything (before restoring from the changelog again). */
void sl_store_clear(sl_state *st);

/* Grows whenever entries come or go other than through the store's own
 * writes (restored, a partition dropped, cleared): an operator that
 * keeps an index of its keys rebuilds it when this changed. */
uint64_t sl_store_generation(const sl_state *st);

#endif
