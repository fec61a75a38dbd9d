/*
 * window_shared.h - tumbling, hopping and session windows per key,
 * fired by the watermark:
 * the operator's struct and constants, shared by its files: options,
 * open and the class (window.c), the state key layout and event time
 * (window_key.c), finding, ordering and emitting due windows
 * (window_fire.c), merging hopping's panes (window_panes.c), sessions
 * (window_session.c).
 *
 * Each (window, key) has an accumulator in the keyed state store under
 * [1][window start, 8 bytes][input partition, 4 bytes][group key]; each
 * window has one timer per input partition at its end, keyed
 * [1][partition].  When the partition's watermark minus the allowed
 * lateness reaches the window's end, its timer fires: the window's
 * accumulators of that partition are emitted and deleted.  One timer per
 * window rather than per (window, key) keeps an open (window, key) to one
 * entry of the store.  Windows are [start, end): an event exactly at the
 * end belongs to the next window.  Everything a window needs is in the
 * store, so restoring the store restores the open windows.
 *
 * Hopping windows (size, advance) keep one accumulator per pane of
 * gcd(size, advance) ms per key, under [2][pane start][partition][first
 * window][group key], and the pane sets the timer of each window holding
 * it; a firing window merges its panes per key, and a pane is deleted
 * with its last window.  Hopping fires all that is due at once.
 *
 * The leading 1 is the layout's version: state written by earlier
 * versions, an accumulator and a timer per (window, key) under
 * [window start][group key], still fires and is emitted.
 *
 * Windows fire in tick, which the engine calls right after each batch
 * that process() saw (process says SL_MORE), in parts: a watermark that
 * passes many windows at once (a backlog, a commit's worth of input)
 * would otherwise build all their results in one batch's memory, some
 * 800 bytes each once serialized.  Every due window is found and sorted,
 * the first results in window order go out, and the rest stay in the
 * store, their window's timer set again in their state partition so that
 * a commit keeps them together; tick and finish say SL_MORE and the
 * engine calls again at once.  A part is FIRE_MAX results, or a 32nd of
 * what was due when the firing began if that is more, so that the search
 * each part repeats runs 32 times at most however large the backlog.
 * (A host older than SL_MORE gets every due window in one call, from
 * process too; so does state of the earlier layout.)
 *
 * A record whose window has already fired is late: it is counted in the
 * "late" metric and reported under the stage's errors policy (skip logs
 * and counts it, fail stops the job), never dropped silently.
 *
 * On event and record time the engine keeps a watermark for each
 * partition of the state (sluice/operator.h), from the inputs feeding it:
 * a window fires when its own partition's watermark passes its end, and
 * a record is late when its partition's has.  The stage tells the engine
 * each record's event time, in order.  On processing time the watermark
 * is the wall clock.
 */
#ifndef SL_WINDOW_SHARED_H
#define SL_WINDOW_SHARED_H

#include <stddef.h>
#include <stdint.h>

#include <sluice/plugin.h>

#include "../lib/agglist.h"
#include "../lib/ordersort.h"
#include "window_index.h"

enum time_mode { TIME_EVENT, TIME_RECORD, TIME_PROCESSING };

/* Results of one call at most, unless more than 32 times this are due:
 * some 3 MB of a batch's memory. */
#define FIRE_MAX 4096
#define FIRE_PARTS 32

/* Event times beyond +-2^53 ms (285,000 years) are refused, so window
 * arithmetic cannot overflow. */
#define TS_LIMIT (INT64_C(1) << 53)

typedef struct window {
	sl_stage *stage;
	sl_state *state;
	slop_aggs agg;
	int mode;               /* enum time_mode */
	slop_path field;        /* TIME_EVENT */
	int64_t size, lateness;
	/* Hopping windows start every `advance` ms (tumbling: advance is
	 * size); their accumulators are kept per pane, gcd(size, advance)
	 * ms, and a window's result merges its panes when it fires. */
	int hopping;
	int64_t advance, pane;
	int session;            /* type = session: gap, no size */
	int64_t gap;
	uint8_t *sessions;      /* a key's sessions while changed */
	size_t sessions_cap;
	uint8_t layout;         /* LAYOUT, or LAYOUT_HOP: its keys' first byte */
	size_t head;            /* HEAD or HOP_HEAD */
	int64_t wm;             /* processing time: the wall clock seen */
	uint8_t *key;           /* state key buffer, reused */
	size_t key_cap;
	int64_t emitted;        /* sequence number of outputs, for origins */
	int parts;              /* the host takes SL_MORE: fire in parts */
	size_t part;            /* results a call while parts go on, else 0 */
	uint64_t arrived;       /* order of (window, key)s as they open */
	/* Hopping: the windows (starts from .. to) of one input partition
	 * whose timers this batch has set.  A new pane entry sets the timer
	 * of each of its size / advance windows, and most are set already;
	 * nothing fires within a batch, so what it set stays set until it
	 * ends (process forgets it). */
	int timers_known;
	int32_t timers_partition;
	int64_t timers_from, timers_to;

	/* While firing: the (window start, partition) whose timers fired,
	 * sorted by both once all have fired, with the state partition that
	 * holds them (NO_PARTITION: not known), and the accumulators found
	 * for them. */
	struct due {
		int64_t start;
		uint8_t partition[4];
		int32_t state_partition;
		size_t window;      /* the first due index with this start */
		int kept;           /* some results wait for the next part */
	} *due;
	size_t due_count, due_cap;
	int32_t *searched;      /* the state partitions whose timers fired */
	size_t searched_count, searched_cap;
	struct found {
		size_t due;
		size_t window;      /* due[due].window: emitted by it, then seq */
		uint64_t seq;       /* hopping: the least of the key's panes' */
		int last;           /* the pane's last window: delete it after */
		const uint8_t *key;
		size_t klen;
		const void *acc;
	} *found;
	size_t found_count, found_cap;
	slop_order *order;      /* found's order: room for found_cap, twice */
	/* Hopping: found's panes merged per (window, key), acc the merged
	 * result and seq the least of the panes', and the hash table that
	 * finds them (window_panes.c). */
	struct found *groups;
	size_t group_count, groups_cap;
	uint32_t *slots;
	size_t slots_cap, slots_used;
	/* Tumbling and hopping: the keys of each (partition, pane), so that
	 * a firing reads its panes' entries only (window_index.h); whole
	 * while the store's generation is index_gen. */
	window_index *index;
	int index_whole;
	uint64_t index_gen;
	struct pane_ref {
		int32_t partition;
		int64_t pane;
	} *panes;               /* while firing: the due windows' panes */
	size_t pane_count, pane_cap;
} window;

