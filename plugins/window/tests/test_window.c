/*
 * The window operator against hand-computed outputs: boundaries,
 * out-of-order and late events, allowed lateness, a watermark per
 * partition, idle inputs, end of input, processing time and type errors.
 */
#include "config.h"

#include <unistd.h>

#include "check.h"
#include "optest.h"
#include "state/state.h"

#define W(key, start, end, n)                                              \
	"\"" key "\" {\"key\":\"" key "\",\"window_start\":" #start            \
	",\"window_end\":" #end ",\"count\":" #n "}\n"

static optest t;

/* The sum of the "count" fields of rendered outputs. */
static int count_total(const char *out)
{
	const char *p;
	int total = 0;

	for (p = out; (p = strstr(p, "\"count\":")) != NULL; p++)
		total += atoi(p + 8);
	return total;
}

/* idle.timeout = 0 unless given: the watermark moves with the first
 * record, so outputs do not depend on the wall clock. */
static void open_window(const char *extra1, const char *extra2, int errors)
{
	const char *opts[] = { "size=60s", "time=event:ts", "function=count",
			       extra1 ? extra1 : "idle.timeout=0", extra2, NULL };

	CHECK(optest_open(&t, "window", opts, errors) == SL_OK);
}

/* ts on partition @p part of source "src", keyed by @p key. */
static void ev(const char *key, int64_t ts, int32_t part)
{
	char value[64], k[32];

	snprintf(value, sizeof value, "{\"ts\":%lld}", (long long)ts);
	snprintf(k, sizeof k, "\"%s\"", key);
	optest_add(&t, value, k, -1, "src", part);
}

/* An event exactly at a window's end belongs to the next window. */
static void test_boundaries(void)
{
	open_window(NULL, NULL, SL_ERRORS_FAIL);
	ev("a", 0, 0);
	ev("b", 30000, 0);
	ev("a", 59999, 0);
	ev("a", 60000, 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 2) W("b", 0, 60000, 1));
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 60000, 120000, 1));
	/* nothing is left after the end */
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, "");
	optest_close(&t);
}

/* Negative event times: floor, not truncation toward zero. */
static void test_negative_times(void)
{
	open_window(NULL, NULL, SL_ERRORS_FAIL);
	ev("a", -60001, 0);
	ev("a", -60000, 0);
	ev("a", -1, 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, W("a", -120000, -60000, 1));
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, W("a", -60000, 0, 2));
	optest_close(&t);
}

/* Out of order but before the watermark passes: counted; after: late. */
static void test_out_of_order_and_late_skip(void)
{
	open_window(NULL, NULL, SL_ERRORS_SKIP);
	ev("a", 10000, 0);
	ev("a", 5000, 0);   /* older, but its window is open */
	ev("a", 61000, 0);  /* watermark 61000: [0, 60000) fires */
	ev("a", 59000, 0);  /* late */
	ev("a", 62000, 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 2));
	CHECK(optest_metric(&t, "late") == 1);
	CHECK(t.stage.skipped == 1);
	/* across batches too */
	ev("b", 1000, 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	CHECK(optest_metric(&t, "late") == 2 && t.stage.skipped == 2);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 60000, 120000, 2));
	optest_close(&t);
}

/* Under errors = fail a late record stops the job; outputs produced by
 * the records before it are kept. */
static void test_late_fail(void)
{
	open_window(NULL, NULL, SL_ERRORS_FAIL);
	ev("a", 1000, 0);
	ev("a", 60500, 0);
	ev("a", 2000, 0);   /* late: fails */
	ev("a", 130000, 0); /* never processed */
	CHECK(optest_process(&t) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_RECORD);
	CHECK_HAS(t.err.message, "stage 'op'");
	CHECK_HAS(t.err.message, "late record: event time 2000 is in window "
		  "[0, 60000), closed at watermark 60500");
	CHECK_STR(t.out, W("a", 0, 60000, 1));
	CHECK(optest_metric(&t, "late") == 1);
	optest_close(&t);
}

/* allowed.lateness keeps a window open past its end. */
static void test_allowed_lateness(void)
{
	open_window("allowed.lateness=10s", "idle.timeout=0", SL_ERRORS_SKIP);
	ev("a", 1000, 0);
	ev("a", 65000, 0);  /* watermark 65000 < 60000 + 10000 */
	ev("a", 59000, 0);  /* still taken */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	ev("a", 70000, 0);  /* 70000 >= 70000: fires */
	ev("a", 3000, 0);   /* now late */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 2));
	CHECK(optest_metric(&t, "late") == 1 && t.stage.skipped == 1);
	optest_close(&t);
}

