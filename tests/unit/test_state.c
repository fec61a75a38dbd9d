/* The keyed state store: values, timers, change tracking and restore. */
#include "config.h"

#include <stdint.h>

#include "check.h"
#include "state/state.h"

static int has(sl_state *st, const char *key, const char *want)
{
	sl_bytes b;

	if (!sl_store_get(st, key, strlen(key), &b))
		return want == NULL;
	return want != NULL && b.len == strlen(want) &&
	       memcmp(b.data, want, b.len) == 0;
}

static void put(sl_state *st, const char *key, const char *val)
{
	CHECK(sl_store_put(st, key, strlen(key), val, strlen(val)) == SL_OK);
}

static void test_values(void)
{
	sl_state *st = sl_store_new("");
	sl_bytes b1, b2;
	int created = -1;
	uint8_t *p;

	CHECK(has(st, "a", NULL));
	put(st, "a", "1");
	put(st, "b", "22");
	put(st, "", "empty key");
	CHECK(has(st, "a", "1") && has(st, "b", "22") && has(st, "", "empty key"));
	CHECK(sl_store_count(st) == 3);
	put(st, "a", "333");
	CHECK(has(st, "a", "333"));
	CHECK(sl_store_count(st) == 3);
	/* an update that fits reuses the entry's memory */
	CHECK(sl_store_get(st, "a", 1, &b1));
	put(st, "a", "444");
	CHECK(sl_store_get(st, "a", 1, &b2) && b1.data == b2.data);
	CHECK(sl_store_delete(st, "a", 1) == 1);
	CHECK(sl_store_delete(st, "a", 1) == 0);
	CHECK(has(st, "a", NULL) && sl_store_count(st) == 2);
	/* slot: zeroed when created, in place after */
	p = sl_store_slot(st, "c", 1, 8, &created);
	CHECK(p != NULL && created == 1 && memcmp(p, "\0\0\0\0\0\0\0\0", 8) == 0);
	memcpy(p, "abcdefgh", 8);
	p = sl_store_slot(st, "c", 1, 8, &created);
	CHECK(p != NULL && created == 0 && memcmp(p, "abcdefgh", 8) == 0);
	p = sl_store_slot(st, "c", 1, 10, &created);
	CHECK(p != NULL && created == 0 && memcmp(p, "abcdefgh\0\0", 10) == 0);
	CHECK(sl_store_count(st) == 3);
	sl_store_free(st);
}

/* Many keys, deletes in between: checked against a plain array. */
static void test_many(void)
{
	enum { N = 20000 };
	static int present[N];
	sl_state *st = sl_store_new("");
	char key[32];
	uint32_t seed = 7;
	size_t live = 0;
	int i, ok = 1;

	for (i = 0; i < 200000; i++) {
		int k, n;

		seed = seed * 1103515245u + 12345u;
		k = (int)((seed >> 8) % N);
		n = snprintf(key, sizeof key, "user-%d", k);
		if ((seed >> 4) % 3 == 0) {
			int was = sl_store_delete(st, key, (size_t)n);
			ok &= was == present[k];
			live -= (size_t)present[k];
			present[k] = 0;
		} else {
			int64_t v = k;
			ok &= sl_store_put(st, key, (size_t)n, &v, sizeof v) == SL_OK;
			live += (size_t)!present[k];
			present[k] = 1;
		}
	}
	CHECK(ok);
	CHECK(sl_store_count(st) == live);
	for (i = 0, ok = 1; i < N; i++) {
		sl_bytes b;
		int64_t v;
		int n = snprintf(key, sizeof key, "user-%d", i);
		int found = sl_store_get(st, key, (size_t)n, &b);

		ok &= found == present[i];
		if (found) {
			memcpy(&v, b.data, sizeof v);
			ok &= b.len == sizeof v && v == i;
		}
	}
	CHECK(ok);
	sl_store_free(st);
}

typedef struct fired {
	char log[512];
	size_t n;
	sl_state *st;
	int stop_at;   /* stop after this many (0 = never) */
	int count;
} fired;

static int on_fire(void *ctx, int64_t when, const void *key, size_t klen)
{
	fired *f = ctx;

	f->n += (size_t)snprintf(f->log + f->n, sizeof f->log - f->n, "%lld:%.*s ",
				 (long long)when, (int)klen, (const char *)key);
	/* firing may set new timers, even for the same key */
	if (klen == 5 && memcmp(key, "again", 5) == 0)
		sl_store_timer_set(f->st, when + 10, "later", 5);
	return ++f->count == f->stop_at ? 42 : 0;
}

