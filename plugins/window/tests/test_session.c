/*
 * Session windows against hand-computed outputs: records less than gap
 * apart in one session, a record bridging two sessions merging them (and
 * their results), sessions fired in the order they end, late records, a
 * session closed but not yet fired taking nothing, the key's entry gone
 * once its sessions have fired, and the options refused.
 */
#include "config.h"

#include "check.h"
#include "optest.h"
#include "window_events.h"

static void open_session(const char *lateness)
{
	const char *opts[] = { "type=session", "gap=10s", "time=event:ts",
			       "function=count, sum(v)", "idle.timeout=0",
			       lateness, NULL };

	CHECK(optest_open(&t, "window", opts, SL_ERRORS_SKIP) == SL_OK);
}

#define S(key, start, end, n, sum)                                         \
	"\"" key "\" {\"key\":\"" key "\",\"window_start\":" #start            \
	",\"window_end\":" #end ",\"count\":" #n ",\"sum_v\":" #sum "}\n"

static void test_merge(void)
{
	open_session("allowed.lateness=30s");
	ev("a", 0, 1);
	ev("a", 15000, 2);   /* 15 s after: a second session */
	ev("b", 3000, 4);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	CHECK(stored() == 2); /* one entry per key, however many sessions */
	ev("a", 7000, 8);    /* within 10 s of both: one session */
	ev("a", 9000, 16);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	ev("c", 60000, 32);  /* watermark 60000: ends up to 30000 fire */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, S("b", 3000, 13000, 1, 4) S("a", 0, 25000, 4, 27));
	ev("a", 20000, 64);  /* its session would end at 30000: late */
	ev("a", 55000, 128);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "");
	CHECK(optest_metric(&t, "late") == 1 && t.stage.skipped == 1);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, S("a", 55000, 65000, 1, 128)
		  S("c", 60000, 70000, 1, 32));
	CHECK(stored() == 0);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, "");
	optest_close(&t);
}

/* A record exactly gap after the last one starts a new session; one
 * less than gap after joins it. */
static void test_gap_boundary(void)
{
	open_session(NULL);
	ev("a", 0, 1);
	ev("a", 9999, 2);
	ev("a", 19999, 4);   /* 10 s after 9999: a new session, and the
			      * watermark closes the first */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, S("a", 0, 19999, 2, 3));
	ev("a", 30000, 8);   /* 10 s after 19999, not in its session */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, S("a", 19999, 29999, 1, 4));
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, S("a", 30000, 40000, 1, 8));
	optest_close(&t);
}

/* In one batch (it fires after): a session the watermark has closed
 * takes no record, fired or not. */
static void test_closed_before_firing(void)
{
	open_session(NULL);
	ev("a", 0, 1);
	ev("a", 25000, 2);   /* closes [0, 10000) */
	ev("a", 9000, 4);    /* its own session would end at 19000: late */
	ev("a", 16000, 8);   /* joins [25000, 35000) */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, S("a", 0, 10000, 1, 1));
	CHECK(optest_metric(&t, "late") == 1);
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, S("a", 16000, 35000, 2, 10));
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
	const char *no_gap[] = { "type=session", "function=count", NULL };
	const char *size[] = { "type=session", "gap=10s", "size=60s",
			       "function=count", NULL };
	const char *advance[] = { "type=session", "gap=10s", "advance=5s",
				  "function=count", NULL };
	const char *gap[] = { "size=60s", "gap=10s", "function=count", NULL };
	const char *no_size[] = { "function=count", NULL };

	refused(no_gap, "job.ini:3: op: type: session windows need gap");
	refused(size, "job.ini:5: op: size: session windows have no size");
	refused(advance, "job.ini:5: op: advance: only hopping windows take "
		"advance");
	refused(gap, "job.ini:4: op: gap: only session windows take gap");
	refused(no_size, "tumbling and hopping windows need size");
}

int main(void)
{
	test_merge();
	test_gap_boundary();
	test_closed_before_firing();
	test_refused();
	return check_done("test_session");
}