/* Each partition of the state has its own watermark: one running ahead
 * closes its own windows, never another's, and makes no record of
 * another partition late. */
static void test_partitions(void)
{
	open_window(NULL, NULL, SL_ERRORS_FAIL);
	ev("a", 10000, 1);
	ev("b", 20000, 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	ev("b", 70000, 0);          /* partition 0 passes 60000 */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, W("b", 0, 60000, 1));
	ev("a", 30000, 1);          /* partition 1 is at 10000: not late */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	ev("a", 65000, 1);          /* now partition 1 passes 60000 */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 2));
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, W("b", 60000, 120000, 1) W("a", 60000, 120000, 1));
	optest_close(&t);
}

/* Partitions of different sources and topics are different inputs. */
static void test_sources(void)
{
	open_window(NULL, NULL, SL_ERRORS_FAIL);
	optest_add(&t, "{\"ts\":1000}", "\"a\"", -1, "two", -1);
	optest_add(&t, "{\"ts\":70000}", "\"a\"", -1, "one", -1);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	optest_add(&t, "{\"ts\":80000}", "\"a\"", -1, "two", -1);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 1));
	optest_close(&t);
}

/* Two inputs of one partition (two unpartitioned sources): the smaller
 * maximum holds the watermark until its input is idle (tick). */
static void test_idle_tick(void)
{
	int64_t now = optest_now();

	open_window("idle.timeout=5s", NULL, SL_ERRORS_SKIP);
	optest_add(&t, "{\"ts\":10000}", "\"a\"", -1, "two", -1);
	optest_add(&t, "{\"ts\":70000}", "\"a\"", -1, "one", -1);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	CHECK(optest_tick(&t, now + 1000) == SL_OK);
	CHECK_STR(t.out, "");       /* not idle yet */
	CHECK(optest_tick(&t, now + 6000) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 1));
	CHECK(optest_metric(&t, "late") == 0);
	optest_close(&t);
}

/* Unpartitioned inputs (files, generators) need no start-up wait: with
 * the default idle.timeout the watermark moves at once. */
static void test_unpartitioned(void)
{
	const char *opts[] = { "size=60s", "time=event:ts", "function=count", NULL };

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_SKIP) == SL_OK);
	optest_add(&t, "{\"ts\":1000}", "\"a\"", -1, "file", -1);
	optest_add(&t, "{\"ts\":60000}", "\"a\"", -1, "file", -1);
	optest_add(&t, "{\"ts\":2000}", "\"a\"", -1, "file", -1);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 1));
	CHECK(optest_metric(&t, "late") == 1);
	optest_close(&t);
}

/* One input idle, the other busy: the busy one sets the watermark, and
 * the idle one's old records are late when it wakes. */
static void test_idle_partition(void)
{
	open_window("idle.timeout=50ms", NULL, SL_ERRORS_SKIP);
	optest_add(&t, "{\"ts\":10000}", "\"a\"", -1, "two", -1);
	CHECK(optest_process(&t) == SL_OK);
	usleep(120 * 1000);
	optest_add(&t, "{\"ts\":70000}", "\"a\"", -1, "one", -1);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 1));
	/* "two" wakes: its window has closed */
	optest_add(&t, "{\"ts\":20000}", "\"a\"", -1, "two", -1);
	optest_add(&t, "{\"ts\":75000}", "\"a\"", -1, "two", -1);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	CHECK(optest_metric(&t, "late") == 1);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 60000, 120000, 2));
	optest_close(&t);
}

/* idle.timeout = 0: an input never goes idle. */
static void test_never_idle(void)
{
	open_window(NULL, NULL, SL_ERRORS_FAIL);
	optest_add(&t, "{\"ts\":10000}", "\"a\"", -1, "two", -1);
	optest_add(&t, "{\"ts\":70000}", "\"a\"", -1, "one", -1);
	CHECK(optest_process(&t) == SL_OK);
	CHECK(optest_tick(&t, optest_now() + 3600 * 1000) == SL_OK);
	CHECK_STR(t.out, "");
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 1) W("a", 60000, 120000, 1));
	optest_close(&t);
}

