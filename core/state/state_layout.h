/*
 * state_layout.h - how the state store lays out its entries, blocks and
 * timer heaps in memory: the types every file of the store works on.
 */
#ifndef SL_STATE_LAYOUT_H
#define SL_STATE_LAYOUT_H

#include <string.h>

#include "state/state.h"

/* Entry namespaces; also the first byte of a serialized key. */
#define NS_VALUE 'v'
#define NS_TIMER 't'
#define NS_FREE 0

#define NO_INDEX UINT32_MAX

/* Blocks up to 512 bytes come in size classes each about 1.5 times the
 * one before (16, 24, 32, 48, ...), and are kept for reuse when freed. */
#define BLOCK_CLASSES 11

/* A timer in its partition's heap: its time and the order it was set in
 * (ties in time fire in that order), beside its entry's index, so that
 * sifting reads the heap only. */
typedef struct sl_timer_node {
	int64_t when;
	uint64_t seq;
	uint32_t idx;
} sl_timer_node;

/* The timers of one partition, ordered by (when, seq). */
typedef struct sl_timer_heap {
	sl_timer_node *nodes;
	uint32_t len, cap;
} sl_timer_heap;

/* An entry of the store: 40 bytes, since there is one per key. */
typedef struct sl_entry {
	uint8_t *block;     /* key bytes, then vcap bytes: the value, or
			       (NS_TIMER) its time, part of its identity */
	uint32_t hash;
	uint32_t klen, vlen, vcap;
	uint32_t link;      /* NS_TIMER: heap index; NS_FREE: next free */
	int32_t partition;  /* input partition of the record that last wrote it */
	uint8_t ns;
	uint8_t live;       /* 0: deleted, kept as a tombstone until the
			       change is cleared */
	uint8_t dirty;      /* listed in the change list */
	uint8_t logged;     /* the store's log has it: restored, or written
			       live by a change that was committed */
} sl_entry;

#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(sl_entry) == 40, "one entry per key: keep it at 40 bytes");
#endif

struct sl_state {
	char *name;
	sl_entry *entries;
	uint32_t entry_count, entry_cap, free_head;
	uint32_t *slots;    /* 0 empty, else entry index + 1 */
	uint32_t slot_mask;
	uint32_t in_table;  /* entries in the table, tombstones included */
	size_t live_values;
	size_t block_bytes;     /* blocks held, spares included */
	sl_timer_heap *heaps; /* NS_TIMER entries, one heap per partition,
			       * indexed by partition + 1 */
	uint32_t heap_count;
	uint64_t seq;
	int tracking;
	int32_t partition;  /* given to entries written from now on */
	uint32_t *changes;
	uint32_t change_len;    /* capacity: entry_cap */
	void *spare[BLOCK_CLASSES]; /* freed blocks by size class, reused */
	uint8_t *scratch;   /* serialized keys and fired keys */
	size_t scratch_cap;
	int firing;
	uint64_t generation; /* entries restored, dropped or cleared */
};

/* The time of timer entry @p e. */
static inline int64_t sl_entry_when(const sl_entry *e)
{
	int64_t when;

	memcpy(&when, e->block + e->klen, sizeof when);
	return when;
}

#endif
