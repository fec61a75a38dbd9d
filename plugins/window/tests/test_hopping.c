/*
 * Hopping windows against hand-computed outputs: a record in every
 * window that holds it, panes merged per function, an advance that does
 * not divide the size, late records that some windows still take, panes
 * deleted after their last window, and the options refused.
 */
#include "config.h"

#include "check.h"
#include "optest.h"
#include "window_events.h"

static void open_hopping(const char *size, const char *advance,
			 const char *function, const char *extra)
{
	const char *opts[] = { "type=hopping", size, advance, "time=event:ts",
			       function, "idle.timeout=0", extra, NULL };

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_SKIP) == SL_OK);
}

#define R(key, start, end, rest)                                           \
	"\"" key "\" {\"key\":\"" key "\",\"window_start\":" #start            \
	",\"window_end\":" #end "," rest "}\n"

/* size 30s, advance 10s: three windows per record; every function's
 * panes merged; keys in the order of their first record in the window. */
static void test_merged_functions(void)
{
	open_hopping("size=30s", "advance=10s",
		     "function=count, sum(v), min(v), max(v), avg(v), "
		     "count_if(v > 1) as big", NULL);
	ev("a", 5000, 1);
	ev("a", 15000, 2);
	ev("b", 25000, 4);
	ev("a", 35000, 8);  /* watermark 35000: windows ending by it fire */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  R("a", -20000, 10000, "\"count\":1,\"sum_v\":1,\"min_v\":1,"
		    "\"max_v\":1,\"avg_v\":1.0,\"big\":0")
		  R("a", -10000, 20000, "\"count\":2,\"sum_v\":3,\"min_v\":1,"
		    "\"max_v\":2,\"avg_v\":1.5,\"big\":1")
		  R("a", 0, 30000, "\"count\":2,\"sum_v\":3,\"min_v\":1,"
		    "\"max_v\":2,\"avg_v\":1.5,\"big\":1")
		  R("b", 0, 30000, "\"count\":1,\"sum_v\":4,\"min_v\":4,"
		    "\"max_v\":4,\"avg_v\":4.0,\"big\":1"));
	/* the panes of [0, 10000) (a) only: its last window has fired */
	CHECK(stored() == 3);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out,
		  R("a", 10000, 40000, "\"count\":2,\"sum_v\":10,\"min_v\":2,"
		    "\"max_v\":8,\"avg_v\":5.0,\"big\":2")
		  R("b", 10000, 40000, "\"count\":1,\"sum_v\":4,\"min_v\":4,"
		    "\"max_v\":4,\"avg_v\":4.0,\"big\":1")
		  R("b", 20000, 50000, "\"count\":1,\"sum_v\":4,\"min_v\":4,"
		    "\"max_v\":4,\"avg_v\":4.0,\"big\":1")
		  R("a", 20000, 50000, "\"count\":1,\"sum_v\":8,\"min_v\":8,"
		    "\"max_v\":8,\"avg_v\":8.0,\"big\":1")
		  R("a", 30000, 60000, "\"count\":1,\"sum_v\":8,\"min_v\":8,"
		    "\"max_v\":8,\"avg_v\":8.0,\"big\":1"));
	CHECK(stored() == 0);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, "");
	optest_close(&t);
}

/* size 25s, advance 10s: panes of 5s (their gcd); windows start every
 * 10s and hold two or three records' panes. */
static void test_advance_not_dividing(void)
{
	open_hopping("size=25s", "advance=10s", "function=count", NULL);
	ev("a", 12000, 0);
	ev("a", 22000, 0);
	/* behind the watermark (22000): [-10000, 15000) has closed (it
	 * fires after the batch) and does not take it, the others do */
	ev("a", 14999, 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, R("a", -10000, 15000, "\"count\":1"));
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out,
		  R("a", 0, 25000, "\"count\":3")
		  R("a", 10000, 35000, "\"count\":3")
		  R("a", 20000, 45000, "\"count\":1"));
	CHECK(stored() == 0);
	optest_close(&t);
}

/* A record is late only when its last window has closed; one whose
 * earlier windows fired goes to the windows still open. */
static void test_late(void)
{
	open_hopping("size=20s", "advance=10s", "function=count",
		     "allowed.lateness=1s");
	ev("a", 5000, 0);
	ev("a", 26000, 0);  /* watermark 26000 - 1s: up to end 25000 fire */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, R("a", -10000, 10000, "\"count\":1")
		  R("a", 0, 20000, "\"count\":1"));
	ev("a", 12000, 0);  /* [0, 20000) closed, [10000, 30000) open */
	ev("a", 3000, 0);   /* both of its windows closed: late */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	CHECK(optest_metric(&t, "late") == 1 && t.stage.skipped == 1);
	ev("a", 31000, 0);  /* fires [10000, 30000) */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, R("a", 10000, 30000, "\"count\":2"));
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, R("a", 20000, 40000, "\"count\":2")
		  R("a", 30000, 50000, "\"count\":1"));
	CHECK(stored() == 0);
	optest_close(&t);
}

/* Within one batch, which fires after it: a record behind the watermark
 * goes to its windows still open only, not to those closed by then,
 * as it would had they fired already. */
static void test_closed_before_firing(void)
{
	open_hopping("size=20s", "advance=10s", "function=count", NULL);
	ev("a", 5000, 0);
	ev("a", 26000, 0);  /* closes [-10000, 10000) and [0, 20000) */
	ev("a", 12000, 0);  /* in [0, 20000), closed, and [10000, 30000) */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, R("a", -10000, 10000, "\"count\":1")
		  R("a", 0, 20000, "\"count\":1"));
	CHECK(optest_metric(&t, "late") == 0);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, R("a", 10000, 30000, "\"count\":2")
		  R("a", 20000, 40000, "\"count\":1"));
	CHECK(stored() == 0);
	optest_close(&t);
}

/* advance = size is tumbling. */
static void test_advance_is_size(void)
{
	open_hopping("size=10s", "advance=10s", "function=count", NULL);
	ev("a", 1000, 0);
	ev("a", 9999, 0);
	ev("a", 10000, 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, R("a", 0, 10000, "\"count\":2"));
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, R("a", 10000, 20000, "\"count\":1"));
	optest_close(&t);
}

static void refused(const char *const *opts, const char *message)
{
	CHECK(optest_open(&t, "window", opts, 0) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_CONFIG);
	CHECK_HAS(t.err.message, message);
	optest_close(&t);
}

static void test_refused(void)
{
	const char *no_advance[] = { "type=hopping", "size=60s",
				     "function=count", NULL };
	const char *too_far[] = { "type=hopping", "size=60s", "advance=61s",
				  "function=count", NULL };
	const char *tumbling[] = { "size=60s", "advance=10s",
				   "function=count", NULL };
	const char *unknown[] = { "type=sliding", "size=60s",
				  "function=count", NULL };

	refused(no_advance, "job.ini:3: op: type: hopping windows need "
		"advance");
	refused(too_far, "job.ini:5: op: advance: must be at least 1ms and "
		"at most size (60000 ms)");
	refused(tumbling, "job.ini:4: op: advance: only hopping windows take "
		"advance");
	refused(unknown, "job.ini:3: op: type:");
}

int main(void)
{
	test_merged_functions();
	test_advance_not_dividing();
	test_late();
	test_closed_before_firing();
	test_advance_is_size();
	test_refused();
	return check_done("test_hopping");
}