/* Bad event times are per-record errors, under skip and under fail. */
static void test_type_errors(void)
{
	open_window(NULL, NULL, SL_ERRORS_SKIP);
	ev("a", 1000, 0);
	optest_add(&t, "{\"nots\":1}", "\"a\"", -1, "src", 0);
	optest_add(&t, "{\"ts\":\"12:00\"}", "\"a\"", -1, "src", 0);
	optest_add(&t, "{\"ts\":null}", "\"a\"", -1, "src", 0);
	optest_add(&t, "{\"ts\":1e300}", "\"a\"", -1, "src", 0);
	optest_add(&t, "{\"ts\":1500.7}", "\"a\"", -1, "src", 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK(t.stage.skipped == 4);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, W("a", 0, 60000, 2));
	optest_close(&t);

	open_window(NULL, NULL, SL_ERRORS_FAIL);
	ev("a", 1000, 0);
	ev("a", 61000, 0);
	optest_add(&t, "{\"ts\":\"12:00\"}", "\"a\"", -1, "src", 0);
	ev("a", 125000, 0);
	CHECK(optest_process(&t) == SL_ERR);
	CHECK_HAS(t.err.message, "event time field 'ts' is string, not a time in ms");
	CHECK_STR(t.out, W("a", 0, 60000, 1));
	optest_close(&t);
}

/* sum/avg, keys of several types, a record without a key. */
static void test_functions_and_keys(void)
{
	const char *opts[] = { "size=1m", "time=event:t.ms", "function=sum(n)",
			       NULL };

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_SKIP) == SL_OK);
	optest_add(&t, "{\"t\":{\"ms\":1},\"n\":2}", "42", -1, "s", 0);
	optest_add(&t, "{\"t\":{\"ms\":2},\"n\":3.5}", "42", -1, "s", 0);
	optest_add(&t, "{\"t\":{\"ms\":3},\"n\":1}", NULL, -1, "s", 0);
	optest_add(&t, "{\"t\":{\"ms\":4},\"n\":1}", "{\"x\":1}", -1, "s", 0);
	optest_add(&t, "{\"t\":{\"ms\":5},\"n\":\"x\"}", "42", -1, "s", 0);
	optest_add(&t, "{\"t\":{\"ms\":6}}", "7", -1, "s", 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK(t.stage.skipped == 1);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"42\" {\"key\":\"42\",\"window_start\":0,\"window_end\":60000,\"sum\":5.5}\n"
		  "\"null\" {\"key\":\"null\",\"window_start\":0,\"window_end\":60000,\"sum\":1}\n"
		  "\"{\\\"x\\\":1}\" {\"key\":\"{\\\"x\\\":1}\",\"window_start\":0,\"window_end\":60000,\"sum\":1}\n"
		  "\"7\" {\"key\":\"7\",\"window_start\":0,\"window_end\":60000,\"sum\":0}\n");
	optest_close(&t);
}

/* time = record: the record's timestamp. */
static void test_record_time(void)
{
	const char *opts[] = { "size=10s", "time=record", "function=count",
			       "idle.timeout=0", NULL };

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_FAIL) == SL_OK);
	optest_add(&t, "{}", "\"k\"", 9999, "s", 0);
	optest_add(&t, "{}", "\"k\"", 10000, "s", 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "\"k\" {\"key\":\"k\",\"window_start\":0,\"window_end\":10000,\"count\":1}\n");
	optest_add(&t, "{}", "\"k\"", -1, "s", 0);
	CHECK(optest_process(&t) == SL_ERR);
	CHECK_HAS(t.err.message, "the record has no timestamp");
	optest_close(&t);
}

/* time = processing: windows of the wall clock, fired by tick. */
static void test_processing_time(void)
{
	const char *opts[] = { "size=100ms", "time=processing", "function=count",
			       NULL };
	int64_t now;

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_FAIL) == SL_OK);
	optest_add(&t, "{}", "\"k\"", -1, "s", 0);
	optest_add(&t, "{}", "\"k\"", -1, "s", 0);
	optest_add(&t, "{}", "\"j\"", -1, "s", 1);
	CHECK(optest_process(&t) == SL_OK);
	now = optest_now();
	CHECK_STR(t.out, "");
	CHECK(optest_tick(&t, now + 1000) == SL_OK);
	/* the three may straddle a window boundary: add the counts up */
	CHECK(count_total(t.out) == 3);
	CHECK(strstr(t.out, "\"j\" {\"key\":\"j\"") != NULL);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, "");
	optest_close(&t);
}

