/*
 * window_fire.c - firing: the timers that came due, the accumulators of
 * their windows found in the store, sorted in window order and emitted,
 * a part at a time (window_shared.h).
 */
#include <stdlib.h>
#include <string.h>

#include "window_shared.h"

typedef struct emit_ctx {
	window *w;
	sl_batch *out;
	sl_error *err;
	int64_t now;
	int all;                /* every window fires: the end of input */
	size_t limit;           /* results of this call at most */
	int32_t firing;         /* the state partition whose timers fire */
	int64_t due_first, due_last; /* the first and last due start */
} emit_ctx;

/* collect's return: some due results wait for the next call. */
#define MORE 1

/* One window's result for one key, @p gk, as a record of the batch. */
static int output(emit_ctx *ec, int64_t start, int64_t end, const uint8_t *gk,
		  size_t gklen, const void *acc)
{
	window *w = ec->w;
	int64_t bounds[2] = { start, end };
	sl_record *r;
	sl_value *v, *k;

	v = sl_arena_alloc(ec->out->arena, sizeof *v);
	r = sl_batch_push(ec->out);
	if (v == NULL || r == NULL ||
	    slop_aggs_output(&w->agg, acc, (const char *)gk, gklen, 1, bounds,
			    ec->out->arena, v, &k) != 0)
		return sl_error_set(ec->err, SL_ERR_RUNTIME, "out of memory");
	sl_record_set_value(r, v);
	sl_record_set_key(r, k);
	r->timestamp = bounds[1] - 1; /* the last instant inside the window */
	r->origin.stage = sl_stage_name(w->stage);
	r->origin.offset = w->emitted++;
	return 0;
}

/* A session ended: its result. */
static int emit_session(void *ctx, int64_t start, int64_t end,
			const uint8_t *gk, size_t gklen, const void *acc)
{
	return output(ctx, start, end, gk, gklen, acc);
}

/* Note that the timers of state partition @p partition fired: the
 * store fires a partition's timers together, so it is noted once. */
static int note_searched(window *w, int32_t partition)
{
	if (w->searched_count > 0 &&
	    w->searched[w->searched_count - 1] == partition)
		return 0;
	if (w->searched_count == w->searched_cap) {
		size_t cap = w->searched_cap ? w->searched_cap * 2 : 8;
		int32_t *s = realloc(w->searched, cap * sizeof *s);

		if (s == NULL)
			return -1;
		w->searched = s;
		w->searched_cap = cap;
	}
	w->searched[w->searched_count++] = partition;
	return 0;
}

/*
 * A timer fired.  This layout's, [1][partition]: note the window, whose
 * accumulators collect() emits once every due timer is known.  An
 * earlier layout's, [start][group key]: its one accumulator, now.
 */
static int on_timer(void *ctx, int64_t end, const void *key, size_t klen)
{
	emit_ctx *ec = ctx;
	window *w = ec->w;
	const uint8_t *k = key;
	sl_bytes acc;
	sl_error why;

	if (w->session)
		return klen >= 5 && k[0] == LAYOUT_SESSION ?
			window_session_fire(w, end, k, klen, emit_session, ec,
					    ec->err) : 0;
	if (klen == 5 && k[0] == LAYOUT) {
		if (w->due_count == w->due_cap) {
			size_t cap = w->due_cap ? w->due_cap * 2 : 16;
			struct due *d = realloc(w->due, cap * sizeof *d);

			if (d == NULL)
				return sl_error_set(ec->err, SL_ERR_RUNTIME,
						    "out of memory");
			w->due = d;
			w->due_cap = cap;
		}
		if (note_searched(w, ec->firing) != 0)
			return sl_error_set(ec->err, SL_ERR_RUNTIME,
					    "out of memory");
		w->due[w->due_count].start = end - w->size;
		w->due[w->due_count].state_partition = ec->firing;
		w->due[w->due_count].kept = 0;
		memcpy(w->due[w->due_count++].partition, k + 1, 4);
		return 0;
	}
	if (klen < 8 || !sl_state_get(w->state, key, klen, &acc))
		return 0; /* nothing accumulated (cannot happen) */
	if (slop_aggs_readable(&w->agg, acc.data, acc.len, &why) != SL_OK)
		return sl_error_set(ec->err, SL_ERR_RUNTIME, "key '%.*s': %s",
				    (int)(klen - 8), (const char *)k + 8,
				    why.message);
	if (output(ec, window_get_start(k), window_get_start(k) + w->size,
		   k + 8, klen - 8, acc.data) != 0)
		return -1;
	sl_state_delete(w->state, key, klen);
	return 0;
}

