/*
 * sluice/state.h - keyed state: per-key values and timers that the host
 * keeps for an operator.
 *
 * Keys and values are bytes the operator serializes (keep them small and
 * fixed-size where you can).  The host owns the memory: it copies a key
 * when it is first inserted and a value into the entry's own buffer, so
 * updating an existing key allocates nothing.  Every change is recorded,
 * so the host can persist exactly what changed since the last commit (a
 * Kafka changelog topic `<job>-<stage>-changelog`) and restore it after a
 * restart; an operator that keeps everything it must not lose in its
 * store gets that for free.
 *
 * Timers are (time, key) pairs fired in time order, ties in the order they
 * were set: a window operator sets one per open window at its end and
 * fires them as the watermark passes.
 *
 * A store belongs to its stage: the host frees it after the operator's
 * close().  Pointers the store returns stay valid until the next call
 * that changes the store.
 */
#ifndef SLUICE_STATE_H
#define SLUICE_STATE_H

#include <sluice/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A keyed state store (opaque). */
typedef struct sl_state sl_state;

/**
 * The store named @p name of @p stage (NULL or "" for the stage's main
 * store), created empty or restored.  NULL with @p err filled on failure.
 */
#define sl_state_open(stage, name, err) \
	(sl_host_api->state_open(stage, name, err))

/**
 * Look up @p key (@p klen bytes).  Returns 1 and points @p out at the
 * value, or 0 when the key has no value.
 */
#define sl_state_get(st, key, klen, out) \
	(sl_host_api->state_get(st, key, klen, out))

/** Set the value of @p key to a copy of @p vlen bytes.  SL_OK or SL_ERR
 * (out of memory). */
#define sl_state_put(st, key, klen, val, vlen) \
	(sl_host_api->state_put(st, key, klen, val, vlen))

/**
 * The value of @p key, resized to @p vlen bytes, for updating in place
 * (one lookup instead of a get and a put).  *@p created is set to 1 and
 * the bytes zeroed when the key had no value; bytes beyond a shorter old
 * value are zeroed too.  The change is recorded as if put.  NULL when out
 * of memory.
 */
#define sl_state_slot(st, key, klen, vlen, created) \
	(sl_host_api->state_slot(st, key, klen, vlen, created))

/** Remove the value of @p key; 1 when there was one, else 0. */
#define sl_state_delete(st, key, klen) \
	(sl_host_api->state_delete(st, key, klen))

/** Number of keys with a value. */
#define sl_state_count(st) (sl_host_api->state_count(st))

/**
 * Call @p fn for every key with a value, in no particular order; stops at
 * and returns the first non-zero return of @p fn.  @p fn must not change
 * the store.
 */
#define sl_state_each(st, fn, ctx) (sl_host_api->state_each(st, fn, ctx))

/**
 * Set a timer for @p key at time @p when (any unit: event time, wall
 * clock, ...).  Setting the same (time, key) twice sets it once.  SL_OK or
 * SL_ERR (out of memory).
 */
#define sl_state_timer_set(st, when, key, klen) \
	(sl_host_api->state_timer_set(st, when, key, klen))

/** Cancel the timer (@p when, @p key); 1 when it was set, else 0. */
#define sl_state_timer_delete(st, when, key, klen) \
	(sl_host_api->state_timer_delete(st, when, key, klen))

/** 1 and the earliest timer's time in *@p when, or 0 when none is set. */
#define sl_state_timer_next(st, when) (sl_host_api->state_timer_next(st, when))

/**
 * Fire, in order, every timer whose time is <= @p upto: each is removed,
 * then @p fn(@p ctx, when, key, klen) is called (the key bytes are valid
 * during the call only).  @p fn may read and change the store and set new
 * timers, but not fire timers.  Stops at and returns the first non-zero
 * return of @p fn, else 0.
 */
#define sl_state_timers_fire(st, upto, fn, ctx) \
	(sl_host_api->state_timers_fire(st, upto, fn, ctx))

/**
 * Like sl_state_timers_fire(), each partition of the state up to its own
 * time: @p upto(@p ctx, partition) says how far (a window: the
 * partition's watermark, sl_watermark()).  State is partitioned like the
 * stage's input, and a timer belongs to the partition of the record that
 * set it.  Partition after partition: upto is called for a partition,
 * then @p fn for each of its due timers, so @p fn may note the partition
 * upto was last given (for sl_state_each_in()).
 */
#define sl_state_timers_fire_by(st, upto, fn, ctx) \
	(sl_host_api->state_timers_fire_by(st, upto, fn, ctx))

/**
 * Like sl_state_each(), only for the keys of state @p partition: those
 * last written while the engine fed records of that partition (the
 * partition sl_state_timers_fire_by() gives upto).  The store skips the
 * other partitions' keys without reading them.  Check
 * SL_HOST_HAS(state_each_in) first: hosts before it lack it.
 */
#define sl_state_each_in(st, partition, fn, ctx) \
	(sl_host_api->state_each_in(st, partition, fn, ctx))

/**
 * A number that grows whenever entries of @p st come or go other than
 * through the stage's own calls: restored from the store (at a partition
 * the stage is given, after an aborted transaction), dropped with a
 * partition the stage loses.  An operator that keeps an index of its
 * keys beside the state rebuilds it when the number changed.  Check
 * SL_HOST_HAS(state_generation) first (table 17).
 */
#define sl_state_generation(st) (sl_host_api->state_generation(st))

/**
 * Like sl_state_timer_set(), in state @p partition (the partition
 * sl_state_timers_fire_by() gives upto) rather than the partition of the
 * record being processed: an operator that fires part of what is due
 * sets the rest's timer again where its keys are, so that the timer and
 * the keys are kept, restored and handed over together.  Check
 * SL_HOST_HAS(state_timer_set_in) first: hosts before it lack it; a host
 * that has it also takes SL_MORE from tick and finish (sluice/operator.h).
 */
#define sl_state_timer_set_in(st, partition, when, key, klen) \
	(sl_host_api->state_timer_set_in(st, partition, when, key, klen))

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_STATE_H */