/* Option problems are job-file errors naming the line. */
static void test_config_errors(void)
{
	const char *bad_time[] = { "size=60s", "time=event", "function=count", NULL };
	const char *bad_field[] = { "size=60s", "time=event:", "function=count", NULL };
	const char *bad_fn[] = { "size=60s", "function=median(x)", NULL };
	const char *no_field[] = { "size=60s", "function=sum", NULL };
	const char *count_arg[] = { "size=60s", "function=count(x)", NULL };
	const char *zero[] = { "size=0", "function=count", NULL };

	CHECK(optest_open(&t, "window", bad_time, 0) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_CONFIG);
	CHECK_STR(t.err.message, "job.ini:4: op: time: expected event:FIELD, "
		  "record or processing");
	optest_close(&t);
	CHECK(optest_open(&t, "window", bad_field, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "job.ini:4: op: time: event: needs the field");
	optest_close(&t);
	CHECK(optest_open(&t, "window", bad_fn, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "job.ini:4: op: function: unknown function "
		  "'median(x)'");
	optest_close(&t);
	CHECK(optest_open(&t, "window", no_field, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "function: sum needs a field: write `sum(field)`");
	optest_close(&t);
	CHECK(optest_open(&t, "window", count_arg, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "count takes no field");
	optest_close(&t);
	CHECK(optest_open(&t, "window", zero, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "job.ini:3: op: size: must be at least 1ms");
	optest_close(&t);
}

/* Many windows due at once, on three partitions (a watermark held back,
 * then the end of input): every count once, windows in time order, and
 * within a window its keys in the order they first came. */
static void test_many_due(void)
{
	const char *opts[] = { "size=1s", "time=event:ts", "function=count",
			       "idle.timeout=0", NULL };
	static char all[sizeof t.out];
	const char *line;
	long last_start = -1;
	int i, part, lines = 0, next_key = 2;

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_FAIL) == SL_OK);
	for (i = 0; i < 50; i++)
		for (part = 2; part >= 0; part--) {
			char v[64], k[32];

			snprintf(v, sizeof v, "{\"ts\":%d}", i * 1000 + 10 * part);
			snprintf(k, sizeof k, "\"%d\"", part); /* key p on partition p */
			optest_add(&t, v, k, -1, "s", part);
			optest_add(&t, v, k, -1, "s", part);
		}
	/* one batch: the watermark (the slowest partition) passes 49
	 * windows at once, 147 due on three partitions; the end, the last */
	CHECK(optest_process(&t) == SL_OK);
	snprintf(all, sizeof all, "%s", t.out);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK(strlen(all) + strlen(t.out) < sizeof all);
	strcat(all, t.out);
	for (line = all; *line != '\0'; line = strchr(line, '\n') + 1) {
		int key, count;
		long start, end;

		CHECK(sscanf(line, "\"%*d\" {\"key\":\"%d\",\"window_start\":%ld,"
			     "\"window_end\":%ld,\"count\":%d}", &key, &start,
			     &end, &count) == 4);
		CHECK(count == 2 && end == start + 1000);
		if (start != last_start) { /* a new window: its first key first */
			CHECK(start > last_start && next_key == 2);
			next_key = 2;
		}
		CHECK(key == next_key); /* 2, 1, 0: the order they came in */
		next_key = key == 0 ? 2 : key - 1;
		last_start = start;
		lines++;
		if (strchr(line, '\n') == NULL)
			break;
	}
	CHECK(lines == 150);
	optest_close(&t);
}

/* Outputs of one part: checked against the window [0, 1000) and the
 * key order (k00000 up, the order they came), counted in *@p lines;
 * the last key number seen in *@p last. */
static void check_part(const char *out, int *lines, int *last)
{
	const char *line;

	for (line = out; *line != '\0'; line = strchr(line, '\n') + 1) {
		int key, count;
		long start, end;

		CHECK(sscanf(line, "\"k%*d\" {\"key\":\"k%d\",\"window_start\":%ld,"
			     "\"window_end\":%ld,\"count\":%d}", &key, &start,
			     &end, &count) == 4);
		if (start != 0) /* the window [1000, 2000) of the end */
			break;
		CHECK(end == 1000 && count == 1 && key > *last);
		*last = key;
		(*lines)++;
	}
}

/* 6,000 keys on partition 0 (k00000..) then 6,000 on partition 1, in
 * the window [0, 1000); then one record at 1500 on each partition. */
static void open_many_keys(void)
{
	const char *opts[] = { "size=1s", "time=event:ts", "function=count",
			       "idle.timeout=0", NULL };
	int i;

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_FAIL) == SL_OK);
	for (i = 0; i < 12000; i++) {
		char k[32];

		snprintf(k, sizeof k, "\"k%05d\"", i);
		optest_add(&t, "{\"ts\":500}", k, -1, "s", i < 6000 ? 0 : 1);
		if (i % 1000 == 999)
			CHECK(optest_process(&t) == SL_OK && t.out[0] == '\0');
	}
	optest_add(&t, "{\"ts\":1500}", "\"k99999\"", -1, "s", 0);
	optest_add(&t, "{\"ts\":1500}", "\"k99999\"", -1, "s", 1);
}

/*
 * 12,000 results due at once come in parts of at most 4,096 (a batch's
 * memory holds one part), each the rest of the one before: all of them,
 * once each, in the order their keys came.
 */
static void test_parts(void)
{
	int rc, lines = 0, last = -1, parts = 0;

	open_many_keys();
	rc = optest_process(&t);
	for (;;) {
		int before = lines;

		CHECK(rc == SL_OK || rc == SL_MORE);
		check_part(t.out, &lines, &last);
		CHECK(lines - before <= 4096 && lines - before > 0);
		parts++;
		if (rc != SL_MORE || parts > 10)
			break;
		rc = optest_tick(&t, optest_now());
	}
	CHECK(lines == 12000 && parts == 3);
	CHECK(optest_finish(&t) == SL_OK);
	/* one a partition: a key comes through one partition, but here
	 * the test sent it through two */
	CHECK_STR(t.out, "\"k99999\" {\"key\":\"k99999\",\"window_start\":1000,"
		  "\"window_end\":2000,\"count\":1}\n"
		  "\"k99999\" {\"key\":\"k99999\",\"window_start\":1000,"
		  "\"window_end\":2000,\"count\":1}\n");
	optest_close(&t);
}

/*
 * What a part leaves stays with its state partition: its timer is set
 * again there, not in the partition the engine last gave (1), so when
 * partition 1 moves to another instance (its keys and timers dropped),
 * partition 0's rest still fires, and nothing of partition 1's.
 */
static void test_parts_stay(void)
{
	int rc, lines = 0, last = -1;

	open_many_keys();
	CHECK(optest_process(&t) == SL_MORE);
	check_part(t.out, &lines, &last);
	CHECK(lines == 4096 && last == 4095); /* partition 0's first 4,096 */
	sl_store_drop_partition(t.stage.state.stores[0], 1);
	do {
		rc = optest_finish(&t);
		CHECK(rc == SL_OK || rc == SL_MORE);
		check_part(t.out, &lines, &last);
	} while (rc == SL_MORE);
	CHECK(lines == 6000 && last == 5999);
	CHECK(strstr(t.out, "\"window_start\":1000,\"window_end\":2000,"
		     "\"count\":1}") != NULL);
	optest_close(&t);
}

/* Outputs of a part, in order: result n is window n / 2 ([n / 2 s,
 * n / 2 + 1 s)) of key n % 2; counted in *@p n. */
static void check_window_order(const char *out, int *n)
{
	const char *line;

	for (line = out; *line != '\0'; line = strchr(line, '\n') + 1) {
		int key, count;
		long start, end;

		CHECK(sscanf(line, "\"%*d\" {\"key\":\"%d\",\"window_start\":%ld,"
			     "\"window_end\":%ld,\"count\":%d}", &key, &start,
			     &end, &count) == 4);
		CHECK(start == (long)(*n / 2) * 1000 && end == start + 1000);
		CHECK(key == *n % 2 && count == 1);
		(*n)++;
	}
}

/* Drain the parts that began with @p rc (tick or finish, by @p end),
 * checking their order; the number of parts. */
static int drain_in_order(int rc, int end, int *n)
{
	int parts = 0;

	for (;;) {
		int before = *n;

		CHECK(rc == SL_OK || rc == SL_MORE);
		check_window_order(t.out, n);
		CHECK(*n - before <= 4096);
		parts++;
		if (rc != SL_MORE || parts > 10)
			return parts;
		rc = end ? optest_finish(&t) : optest_tick(&t, optest_now());
	}
}

/*
 * 3,000 windows of one key on each of two partitions, due at once: the
 * parts go in window order across the partitions (every window of
 * partition 0 before the later windows of partition 1 would be out of
 * order), by the watermark and at the end of input alike.
 */
static void test_parts_in_window_order(void)
{
	const char *lateness[] = { "allowed.lateness=0", "allowed.lateness=1h" };
	int end;

	for (end = 0; end < 2; end++) {
		const char *opts[] = { "size=1s", "time=event:ts",
				       "function=count", "idle.timeout=0",
				       lateness[end], NULL };
		int i, n = 0, parts;

		CHECK(optest_open(&t, "window", opts, SL_ERRORS_FAIL) == SL_OK);
		for (i = 0; i < 3000; i++) {
			char v[64];

			snprintf(v, sizeof v, "{\"ts\":%d}", i * 1000 + 1);
			optest_add(&t, v, "\"0\"", -1, "s", 0);
			optest_add(&t, v, "\"1\"", -1, "s", 1);
		}
		if (end) {
			CHECK(optest_process(&t) == SL_OK && t.out[0] == '\0');
			parts = drain_in_order(optest_finish(&t), 1, &n);
		} else {
			/* the watermark passes every window */
			optest_add(&t, "{\"ts\":3000500}", "\"x\"", -1, "s", 0);
			optest_add(&t, "{\"ts\":3000500}", "\"x\"", -1, "s", 1);
			parts = drain_in_order(optest_process(&t), 0, &n);
		}
		CHECK(n == 6000 && parts == 2);
		optest_close(&t);
	}
}

/*
 * A backlog of 140,000 results due at once comes in 32 parts, not 35 of
 * 4,096: each part searches what is left, so their number is bounded.
 */
static void test_parts_of_a_backlog(void)
{
	const char *opts[] = { "size=1s", "time=event:ts", "function=count",
			       "idle.timeout=0", "allowed.lateness=1h", NULL };
	int i, rc, lines = 0, last = -1, parts = 0;

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_FAIL) == SL_OK);
	for (i = 0; i < 140000; i++) {
		char k[32];

		snprintf(k, sizeof k, "\"k%06d\"", i);
		optest_add(&t, "{\"ts\":500}", k, -1, "s", 0);
	}
	CHECK(optest_process(&t) == SL_OK && t.out[0] == '\0');
	do {
		int before = lines;

		rc = optest_finish(&t);
		CHECK(rc == SL_OK || rc == SL_MORE);
		check_part(t.out, &lines, &last);
		CHECK(lines - before == (rc == SL_MORE ? 140000 / 32 + 1 :
					 140000 - 31 * (140000 / 32 + 1)));
		parts++;
	} while (rc == SL_MORE && parts < 40);
	CHECK(lines == 140000 && parts == 32);
	optest_close(&t);
}