/* The first byte of this layout's keys. */
#define LAYOUT 1
/* Its values: the function list's accumulators (agglist.h), the extra
 * being the order of the key's first record (8 bytes, big-endian, at
 * SLOP_EXTRA_AT), which orders a window's results. */
#define SEQ_SIZE 8
/* [LAYOUT][start][partition]: where the group key begins. */
#define HEAD 13
/* Hopping's panes: [LAYOUT_HOP][pane start][partition][from][group key],
 * from being the first window the entry adds to: the pane's first, or
 * the first still open when the entry was made (its earlier windows had
 * closed, and may not have fired yet). */
#define LAYOUT_HOP 2
#define HOP_HEAD 21
/* Sessions: [LAYOUT_SESSION][partition][group key] -> the key's open
 * sessions, [first][last][accumulators] each, in order; a timer under the
 * same key at each session's end (window_session.c). */
#define LAYOUT_SESSION 3

/* A state partition not known: the whole store is searched. */
#define NO_PARTITION INT32_MIN

/* Shared by window.c (add) and window_fire.c (find_one): the first
 * record's order in a value, 8 bytes big-endian. */
void window_put_u64(uint8_t *p, uint64_t v);
uint64_t window_get_u64(const uint8_t *p);
/* window_fire.c reads a window's start back out of a state key. */
int64_t window_get_start(const uint8_t *p);
/* window.c's add and its event_time hook read a record's time alike
 * (window_event_time is that hook, hence the name). */
int window_time_of(const window *w, const sl_record *r, int64_t now,
		   int64_t *ts, sl_error *why);
/* The start of the pane holding @p ts (tumbling: of its window). */
int64_t window_start(const window *w, int64_t ts);
/* The first and the last start of the windows holding pane @p pane. */
int64_t window_first_of(const window *w, int64_t pane);
int64_t window_last_of(const window *w, int64_t pane);
/* add builds a record's key and its window's timer key with these. */
void window_put_partition(uint8_t *p, int32_t partition);
size_t window_state_key(window *w, int64_t start, int32_t partition,
			int64_t from, const char *gk, size_t gklen);
/* The partition a state key's bytes give. */
int32_t window_get_partition(const uint8_t *p);
/* collect copies a found key before deleting its entry. */
size_t window_state_copy(window *w, const uint8_t *key, size_t klen);

/* Sessions (window_session.c): a record added, SL_OK or as
 * sl_record_error; a key's timer at @p end fired, its sessions ended by
 * then given to @p emit and removed: 0 or -1 (@p err set). */
typedef int (*window_emit)(void *ctx, int64_t start, int64_t end,
			   const uint8_t *gk, size_t gklen, const void *acc);
size_t window_session_key(window *w, int32_t partition, const char *gk,
			  size_t gklen);
size_t window_session_size(const window *w);
int window_session_add(window *w, sl_batch *batch, sl_record *r, int64_t ts,
		       int64_t wm, sl_error *err);
int window_session_fire(window *w, int64_t end, const uint8_t *key,
			size_t klen, window_emit emit, void *ctx,
			sl_error *err);

/* Hopping (window_panes.c): w->found's panes merged into w->groups, one
 * per (window, group key), in no order; the results in @p arena.  0, or
 * -1 (out of memory).  window_groups_free frees the table. */
int window_group_panes(window *w, sl_arena *arena);
void window_groups_free(window *w);

/* process, tick and finish all fire; the firing lives in window_fire.c. */
int window_fire(window *w, sl_batch *out, int all, int64_t now, size_t limit,
		sl_error *err);

#endif
