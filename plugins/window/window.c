/*
 * window.c - tumbling windows per key, fired by the watermark.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sluice/plugin.h>

#include "../lib/aggfn.h"
#include "../lib/groupkey.h"
#include "../lib/ordersort.h"

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
	slop_agg agg;
	int mode;               /* enum time_mode */
	slop_path field;        /* TIME_EVENT */
	int64_t size, lateness;
	int64_t wm;             /* processing time: the wall clock seen */
	uint8_t *key;           /* state key buffer, reused */
	size_t key_cap;
	int64_t emitted;        /* sequence number of outputs, for origins */
	int parts;              /* the host takes SL_MORE: fire in parts */
	size_t part;            /* results a call while parts go on, else 0 */
	uint64_t arrived;       /* order of (window, key)s as they open */

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
		uint64_t seq;
		const uint8_t *key;
		size_t klen;
		const void *acc;
	} *found;
	size_t found_count, found_cap;
	slop_order *order;      /* found's order: room for found_cap, twice */
} window;

/* The first byte of this layout's keys. */
#define LAYOUT 1
/* Its values: the accumulator, then the order of the key's first record
 * (8 bytes, big-endian), which orders a window's results. */
#define VALUE_SIZE (SLOP_ACC_SIZE + 8)
/* [LAYOUT][start][partition]: where the group key begins. */
#define HEAD 13

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void window_close(void *self)
{
	window *w = self;

	if (w == NULL)
		return;
	slop_agg_close(&w->agg);
	slop_path_free(&w->field);
	free(w->key);
	free(w->due);
	free(w->searched);
	free(w->found);
	free(w->order);
	free(w);
}

static int open_time(window *w, const sl_stage *stage, sl_error *err)
{
	const char *time = sl_option(stage, "time"), *why = NULL;
	int rc;

	if (time == NULL || strcmp(time, "record") == 0) {
		w->mode = TIME_RECORD;
		return SL_OK;
	}
	if (strcmp(time, "processing") == 0) {
		w->mode = TIME_PROCESSING;
		return SL_OK;
	}
	if (strncmp(time, "event:", 6) != 0)
		return sl_config_error(stage, "time", err,
				       "expected event:FIELD, record or processing");
	w->mode = TIME_EVENT;
	rc = slop_path_parse(&w->field, time + 6, strlen(time + 6), &why);
	if (rc == -2)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (rc != 0 || w->field.count == 0)
		return sl_config_error(stage, "time", err,
				       "event: needs the field holding the event "
				       "time in ms, e.g. event:ts");
	return SL_OK;
}

/* The window's options, read and checked: what check and open share. */
static int read_options(window *w, const sl_stage *stage, sl_error *err)
{
	const char *type = sl_option(stage, "type");

	w->size = sl_option_duration_ms(stage, "size");
	w->lateness = sl_option_duration_ms(stage, "allowed.lateness");
	if (type != NULL && strcmp(type, "tumbling") != 0)
		return sl_config_error(stage, "type", err,
				       "only tumbling windows exist");
	if (w->size <= 0 || w->size > TS_LIMIT)
		return sl_config_error(stage, "size", err, "must be at least 1ms");
	if (w->lateness < 0 || w->lateness > TS_LIMIT)
		return sl_config_error(stage, "allowed.lateness", err,
				       "out of range");
	if (open_time(w, stage, err) != SL_OK ||
	    slop_agg_open(&w->agg, stage, "function", err) != SL_OK)
		return SL_ERR;
	return SL_OK;
}