/* Many keys and windows: every record is in exactly one output. */
static void test_volume(void)
{
	const char *opts[] = { "size=1s", "time=event:ts", "function=count",
			       "idle.timeout=0", NULL };
	int i, total = 0;

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_FAIL) == SL_OK);
	for (i = 0; i < 5000; i++) {
		char v[64], k[32];

		snprintf(v, sizeof v, "{\"ts\":%d}", i * 7);
		snprintf(k, sizeof k, "%d", i % 13);
		optest_add(&t, v, k, -1, "s", 0);
		if (i % 200 == 199) {
			CHECK(optest_process(&t) == SL_OK);
			total += count_total(t.out);
		}
	}
	CHECK(optest_process(&t) == SL_OK);
	total += count_total(t.out);
	CHECK(optest_finish(&t) == SL_OK);
	total += count_total(t.out);
	CHECK(total == 5000);
	optest_close(&t);
}

/* Several functions: one result per key and window, a field each. */
static void test_function_list(void)
{
	const char *opts[] = { "size=60s", "time=event:ts", "idle.timeout=0",
			       "function=count, sum(n), count_if(n > 1) as big",
			       NULL };

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_FAIL) == SL_OK);
	optest_add(&t, "{\"ts\":1,\"n\":1}", "\"a\"", -1, "src", 0);
	optest_add(&t, "{\"ts\":2,\"n\":5}", "\"b\"", -1, "src", 0);
	optest_add(&t, "{\"ts\":3,\"n\":2}", "\"a\"", -1, "src", 0);
	optest_add(&t, "{\"ts\":60000,\"n\":2}", "\"a\"", -1, "src", 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"a\" {\"key\":\"a\",\"window_start\":0,\"window_end\":60000,"
		  "\"count\":2,\"sum_n\":3,\"big\":1}\n"
		  "\"b\" {\"key\":\"b\",\"window_start\":0,\"window_end\":60000,"
		  "\"count\":1,\"sum_n\":5,\"big\":1}\n");
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"a\" {\"key\":\"a\",\"window_start\":60000,\"window_end\":"
		  "120000,\"count\":1,\"sum_n\":2,\"big\":1}\n");
	optest_close(&t);
}