static void test_timers(void)
{
	sl_state *st = sl_store_new("");
	fired f;
	int64_t when = 0;

	memset(&f, 0, sizeof f);
	f.st = st;
	CHECK(sl_store_timer_next(st, &when) == 0);
	CHECK(sl_store_timer_set(st, 30, "c", 1) == SL_OK);
	CHECK(sl_store_timer_set(st, 10, "b", 1) == SL_OK);
	CHECK(sl_store_timer_set(st, 10, "a", 1) == SL_OK);
	CHECK(sl_store_timer_set(st, 10, "b", 1) == SL_OK); /* again: once */
	CHECK(sl_store_timer_set(st, 20, "b", 1) == SL_OK); /* other time */
	CHECK(sl_store_timer_set(st, -5, "neg", 3) == SL_OK);
	CHECK(sl_store_timer_set(st, 25, "gone", 4) == SL_OK);
	CHECK(sl_store_timer_delete(st, 25, "gone", 4) == 1);
	CHECK(sl_store_timer_delete(st, 25, "gone", 4) == 0);
	CHECK(sl_store_timer_set(st, 15, "again", 5) == SL_OK);
	CHECK(sl_store_timer_next(st, &when) == 1 && when == -5);
	/* timers are not values */
	CHECK(sl_store_count(st) == 0 && has(st, "a", NULL));
	CHECK(sl_store_timers_fire(st, 20, on_fire, &f) == 0);
	CHECK_STR(f.log, "-5:neg 10:b 10:a 15:again 20:b ");
	CHECK(sl_store_timer_next(st, &when) == 1 && when == 25);
	f.n = 0;
	f.log[0] = '\0';
	CHECK(sl_store_timers_fire(st, 1000, on_fire, &f) == 0);
	CHECK_STR(f.log, "25:later 30:c ");
	CHECK(sl_store_timer_next(st, &when) == 0);
	/* fn's non-zero stops firing; the rest stay */
	CHECK(sl_store_timer_set(st, 1, "x", 1) == SL_OK);
	CHECK(sl_store_timer_set(st, 2, "y", 1) == SL_OK);
	f.count = 0;
	f.stop_at = 1;
	CHECK(sl_store_timers_fire(st, 10, on_fire, &f) == 42);
	CHECK(sl_store_timer_next(st, &when) == 1 && when == 2);
	sl_store_free(st);
}

/* Heap order under many timers, with cancellations. */
typedef struct order {
	int64_t last_when;
	int last_index;
	int count, ok;
} order;

static int check_order(void *ctx, int64_t when, const void *key, size_t klen)
{
	order *o = ctx;
	char buf[16];
	int index;

	snprintf(buf, sizeof buf, "%.*s", (int)klen, (const char *)key);
	index = atoi(buf + 1);
	/* by time, ties in the order set; cancelled ones (index % 3 == 0)
	 * never fire */
	o->ok &= when > o->last_when ||
		 (when == o->last_when && index > o->last_index);
	o->ok &= index % 3 != 0;
	o->last_when = when;
	o->last_index = index;
	o->count++;
	return 0;
}

static void test_timer_order(void)
{
	enum { N = 5000 };
	static int64_t at[N];
	sl_state *st = sl_store_new("");
	uint32_t seed = 3;
	order o = { INT64_MIN, -1, 0, 1 };
	int i, ok = 1;
	char key[16];

	for (i = 0; i < N; i++) {
		int n = snprintf(key, sizeof key, "k%d", i);

		seed = seed * 1103515245u + 12345u;
		at[i] = (int64_t)((seed >> 16) % 500) - 100;
		ok &= sl_store_timer_set(st, at[i], key, (size_t)n) == SL_OK;
	}
	for (i = 0; i < N; i += 3) {
		int n = snprintf(key, sizeof key, "k%d", i);
		ok &= sl_store_timer_delete(st, at[i], key, (size_t)n) == 1;
	}
	CHECK(ok);
	/* in several steps, as a watermark advances */
	for (i = -100; i <= 400; i += 37)
		CHECK(sl_store_timers_fire(st, i, check_order, &o) == 0);
	CHECK(sl_store_timers_fire(st, INT64_MAX, check_order, &o) == 0);
	CHECK(o.ok);
	CHECK(o.count == N - (N + 2) / 3);
	sl_store_free(st);
}

