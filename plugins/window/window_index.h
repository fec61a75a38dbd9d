/*
 * window_index.h - the state keys of each (input partition, pane), kept
 * beside the store so that a firing window reads only its own panes'
 * entries rather than every entry of the store (window_index.c).
 *
 * The store is the truth; the index is a shortcut the window builds
 * from what it adds.  It is whole only while nothing else changed the
 * store: entries restored (a partition given, an aborted transaction)
 * or dropped (a partition lost) bump the store's generation
 * (sl_state_generation), and the index is then rebuilt from one pass
 * over the store.  A key in the index whose entry is gone (fired in an
 * earlier part, say) is skipped by whoever reads it.
 */
#ifndef SL_WINDOW_INDEX_H
#define SL_WINDOW_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct window_index window_index;

window_index *window_index_new(void);
void window_index_free(window_index *ix);

/* Forget everything (before a rebuild). */
void window_index_clear(window_index *ix);

/* Key @p key of @p klen bytes, of pane @p pane in partition @p
 * partition.  0, or -1 when out of memory. */
int window_index_add(window_index *ix, int32_t partition, int64_t pane,
		     const uint8_t *key, size_t klen);

/* Each key of (@p partition, @p pane) to @p fn, in the order added,
 * while it returns 0; its last return. */
int window_index_each(const window_index *ix, int32_t partition, int64_t pane,
		      int (*fn)(void *ctx, const uint8_t *key, size_t klen),
		      void *ctx);

/* Forget (@p partition, @p pane): its windows have all fired. */
void window_index_drop(window_index *ix, int32_t partition, int64_t pane);

/* Keys it holds. */
size_t window_index_keys(const window_index *ix);

#endif