static void put_be(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* A count accumulator of the earlier encoding: n, 0, 0 (little-endian). */
static void legacy_count(uint8_t *acc, int n)
{
	memset(acc, 0, 24);
	acc[0] = (uint8_t)n;
}

/*
 * State of the earlier encoding, as a restored changelog leaves it:
 * layout 1's [1][start][partition][key] -> [accumulator][order] with its
 * window's timer [1][partition], and the first layout's [start][key] ->
 * [accumulator], its own timer.  One function reads both; a record adds
 * to the first.  Another function list refuses them.
 */
static void put_legacy(void)
{
	sl_state *st = t.stage.state.stores[0];
	uint8_t key[16], val[32], tkey[5] = { 1, 0, 0, 0, 0 }, old[9];

	key[0] = 1;
	put_be(key + 1, UINT64_C(0x8000000000000000)); /* start 0 */
	memset(key + 9, 0, 4);                          /* partition 0 */
	memcpy(key + 13, "abc", 3);
	legacy_count(val, 4);
	put_be(val + 24, 7);                            /* its order */
	CHECK(sl_store_put(st, key, sizeof key, val, sizeof val) == SL_OK);
	CHECK(sl_store_timer_set(st, 60000, tkey, sizeof tkey) == SL_OK);
	/* the first layout: window [60000, 120000) of key "z" */
	put_be(old, UINT64_C(0x8000000000000000) + 60000);
	old[8] = 'z';
	legacy_count(val, 2);
	CHECK(sl_store_put(st, old, sizeof old, val, 24) == SL_OK);
	CHECK(sl_store_timer_set(st, 120000, old, sizeof old) == SL_OK);
}

static void test_state_encoding(void)
{
	const char *two[] = { "size=60s", "time=event:ts", "idle.timeout=0",
			      "function=count, max(ts)", NULL };

	open_window(NULL, NULL, SL_ERRORS_FAIL);
	put_legacy();
	ev("abc", 5, 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	CHECK(optest_finish(&t) == SL_OK);
	/* the first layout's windows go out as their timers fire, first */
	CHECK_STR(t.out, W("z", 60000, 120000, 2) W("abc", 0, 60000, 5));
	optest_close(&t);

	/* untouched since the upgrade: fires as it was */
	open_window(NULL, NULL, SL_ERRORS_FAIL);
	put_legacy();
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, W("z", 60000, 120000, 2) W("abc", 0, 60000, 4));
	optest_close(&t);

	/* another list: refused when a record comes, and when it fires */
	CHECK(optest_open(&t, "window", two, SL_ERRORS_FAIL) == SL_OK);
	put_legacy();
	ev("abc", 5, 0);
	CHECK(optest_process(&t) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_RUNTIME);
	CHECK_HAS(t.err.message, "key 'abc': the stored state was written for "
		  "another `function` list");
	optest_close(&t);
	CHECK(optest_open(&t, "window", two, SL_ERRORS_FAIL) == SL_OK);
	put_legacy();
	CHECK(optest_finish(&t) == SL_ERR);
	CHECK_HAS(t.err.message, "the stored state was written for another "
		  "`function` list");
	optest_close(&t);
}

int main(void)
{
	test_boundaries();
	test_negative_times();
	test_out_of_order_and_late_skip();
	test_many_due();
	test_parts();
	test_parts_stay();
	test_parts_in_window_order();
	test_parts_of_a_backlog();
	test_late_fail();
	test_allowed_lateness();
	test_partitions();
	test_sources();
	test_idle_tick();
	test_unpartitioned();
	test_idle_partition();
	test_never_idle();
	test_type_errors();
	test_functions_and_keys();
	test_record_time();
	test_processing_time();
	test_config_errors();
	test_volume();
	test_function_list();
	test_state_encoding();
	return check_done("test_window");
}