/* Due windows by start, then partition. */
static int due_cmp(int64_t start, const uint8_t *partition, const struct due *d)
{
	int i;

	if (start != d->start)
		return start < d->start ? -1 : 1;
	/* memcmp's order, without its call: every found pane comes here */
	for (i = 0; i < 4; i++)
		if (partition[i] != d->partition[i])
			return partition[i] < d->partition[i] ? -1 : 1;
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct due *y = b;

	return due_cmp(((const struct due *)a)->start,
		       ((const struct due *)a)->partition, y);
}

/* The index of the due window starting at @p start for @p key's
 * partition, or -1: a binary search of w->due, sorted by by_start. */
static long due_of(const window *w, int64_t start, const uint8_t *key)
{
	size_t lo = 0, hi = w->due_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = due_cmp(start, key + 9, &w->due[mid]);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Room for one more found accumulator; 0, or -1 (out of memory). */
static int found_room(window *w)
{
	size_t cap;
	struct found *f;
	slop_order *o;

	if (w->found_count < w->found_cap)
		return 0;
	cap = w->found_cap ? w->found_cap * 2 : 256;
	f = realloc(w->found, cap * sizeof *f);
	if (f != NULL)
		w->found = f;
	o = f == NULL ? NULL : realloc(w->order, 2 * cap * sizeof *o);
	if (o == NULL)
		return -1;
	w->order = o;
	w->found_cap = cap;
	return 0;
}

/* A pane's accumulator (tumbling: a window's): found once for each due
 * window that holds it. */
static int find_one(void *ctx, const void *key, size_t klen, const void *val,
		    size_t vlen)
{
	emit_ctx *ec = ctx;
	window *w = ec->w;
	const uint8_t *k = key;
	int64_t pane, start, last;
	int readable = 0;
	long due;
	sl_error why;

	if (klen < w->head || k[0] != w->layout)
		return 0;
	pane = window_get_start(k + 1);
	start = w->hopping ? window_get_start(k + HEAD) : pane;
	/* most of the store is in no due window: the windows holding the
	 * entry are start .. at most pane */
	if (start > ec->due_last || pane < ec->due_first)
		return 0;
	last = window_last_of(w, pane);
	for (; start <= last && start <= ec->due_last; start += w->advance) {
		if (start < ec->due_first || (due = due_of(w, start, k)) < 0)
			continue;
		if (!readable &&
		    slop_aggs_readable(&w->agg, val, vlen, &why) != SL_OK)
			return sl_error_set(ec->err, SL_ERR_RUNTIME,
					    "key '%.*s': %s",
					    (int)(klen - w->head),
					    (const char *)k + w->head,
					    why.message);
		readable = 1;
		if (found_room(w) != 0)
			return sl_error_set(ec->err, SL_ERR_RUNTIME,
					    "out of memory");
		w->found[w->found_count].due = (size_t)due;
		w->found[w->found_count].window = w->due[due].window;
		/* values of layout 1 before the order was kept: 0 */
		w->found[w->found_count].seq =
			vlen >= SLOP_EXTRA_AT + SEQ_SIZE ?
			window_get_u64((const uint8_t *)val + SLOP_EXTRA_AT) : 0;
		w->found[w->found_count].last = start == last;
		w->found[w->found_count].key = k;
		w->found[w->found_count].klen = klen;
		w->found[w->found_count++].acc = val;
	}
	return 0;
}

/* Windows in order, then keys in the order they first came (across
 * partitions: a window is due once per partition). */
static int by_due(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->window != y->window)
		return x->window < y->window ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* An order entry whose record is in place. */
#define PLACED UINT32_MAX

/* Bits that hold every value up to @p v. */
static unsigned bits_for(uint64_t v)
{
	unsigned n = 0;

	while (n < 64 && (v >> n) != 0)
		n++;
	return n;
}

/*
 * @p f, @p n of found (or of groups, no more), in by_due's order.
 * (window, seq) as one 64-bit key, seq counted from the smallest,
 * radix-sorted (a window's keys came within a short stretch of seq);
 * qsort when the two do not fit in 64 bits.
 */
static void sort_found(window *w, struct found *f, size_t n)
{
	size_t i;
	uint64_t low = UINT64_MAX, high = 0;
	unsigned seq_bits;

	if (n < 2)
		return;
	for (i = 0; i < n; i++) {
		if (f[i].seq < low)
			low = f[i].seq;
		if (f[i].seq > high)
			high = f[i].seq;
	}
	seq_bits = bits_for(high - low);
	if (seq_bits + bits_for(w->due_count) > 64) {
		qsort(f, n, sizeof *f, by_due);
		return;
	}
	for (i = 0; i < n; i++) {
		w->order[i].key = ((uint64_t)f[i].window << seq_bits) |
				  (f[i].seq - low);
		w->order[i].index = (uint32_t)i;
	}
	slop_order_sort(w->order, w->order + n, n);
	/* found[i] becomes found[order[i].index], one cycle at a time */
	for (i = 0; i < n; i++) {
		struct found first = f[i];
		size_t j = i, k;

		if (w->order[i].index == PLACED)
			continue;
		for (;;) {
			k = w->order[j].index;
			w->order[j].index = PLACED;
			if (k == i)
				break;
			f[j] = f[k];
			j = k;
		}
		f[j] = first;
	}
}

/* ---- the index of (partition, pane) keys ------------------------------------ */

/* A key of the store into the index (its rebuild). */
static int index_one(void *ctx, const void *key, size_t klen, const void *val,
		     size_t vlen)
{
	window *w = ctx;
	const uint8_t *k = key;

	(void)val;
	(void)vlen;
	if (klen < w->head || k[0] != w->layout)
		return 0;
	return window_index_add(w->index, window_get_partition(k + 9),
				window_get_start(k + 1), k, klen);
}

/* The index, whole: built again from the store when something other than
 * this stage changed it (restored, a partition dropped).  0, or -1 when
 * it cannot be (the store is searched instead). */
static int index_ready(window *w)
{
	uint64_t gen;

	if (w->index == NULL)
		return -1;
	gen = sl_state_generation(w->state);
	if (w->index_whole && gen == w->index_gen)
		return 0;
	window_index_clear(w->index);
	w->index_whole = 0;
	if (sl_state_each(w->state, index_one, w) != 0) {
		window_index_clear(w->index);
		return -1;
	}
	w->index_whole = 1;
	w->index_gen = gen;
	return 0;
}

static int by_pane(const void *a, const void *b)
{
	const struct pane_ref *x = a, *y = b;

	if (x->partition != y->partition)
		return x->partition < y->partition ? -1 : 1;
	return x->pane < y->pane ? -1 : x->pane > y->pane;
}

/* Panes a window may have for the index to be worth it: past this many,
 * one pass over the store reads less. */
#define INDEXED_PANES_MAX 1024

/* w->panes: each pane of a due window once, by partition and start.
 * 0, or -1 (out of memory, or windows of too many panes). */
static int due_panes(window *w)
{
	size_t i, n = 0;
	int64_t p;

	if (w->size / w->pane > INDEXED_PANES_MAX)
		return -1;

	for (i = 0; i < w->due_count; i++) {
		int32_t partition = window_get_partition(w->due[i].partition);

		for (p = w->due[i].start; p < w->due[i].start + w->size;
		     p += w->pane) {
			if (n == w->pane_cap) {
				size_t cap = w->pane_cap ? w->pane_cap * 2 : 64;
				struct pane_ref *g = realloc(w->panes,
							     cap * sizeof *g);

				if (g == NULL)
					return -1;
				w->panes = g;
				w->pane_cap = cap;
			}
			w->panes[n].partition = partition;
			w->panes[n++].pane = p;
		}
	}
	qsort(w->panes, n, sizeof *w->panes, by_pane);
	for (i = 0, w->pane_count = 0; i < n; i++)
		if (w->pane_count == 0 ||
		    by_pane(&w->panes[w->pane_count - 1], &w->panes[i]) != 0)
			w->panes[w->pane_count++] = w->panes[i];
	return 0;
}

/* An indexed key: its entry, if still there, as the store would give it. */
static int found_indexed(void *ctx, const uint8_t *key, size_t klen)
{
	emit_ctx *ec = ctx;
	sl_bytes val;

	if (!sl_state_get(ec->w->state, key, klen, &val))
		return 0; /* emitted and deleted by an earlier part */
	return find_one(ec, key, klen, val.data, val.len);
}

/* A firing is over, up to window start @p due_last: the panes whose
 * last window fired go. */
static void index_forget(window *w, int64_t due_last)
{
	size_t i;

	for (i = 0; w->index_whole && i < w->pane_count; i++)
		if (window_last_of(w, w->panes[i].pane) <= due_last)
			window_index_drop(w->index, w->panes[i].partition,
					  w->panes[i].pane);
}

/*
 * Find the accumulators of the due windows: through the index, in their
 * panes only; else in their state partitions only, each searched once,
 * which leaves most of the store unread, when the host can and every due
 * window's partition is known; else in the whole store.
 */
static int find_due(emit_ctx *ec)
{
	window *w = ec->w;
	size_t i;
	int rc = 0;

	w->pane_count = 0;
	if (index_ready(w) == 0 && due_panes(w) == 0) {
		for (i = 0; rc == 0 && i < w->pane_count; i++)
			rc = window_index_each(w->index, w->panes[i].partition,
					       w->panes[i].pane, found_indexed,
					       ec);
		return rc;
	}
	w->pane_count = 0;

	for (i = 0; i < w->due_count; i++)
		if (w->due[i].state_partition == NO_PARTITION)
			break;
	if (i < w->due_count || !SL_HOST_HAS(state_each_in))
		return sl_state_each(w->state, find_one, ec);
	for (i = 0; rc == 0 && i < w->searched_count; i++)
		rc = sl_state_each_in(w->state, w->searched[i], find_one, ec);
	return rc;
}

/* The windows of found[from ..] keep their rest: their timers again, in
 * the state partition of their accumulators. */
static int keep_rest(window *w, size_t from)
{
	size_t i;

	for (i = from; i < w->found_count; i++)
		w->due[w->found[i].due].kept = 1;
	for (i = 0; i < w->due_count; i++) {
		const struct due *d = &w->due[i];
		uint8_t tkey[5];

		if (!d->kept)
			continue;
		tkey[0] = LAYOUT;
		memcpy(tkey + 1, d->partition, 4);
		if (sl_state_timer_set_in(w->state, d->state_partition,
					  d->start + w->size, tkey,
					  sizeof tkey) != SL_OK)
			return -1;
	}
	return 0;
}

/* Delete @p f's entry from the store. */
static int delete_found(emit_ctx *ec, const struct found *f)
{
	/* the key's bytes go with the entry: copy them first */
	size_t klen = window_state_copy(ec->w, f->key, f->klen);

	if (klen == 0)
		return sl_error_set(ec->err, SL_ERR_RUNTIME, "out of memory");
	sl_state_delete(ec->w->state, ec->w->key, klen);
	return 0;
}

/*
 * Hopping: each due window's result per key, its panes merged, windows
 * in order and a window's keys in the order of their first record in
 * it (the least seq of their panes); then the panes whose last window
 * this was are deleted, the others wait for their later windows.  All
 * at once: a window emitted in part would find its emitted keys' panes
 * again.
 */
static int emit_panes(emit_ctx *ec)
{
	window *w = ec->w;
	size_t i;
	int rc = 0;

	if (window_group_panes(w, ec->out->arena) != 0)
		return sl_error_set(ec->err, SL_ERR_RUNTIME, "out of memory");
	sort_found(w, w->groups, w->group_count);
	for (i = 0; rc == 0 && i < w->group_count; i++) {
		const struct found *g = &w->groups[i];

		/* output copies the key: the panes may be deleted below */
		rc = output(ec, w->due[g->due].start,
			    w->due[g->due].start + w->size, g->key + HOP_HEAD,
			    g->klen - HOP_HEAD, g->acc);
	}
	for (i = 0; rc == 0 && i < w->found_count; i++)
		if (w->found[i].last)
			rc = delete_found(ec, &w->found[i]);
	return rc;
}

/*
 * Emit and delete the accumulators of the due windows, found in one pass
 * over each due state partition: windows in order, a window's keys in
 * the order they first came; ec->limit of them at most, the rest kept.
 * 0, MORE when some are kept, or -1.
 */
static int collect(emit_ctx *ec)
{
	window *w = ec->w;
	size_t i, n;
	int rc;

	if (w->due_count == 0)
		return 0;
	qsort(w->due, w->due_count, sizeof *w->due, by_start);
	for (i = 0; i < w->due_count; i++)
		w->due[i].window = i > 0 && w->due[i].start == w->due[i - 1].start ?
			w->due[i - 1].window : i;
	ec->due_first = w->due[0].start;
	ec->due_last = w->due[w->due_count - 1].start;
	w->found_count = 0;
	rc = find_due(ec);
	if (w->hopping)
		return rc == 0 ? emit_panes(ec) : rc;
	sort_found(w, w->found, w->found_count);
	if (w->part == 0) /* a firing begins: its parts */
		w->part = w->found_count / FIRE_PARTS >= ec->limit ?
			w->found_count / FIRE_PARTS + 1 : ec->limit;
	n = w->found_count < w->part ? w->found_count : w->part;
	/* outputs first: deleting moves what the pointers point to */
	for (i = 0; rc == 0 && i < n; i++) {
		const struct found *f = &w->found[i];

		rc = output(ec, window_get_start(f->key + 1),
			    window_get_start(f->key + 1) + w->size, f->key + HEAD,
			    f->klen - HEAD, f->acc);
	}
	for (i = 0; rc == 0 && i < n; i++)
		rc = delete_found(ec, &w->found[i]);
	if (rc == 0 && n < w->found_count) {
		if (keep_rest(w, n) != 0)
			rc = sl_error_set(ec->err, SL_ERR_RUNTIME, "out of memory");
		else
			rc = MORE;
	}
	return rc;
}

/* A backlog's firing is over: what it needed to sort goes back, beyond
 * what an ordinary firing needs again. */
static void release_found(window *w)
{
	if (w->found_cap <= FIRE_MAX * 4)
		return;
	free(w->found);
	free(w->order);
	w->found = NULL;
	w->order = NULL;
	w->found_count = w->found_cap = 0;
	window_groups_free(w);
}

/* Windows of a state partition close this far: its watermark (the wall
 * clock on processing time) less the allowed lateness; all at the end. */
static int64_t closed_upto(void *ctx, int32_t partition)
{
	emit_ctx *ec = ctx;
	window *w = ec->w;
	int64_t wm;

	ec->firing = partition; /* its timers fire next */
	if (ec->all)
		return INT64_MAX;
	wm = w->mode == TIME_PROCESSING ? w->wm :
		sl_watermark(w->stage, partition, ec->now);
	return wm == INT64_MIN ? INT64_MIN : wm - w->lateness;
}

/*
 * Emit the windows their partition's watermark has passed (all when
 * @p all), at wall clock @p now: @p limit results at most where the host
 * takes the rest later.  SL_OK, SL_MORE (some are left), or SL_ERR.
 */
int window_fire(window *w, sl_batch *out, int all, int64_t now, size_t limit,
		sl_error *err)
{
	emit_ctx ec = { w, out, err, now, all, w->parts ? limit : SIZE_MAX,
			NO_PARTITION, 0, 0 };
	int rc;

	w->due_count = 0;
	w->searched_count = 0;
	rc = sl_state_timers_fire_by(w->state, closed_upto, on_timer, &ec);
	if (rc == 0)
		rc = collect(&ec);
	if (rc == 0)
		index_forget(w, ec.due_last);
	w->due_count = 0;
	w->pane_count = 0;
	if (rc != MORE) {
		w->part = 0;
		release_found(w);
	}
	if (rc < 0)
		return SL_ERR;
	return rc == MORE ? SL_MORE : SL_OK;
}
