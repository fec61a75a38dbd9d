/*
 * join_table.h - the join's table: the latest value of each key of the
 * table topic, in memory, in a hash map keyed by the key's bytes.
 */
#ifndef JOIN_TABLE_H
#define JOIN_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct join_row {
	struct join_row *next;
	uint64_t hash;
	int32_t partition; /* of the table topic, for dropping it whole */
	size_t klen, vlen;
	uint8_t data[]; /* the key, then the value */
} join_row;

typedef struct join_table {
	join_row **slots;
	size_t nslots;
	size_t keys;  /* rows held */
	size_t bytes; /* what the rows take: headers, keys and values */
} join_table;

/* Set @p key's value (replacing what it had).  0, or -1 out of memory. */
int join_table_put(join_table *t, const void *key, size_t klen,
		   const void *value, size_t vlen);

/* The same, the row read from table partition @p partition. */
int join_table_put_in(join_table *t, int32_t partition, const void *key,
		      size_t klen, const void *value, size_t vlen);

/* Forget every row read from table partition @p partition (it moved to
 * another instance). */
void join_table_drop_partition(join_table *t, int32_t partition);

/* Forget @p key (a tombstone); nothing when it is not there. */
void join_table_delete(join_table *t, const void *key, size_t klen);

/* @p key's row, or NULL. */
const join_row *join_table_get(const join_table *t, const void *key,
			       size_t klen);

/* The hash of @p key, for join_table_prefetch and join_table_get_hashed. */
uint64_t join_table_hash(const void *key, size_t klen);

/* Ask the CPU for the slot of hash @p h (@p row 0), or for the first row
 * in it (@p row 1, once the slot has come): lookups of a batch overlap
 * their cache misses instead of waiting for each in turn. */
void join_table_prefetch(const join_table *t, uint64_t h, int row);

/* join_table_get with the key's hash already computed. */
const join_row *join_table_get_hashed(const join_table *t, uint64_t h,
				      const void *key, size_t klen);

void join_table_free(join_table *t);

#endif