/* Changes since the last clear, serialized; restore rebuilds the store. */
typedef struct log {
	char text[1024];
	size_t n;
	sl_state *into; /* restore each change here too */
} log_t;

static int on_change(void *ctx, int32_t partition, const uint8_t *key,
		     size_t klen, const uint8_t *val, size_t vlen)
{
	log_t *l = ctx;
	size_t i;

	for (i = 0; i < klen; i++)
		l->n += (size_t)snprintf(l->text + l->n, sizeof l->text - l->n,
					 key[i] >= 0x20 && key[i] < 0x7f ? "%c" : "\\x%02x",
					 key[i]);
	if (val == NULL)
		l->n += (size_t)snprintf(l->text + l->n, sizeof l->text - l->n, "=DEL ");
	else
		l->n += (size_t)snprintf(l->text + l->n, sizeof l->text - l->n,
					 "=%.*s ", (int)vlen, (const char *)val);
	if (l->into != NULL && sl_store_restore(l->into, key, klen, val, vlen) != 0)
		return -1;
	return 0;
}

static void test_changes(void)
{
	sl_state *st = sl_store_new("agg"), *copy = sl_store_new("agg");
	log_t l;
	fired f;
	int64_t when;

	memset(&l, 0, sizeof l);
	memset(&f, 0, sizeof f);
	f.st = st;
	CHECK_STR(sl_store_name(st), "agg");
	put(st, "before", "x"); /* not tracked yet */
	sl_store_track(st, 1);
	put(st, "a", "1");
	put(st, "b", "2");
	put(st, "a", "3");      /* listed once, with its latest value */
	put(st, "c", "4");
	CHECK(sl_store_delete(st, "c", 1) == 1);
	CHECK(sl_store_delete(st, "before", 6) == 1);
	CHECK(sl_store_timer_set(st, 1, "w", 1) == SL_OK);
	CHECK(sl_store_timer_set(st, -1, "z", 1) == SL_OK);
	CHECK(sl_store_change_count(st) == 6);
	l.into = copy;
	CHECK(sl_store_changes(st, on_change, &l) == 0);
	/* c was born and deleted since the last commit: the log never
	 * had it, so no tombstone; "before" (there before tracking) has one */
	CHECK_STR(l.text, "va=3 vb=2 vbefore=DEL "
		  "t\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x01w= "
		  "t\\x7f\\xff\\xff\\xff\\xff\\xff\\xff\\xffz= ");
	/* the restored copy holds the same values and timers */
	CHECK(has(copy, "a", "3") && has(copy, "b", "2") && has(copy, "c", NULL));
	CHECK(sl_store_count(copy) == 2);
	CHECK(sl_store_timer_next(copy, &when) == 1 && when == -1);
	CHECK(sl_store_change_count(copy) == 0); /* restoring is not a change */
	/* deleted entries stay tombstones until cleared, then go */
	CHECK(has(st, "c", NULL));
	sl_store_changes_clear(st);
	CHECK(sl_store_change_count(st) == 0);
	put(st, "c", "5");      /* a deleted key comes back */
	CHECK(has(st, "c", "5"));
	/* firing a timer deletes it: a tombstone change */
	CHECK(sl_store_timers_fire(st, 0, on_fire, &f) == 0);
	CHECK_STR(f.log, "-1:z ");
	memset(&l, 0, sizeof l);
	l.into = copy;
	CHECK(sl_store_changes(st, on_change, &l) == 0);
	CHECK_STR(l.text, "vc=5 t\\x7f\\xff\\xff\\xff\\xff\\xff\\xff\\xffz=DEL ");
	CHECK(has(copy, "c", "5"));
	/* a value the log has (committed live above) gets its tombstone;
	 * one born and deleted in the same cycle still gets none */
	sl_store_changes_clear(st);
	CHECK(sl_store_delete(st, "a", 1) == 1);
	put(st, "brief", "1");
	CHECK(sl_store_delete(st, "brief", 5) == 1);
	put(st, "b", "6");
	CHECK(sl_store_delete(st, "b", 1) == 1);
	put(st, "b", "7");      /* deleted and back: its latest value */
	memset(&l, 0, sizeof l);
	CHECK(sl_store_changes(st, on_change, &l) == 0);
	CHECK_STR(l.text, "va=DEL vb=7 ");
	sl_store_changes_clear(st);
	CHECK(sl_store_timer_next(copy, &when) == 1 && when == 1);
	/* malformed changelog keys are refused */
	CHECK(sl_store_restore(copy, (const uint8_t *)"q", 1, NULL, 0) == -1);
	CHECK(sl_store_restore(copy, (const uint8_t *)"t12", 3, NULL, 0) == -1);
	CHECK(sl_store_restore(copy, (const uint8_t *)"", 0, NULL, 0) == -1);
	/* clear empties the store */
	sl_store_clear(copy);
	CHECK(sl_store_count(copy) == 0 && sl_store_timer_next(copy, &when) == 0);
	put(copy, "again", "ok");
	CHECK(has(copy, "again", "ok"));
	/* tracking off forgets pending changes */
	sl_store_track(st, 0);
	CHECK(sl_store_change_count(st) == 0);
	sl_store_free(st);
	sl_store_free(copy);
}