static int window_check(const sl_stage *stage, sl_error *err)
{
	window *w = calloc(1, sizeof *w);
	int rc;

	if (w == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	rc = read_options(w, stage, err);
	window_close(w);
	return rc;
}

static int window_open(sl_stage *stage, void **self, sl_error *err)
{
	window *w = calloc(1, sizeof *w);

	if (w == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	w->stage = stage;
	w->wm = INT64_MIN;
	w->parts = SL_HOST_HAS(state_timer_set_in);
	/* later than what a restored store holds: microseconds of the wall
	 * clock, then one by one */
	w->arrived = (uint64_t)wall_ms() * 1000;
	if (read_options(w, stage, err) != SL_OK ||
	    (w->mode != TIME_PROCESSING &&
	     sl_watermark_open(stage, sl_option_duration_ms(stage, "idle.timeout"),
			       err) != SL_OK) ||
	    (w->state = sl_state_open(stage, NULL, err)) == NULL)
		goto fail;
	*self = w;
	return SL_OK;
fail:
	window_close(w);
	return SL_ERR;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Window starts sort as unsigned big-endian bytes. */
static void put_start(uint8_t *p, int64_t start)
{
	put_u64(p, (uint64_t)start ^ UINT64_C(0x8000000000000000));
}

static int64_t get_start(const uint8_t *p)
{
	return (int64_t)(get_u64(p) ^ UINT64_C(0x8000000000000000));
}

/* The event time of @p r in *@p ts; SL_OK, or SL_ERR with @p why. */
static int event_time(const window *w, const sl_record *r, int64_t now,
		      int64_t *ts, sl_error *why)
{
	const sl_value *v;

	switch (w->mode) {
	case TIME_PROCESSING:
		*ts = now;
		return SL_OK;
	case TIME_RECORD:
		if (r->timestamp < 0)
			return sl_error_set(why, SL_ERR_RECORD,
					    "the record has no timestamp "
					    "(time = record)");
		*ts = r->timestamp;
		return SL_OK;
	default:
		break;
	}
	v = slop_path_get(&w->field, r->value);
	if (v == NULL || v->type == SL_TNULL)
		return sl_error_set(why, SL_ERR_RECORD,
				    "no event time: field '%s' is missing",
				    w->field.text);
	if (v->type == SL_TINT) {
		*ts = v->as.i;
	} else if (v->type == SL_TDOUBLE && v->as.d > -(double)TS_LIMIT &&
		   v->as.d < (double)TS_LIMIT) {
		*ts = (int64_t)v->as.d;
		if ((double)*ts > v->as.d)
			(*ts)--; /* floor, for negative times */
	} else {
		return sl_error_set(why, SL_ERR_RECORD,
				    "event time field '%s' is %s, not a time in ms",
				    w->field.text, sl_type_name(v->type));
	}
	if (*ts <= -TS_LIMIT || *ts >= TS_LIMIT)
		return sl_error_set(why, SL_ERR_RECORD,
				    "event time %lld in '%s' is out of range",
				    (long long)*ts, w->field.text);
	return SL_OK;
}

static int64_t window_start(const window *w, int64_t ts)
{
	int64_t r = ts % w->size;

	return ts - (r < 0 ? r + w->size : r);
}

static void put_partition(uint8_t *p, int32_t partition)
{
	uint32_t v = (uint32_t)partition;

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Room for @p len bytes in w->key; 0 when out of memory. */
static int key_room(window *w, size_t len)
{
	size_t cap = w->key_cap ? w->key_cap : 64;
	uint8_t *k;

	if (len <= w->key_cap)
		return 1;
	while (cap < len)
		cap *= 2;
	if ((k = realloc(w->key, cap)) == NULL)
		return 0;
	w->key = k;
	w->key_cap = cap;
	return 1;
}

/* The state key [1][start][partition][group key] in w->key; its length,
 * or 0 (out of memory). */
static size_t state_key(window *w, int64_t start, int32_t partition,
			const char *gk, size_t gklen)
{
	if (!key_room(w, gklen + HEAD))
		return 0;
	w->key[0] = LAYOUT;
	put_start(w->key + 1, start);
	put_partition(w->key + 9, partition);
	if (gklen)
		memcpy(w->key + HEAD, gk, gklen);
	return gklen + HEAD;
}

/* @p key copied into w->key; its length, or 0 (out of memory). */
static size_t state_copy(window *w, const uint8_t *key, size_t klen)
{
	if (!key_room(w, klen))
		return 0;
	memcpy(w->key, key, klen);
	return klen;
}

/* A state partition not known: the whole store is searched. */
#define NO_PARTITION INT32_MIN

typedef struct emit_ctx {
	window *w;
	sl_batch *out;
	sl_error *err;
	int64_t now;
	int all;                /* every window fires: the end of input */
	size_t limit;           /* results of this call at most */
	int32_t firing;         /* the state partition whose timers fire */
} emit_ctx;

/* collect's return: some due results wait for the next call. */
#define MORE 1

/* One window's result for one key, @p gk, as a record of the batch. */
static int output(emit_ctx *ec, int64_t start, const uint8_t *gk, size_t gklen,
		  const void *acc)
{
	window *w = ec->w;
	int64_t bounds[2] = { start, start + w->size };
	sl_record *r;
	sl_value *v, *k;

	v = sl_arena_alloc(ec->out->arena, sizeof *v);
	r = sl_batch_push(ec->out);
	if (v == NULL || r == NULL ||
	    slop_agg_output(&w->agg, acc, (const char *)gk, gklen, 1, bounds,
			    ec->out->arena, v, &k) != 0)
		return sl_error_set(ec->err, SL_ERR_RUNTIME, "out of memory");
	sl_record_set_value(r, v);
	sl_record_set_key(r, k);
	r->timestamp = bounds[1] - 1; /* the last instant inside the window */
	r->origin.stage = sl_stage_name(w->stage);
	r->origin.offset = w->emitted++;
	return 0;
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
	if (output(ec, get_start(k), k + 8, klen - 8, acc.data) != 0)
		return -1;
	sl_state_delete(w->state, key, klen);
	return 0;
}

/* Due windows by start, then partition. */
static int due_cmp(int64_t start, const uint8_t *partition, const struct due *d)
{
	if (start != d->start)
		return start < d->start ? -1 : 1;
	return memcmp(partition, d->partition, 4);
}

static int by_start(const void *a, const void *b)
{
	const struct due *y = b;

	return due_cmp(((const struct due *)a)->start,
		       ((const struct due *)a)->partition, y);
}

/* The index of the due window that @p key's accumulator belongs to, or
 * -1: a binary search of w->due, sorted by by_start. */
static long due_of(const window *w, const uint8_t *key)
{
	int64_t start = get_start(key + 1);
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

static int find_one(void *ctx, const void *key, size_t klen, const void *val,
		    size_t vlen)
{
	emit_ctx *ec = ctx;
	window *w = ec->w;
	const uint8_t *k = key;
	long due;

	if (klen < HEAD || k[0] != LAYOUT || (due = due_of(w, k)) < 0)
		return 0;
	if (w->found_count == w->found_cap) {
		size_t cap = w->found_cap ? w->found_cap * 2 : 256;
		struct found *f = realloc(w->found, cap * sizeof *f);
		slop_order *o = f == NULL ? NULL :
			realloc(w->order, 2 * cap * sizeof *o);

		if (f != NULL)
			w->found = f;
		if (o == NULL)
			return sl_error_set(ec->err, SL_ERR_RUNTIME, "out of memory");
		w->order = o;
		w->found_cap = cap;
	}
	w->found[w->found_count].due = (size_t)due;
	w->found[w->found_count].window = w->due[due].window;
	w->found[w->found_count].seq = vlen >= VALUE_SIZE ?
		get_u64((const uint8_t *)val + SLOP_ACC_SIZE) : 0;
	w->found[w->found_count].key = k;
	w->found[w->found_count].klen = klen;
	w->found[w->found_count++].acc = val;
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
 * found in by_due's order.  (window, seq) as one 64-bit key, seq counted
 * from the smallest found, radix-sorted (a window's keys came within a
 * short stretch of seq); qsort when the two do not fit in 64 bits.
 */
static void sort_found(window *w)
{
	size_t i, n = w->found_count;
	uint64_t low = UINT64_MAX, high = 0;
	unsigned seq_bits;
	struct found *f = w->found;

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

/*
 * Find the accumulators of the due windows: in their state partitions
 * only, each searched once, which leaves most of the store unread, when
 * the host can and every due window's partition is known; else in the
 * whole store.
 */
static int find_due(emit_ctx *ec)
{
	window *w = ec->w;
	size_t i;
	int rc = 0;

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
	w->found_count = 0;
	rc = find_due(ec);
	sort_found(w);
	if (w->part == 0) /* a firing begins: its parts */
		w->part = w->found_count / FIRE_PARTS >= ec->limit ?
			w->found_count / FIRE_PARTS + 1 : ec->limit;
	n = w->found_count < w->part ? w->found_count : w->part;
	/* outputs first: deleting moves what the pointers point to */
	for (i = 0; rc == 0 && i < n; i++) {
		const struct found *f = &w->found[i];

		rc = output(ec, get_start(f->key + 1), f->key + HEAD,
			    f->klen - HEAD, f->acc);
	}
	for (i = 0; rc == 0 && i < n; i++) {
		/* the key's bytes go with the entry: copy them first */
		size_t klen = state_copy(w, w->found[i].key, w->found[i].klen);

		if (klen == 0)
			rc = sl_error_set(ec->err, SL_ERR_RUNTIME, "out of memory");
		else
			sl_state_delete(w->state, w->key, klen);
	}
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
static int fire(window *w, sl_batch *out, int all, int64_t now, size_t limit,
		sl_error *err)
{
	emit_ctx ec = { w, out, err, now, all, w->parts ? limit : SIZE_MAX,
			NO_PARTITION };
	int rc;

	w->due_count = 0;
	w->searched_count = 0;
	rc = sl_state_timers_fire_by(w->state, closed_upto, on_timer, &ec);
	if (rc == 0)
		rc = collect(&ec);
	w->due_count = 0;
	if (rc != MORE) {
		w->part = 0;
		release_found(w);
	}
	if (rc < 0)
		return SL_ERR;
	return rc == MORE ? SL_MORE : SL_OK;
}

/* Fold one record into its window.  SL_OK, SL_SKIP or SL_ERR. */
static int add(window *w, sl_batch *batch, sl_record *r, int64_t now,
	       sl_error *err)
{
	sl_error why;
	slop_input in;
	int64_t ts = 0, start, wm;
	const char *gk;
	size_t gklen, klen;
	uint8_t *acc, tkey[5];
	int created;

	if (event_time(w, r, now, &ts, &why) != SL_OK ||
	    slop_agg_input(&w->agg, r, &in, &why) != SL_OK)
		return sl_record_error(w->stage, r, err, "%s", why.message);
	start = window_start(w, ts);
	wm = w->mode == TIME_PROCESSING ? w->wm :
		sl_watermark(w->stage, r->origin.partition, now);
	if (wm != INT64_MIN && start + w->size + w->lateness <= wm) {
		sl_metric_add(w->stage, "late", 1);
		if (w->mode != TIME_PROCESSING)
			sl_watermark_observe(w->stage, r, ts, now);
		return sl_record_error(w->stage, r, err,
				       "late record: event time %lld is in window "
				       "[%lld, %lld), closed at watermark %lld "
				       "(allowed.lateness %lld ms)",
				       (long long)ts, (long long)start,
				       (long long)(start + w->size),
				       (long long)wm,
				       (long long)w->lateness);
	}
	if (slop_group_key(r->key, batch->arena, &gk, &gklen) != 0)
		return sl_record_error(w->stage, r, err,
				       "the key cannot be written as text");
	klen = state_key(w, start, r->origin.partition, gk, gklen);
	acc = klen ? sl_state_slot(w->state, w->key, klen, VALUE_SIZE,
				   &created) : NULL;
	/* the window's timer for this partition: set once, then found */
	tkey[0] = LAYOUT;
	put_partition(tkey + 1, r->origin.partition);
	if (acc == NULL || (created && sl_state_timer_set(w->state,
				start + w->size, tkey, sizeof tkey) != SL_OK))
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (created)
		put_u64(acc + SLOP_ACC_SIZE, w->arrived++);
	slop_agg_fold(&w->agg, acc, &in);
	if (w->mode != TIME_PROCESSING)
		sl_watermark_observe(w->stage, r, ts, now);
	return SL_OK;
}

static int window_process(void *self, sl_batch *batch, sl_error *err)
{
	window *w = self;
	int64_t now = wall_ms();
	uint32_t i, n = batch->count;
	int rc = SL_OK;

	if (w->mode == TIME_PROCESSING && now > w->wm)
		w->wm = now;
	for (i = 0; i < n; i++) {
		rc = add(w, batch, &batch->records[i], now, err);
		if (rc == SL_ERR)
			break;
		rc = SL_OK;
	}
	/* the inputs are consumed; what fires replaces them */
	batch->count = 0;
	if (rc == SL_ERR && err->kind != SL_ERR_RECORD)
		return SL_ERR;
	/* The engine gives a stateful stage's records a partition at a
	 * time, each run's results in one batch: the tick that follows the
	 * batch fires, in parts of their own.  After a failed record the
	 * job stops: what is due goes first. */
	if (w->parts && rc == SL_OK)
		return SL_MORE;
	if (fire(w, batch, 0, now, FIRE_MAX, rc == SL_OK ? err : &(sl_error){ 0 }) ==
	    SL_ERR && rc == SL_OK)
		return SL_ERR;
	return rc;
}

static int window_tick(void *self, int64_t now_ms, sl_batch *out, sl_error *err)
{
	window *w = self;

	if (w->mode == TIME_PROCESSING && now_ms > w->wm)
		w->wm = now_ms;
	return fire(w, out, 0, now_ms, FIRE_MAX, err);
}

/* End of input: the watermark moves to the end, every window fires. */
static int window_finish(void *self, sl_batch *out, sl_error *err)
{
	window *w = self;

	return fire(w, out, 1, 0, FIRE_MAX, err);
}

/* The event time of @p r as add() will read it (for the engine, in front
 * of a repartition topic). */
static int window_event_time(void *self, const sl_record *r, int64_t *ts)
{
	const window *w = self;
	sl_error why;

	if (w->mode == TIME_PROCESSING)
		return SL_SKIP;
	return event_time(w, r, 0, ts, &why) == SL_OK ? SL_OK : SL_SKIP;
}

/* Designated: the class grows at the end. */
static const sl_operator_class window_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = window_open,
	.process = window_process,
	.tick = window_tick,
	.finish = window_finish,
	.close = window_close,
	.event_time = window_event_time,
	.check = window_check,
};

SL_PLUGIN("window", .op = &window_op, .host_needs = SL_HOST_SIZE_WITH(state_timers_fire_by))