static int count_each(void *ctx, const void *key, size_t klen, const void *val,
		      size_t vlen)
{
	(void)key;
	(void)val;
	*(size_t *)ctx += klen + vlen;
	return 0;
}

static void test_each(void)
{
	sl_state *st = sl_store_new("");
	size_t total = 0;

	put(st, "ab", "cde");
	put(st, "f", "g");
	CHECK(sl_store_timer_set(st, 1, "timer", 5) == SL_OK); /* not a value */
	CHECK(sl_store_each(st, count_each, &total) == 0 && total == 7);
	sl_store_free(st);
}

/* Each in one partition: its values only, none of another's, no timer. */
static void test_each_in(void)
{
	sl_state *st = sl_store_new("");
	size_t total = 0;

	sl_store_set_partition(st, 0);
	put(st, "ab", "cde");
	put(st, "moved", "x");
	CHECK(sl_store_timer_set(st, 1, "timer", 5) == SL_OK);
	sl_store_set_partition(st, 2);
	put(st, "f", "g");
	put(st, "moved", "y");  /* now partition 2's */
	CHECK(sl_store_each_in(st, 0, count_each, &total) == 0 && total == 5);
	total = 0;
	CHECK(sl_store_each_in(st, 2, count_each, &total) == 0 && total == 8);
	total = 0;
	CHECK(sl_store_each_in(st, 1, count_each, &total) == 0 && total == 0);
	sl_store_delete(st, "f", 1);
	CHECK(sl_store_each_in(st, 2, count_each, &total) == 0 && total == 6);
	sl_store_free(st);
}

/* Changes carry the partition of the record that wrote them. */
static int on_partition(void *ctx, int32_t partition, const uint8_t *key,
			size_t klen, const uint8_t *val, size_t vlen)
{
	char *text = ctx;
	size_t n = strlen(text);

	if (key[0] == 'v')
		snprintf(text + n, 256 - n, "%d:%.*s%s ", (int)partition,
			 (int)klen - 1, (const char *)key + 1, val ? "" : "=DEL");
	else
		snprintf(text + n, 256 - n, "%d:timer ", (int)partition);
	return 0;
}

/* Entries belong to the input partition that last wrote them; dropping a
 * partition forgets its entries, timers and pending changes only. */
static void test_partitions(void)
{
	sl_state *st = sl_store_new("p");
	char text[256] = "";
	int64_t when;

	sl_store_track(st, 1);
	sl_store_set_partition(st, 0);
	put(st, "a", "1");
	put(st, "moved", "1");
	sl_store_set_partition(st, 3);
	put(st, "b", "2");
	put(st, "moved", "2");  /* now partition 3's */
	CHECK(sl_store_timer_set(st, 7, "b", 1) == SL_OK);
	CHECK(sl_store_changes(st, on_partition, text) == 0);
	CHECK_STR(text, "0:a 3:moved 3:b 3:timer ");
	sl_store_changes_clear(st);
	sl_store_set_partition(st, 0);
	put(st, "c", "3");
	sl_store_set_partition(st, 3);
	put(st, "d", "4");      /* a pending change of the partition to drop */
	sl_store_drop_partition(st, 3);
	CHECK(has(st, "a", "1") && has(st, "c", "3"));
	CHECK(has(st, "b", NULL) && has(st, "moved", NULL) && has(st, "d", NULL));
	CHECK(sl_store_timer_next(st, &when) == 0);
	CHECK(sl_store_count(st) == 2);
	text[0] = '\0';
	CHECK(sl_store_changes(st, on_partition, text) == 0);
	CHECK_STR(text, "0:c ");  /* dropping is not a change */
	sl_store_free(st);
}

/* A timer set in another state partition than the current one belongs to
 * that partition: its change carries it, and dropping it drops the timer;
 * the current partition stays. */
static void test_timer_set_in(void)
{
	sl_state *st = sl_store_new("p");
	char text[256] = "";
	int64_t when;

	sl_store_track(st, 1);
	sl_store_set_partition(st, 3);
	CHECK(sl_store_timer_set_in(st, 0, 5, "w", 1) == SL_OK);
	CHECK(sl_store_timer_set_in(st, 0, 5, "w", 1) == SL_OK); /* once */
	CHECK(sl_store_timer_set(st, 9, "x", 1) == SL_OK);
	CHECK(sl_store_changes(st, on_partition, text) == 0);
	CHECK_STR(text, "0:timer 3:timer ");
	sl_store_drop_partition(st, 3);
	CHECK(sl_store_timer_next(st, &when) == 1 && when == 5);
	sl_store_drop_partition(st, 0);
	CHECK(sl_store_timer_next(st, &when) == 0);
	sl_store_free(st);
}

/* While a partition's timers fire, what their callback writes is that
 * partition's (its changes carry it); the current partition comes back
 * after. */
static int rewrite_on_fire(void *ctx, int64_t when, const void *key,
			   size_t klen)
{
	sl_state *st = ctx;

	(void)when;
	return sl_store_put(st, key, klen, "fired", 5) == SL_OK ? 0 : -1;
}

static int64_t fire_all(void *ctx, int32_t partition)
{
	(void)ctx;
	(void)partition;
	return INT64_MAX;
}

static void test_fire_by_partition(void)
{
	sl_state *st = sl_store_new("p");
	char text[256] = "";

	sl_store_set_partition(st, 2);
	put(st, "k", "open");
	CHECK(sl_store_timer_set(st, 5, "k", 1) == SL_OK);
	sl_store_set_partition(st, 0);
	put(st, "z", "other");
	sl_store_track(st, 1);
	CHECK(sl_store_timers_fire_by(st, fire_all, rewrite_on_fire, st) == 0);
	CHECK(has(st, "k", "fired"));
	CHECK(sl_store_changes(st, on_partition, text) == 0);
	CHECK_STR(text, "2:timer 2:k ");
	text[0] = '\0';
	sl_store_changes_clear(st);
	put(st, "y", "1");
	CHECK(sl_store_changes(st, on_partition, text) == 0);
	CHECK_STR(text, "0:y ");
	sl_store_free(st);
}

/* The generation grows with what comes or goes behind the stage's back
 * (restored, a partition dropped, cleared), never with its own writes. */
static void test_generation(void)
{
	sl_state *st = sl_store_new("g");
	uint64_t g0, g1, g2;

	sl_store_track(st, 1);
	g0 = sl_store_generation(st);
	put(st, "a", "1");
	CHECK(sl_store_delete(st, "a", 1) == 1);
	CHECK(sl_store_timer_set(st, 5, "w", 1) == SL_OK);
	sl_store_changes_clear(st);
	CHECK(sl_store_generation(st) == g0);
	CHECK(sl_store_restore(st, (const uint8_t *)"vb", 2,
			       (const uint8_t *)"2", 1) == 0);
	g1 = sl_store_generation(st);
	CHECK(g1 > g0);
	CHECK(has(st, "b", "2"));
	sl_store_drop_partition(st, 3);
	g2 = sl_store_generation(st);
	CHECK(g2 > g1);
	sl_store_clear(st);
	CHECK(sl_store_generation(st) > g2);
	sl_store_free(st);
}

int main(void)
{
	test_generation();
	test_values();
	test_many();
	test_timers();
	test_timer_order();
	test_changes();
	test_each();
	test_each_in();
	test_timer_set_in();
	test_partitions();
	test_fire_by_partition();
	return check_done("test_state");
}
