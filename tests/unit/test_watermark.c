/* Watermarks of state partitions: from records, and reported through a
 * repartition topic, where the value is kept between changes. */
#include "config.h"

#include <stdint.h>

#include "check.h"
#include "runtime/watermark.h"

static int report(sl_watermark *wm, int32_t hop_partition, int32_t upstream,
		  int64_t max_ts, int idle)
{
	sl_wm_origin o = { "src", "in", upstream, 2, max_ts, idle, -1, 0 };

	return sl_wm_report(wm, "hop", "rep", hop_partition, &o, 0);
}

static int count_input(void *ctx, const sl_wm_input *in, int idle)
{
	(void)in;
	(void)idle;
	++*(size_t *)ctx;
	return 0;
}

/* Records: the smallest over a partition's inputs, never going back. */
static void test_observed(void)
{
	sl_watermark wm;
	sl_origin a = { "src", "in", 0, 0 }, b = { "other", NULL, 0, 0 };

	sl_wm_init(&wm, 0, 0);
	CHECK(sl_wm_value(&wm, 0, 0) == INT64_MIN);
	CHECK(sl_wm_observe(&wm, &a, 500, 0) == 0);
	CHECK(sl_wm_value(&wm, 0, 0) == 500);
	CHECK(sl_wm_observe(&wm, &b, 200, 0) == 0); /* a second input of 0 */
	CHECK(sl_wm_value(&wm, 0, 0) == 500);       /* never back */
	CHECK(sl_wm_observe(&wm, &b, 900, 0) == 0);
	CHECK(sl_wm_observe(&wm, &a, 700, 0) == 0);
	CHECK(sl_wm_value(&wm, 0, 0) == 700);
	sl_wm_free(&wm);
}

/* Reported: every upstream partition must have reported; then the
 * smallest of the active ones.  Asked again and again between reports,
 * the value follows each report, assignment and reset. */
static void test_reported(void)
{
	sl_watermark wm;
	int i;

	sl_wm_init(&wm, 0, 1);
	CHECK(sl_wm_assigned(&wm, "hop", "rep", 0, 4, 1, 0) == 0);
	CHECK(sl_wm_value(&wm, 0, 0) == INT64_MIN);
	CHECK(report(&wm, 0, 0, 1000, 0) == 0);
	for (i = 0; i < 3; i++) /* upstream partition 1 has not reported */
		CHECK(sl_wm_value(&wm, 0, 0) == INT64_MIN);
	CHECK(report(&wm, 0, 1, 400, 0) == 0);
	for (i = 0; i < 3; i++)
		CHECK(sl_wm_value(&wm, 0, 0) == 400);
	CHECK(report(&wm, 0, 1, 1500, 0) == 0);
	CHECK(sl_wm_value(&wm, 0, 0) == 1000);
	CHECK(report(&wm, 0, 0, 1200, 1) == 0);  /* 0 idle: 1's time */
	CHECK(sl_wm_value(&wm, 0, 0) == 1500);
	/* another hop partition is another state partition */
	CHECK(sl_wm_assigned(&wm, "hop", "rep", 1, 4, 1, 0) == 0);
	CHECK(sl_wm_value(&wm, 1, 0) == INT64_MIN);
	CHECK(report(&wm, 1, 0, 50, 0) == 0);
	CHECK(report(&wm, 1, 1, 60, 0) == 0);
	CHECK(sl_wm_value(&wm, 1, 0) == 50);
	CHECK(sl_wm_value(&wm, 0, 0) == 1500);
	sl_wm_reset(&wm);
	CHECK(sl_wm_value(&wm, 0, 0) == INT64_MIN);
	CHECK(sl_wm_value(&wm, 1, 0) == INT64_MIN);
	CHECK(report(&wm, 1, 0, 70, 0) == 0);
	CHECK(report(&wm, 1, 1, 80, 0) == 0);
	CHECK(sl_wm_value(&wm, 1, 0) == 70);
	sl_wm_revoked(&wm, "hop", "rep", 1);
	CHECK(sl_wm_value(&wm, 1, 0) == INT64_MIN);
	sl_wm_free(&wm);

	/* a line that says its topic has fewer partitions than another
	 * line did waits for them all the same */
	sl_wm_init(&wm, 0, 1);
	CHECK(sl_wm_assigned(&wm, "hop", "rep", 0, 4, 1, 0) == 0);
	{
		sl_wm_origin three = { "src", "in", 0, 3, 1000, 0, -1, 0 },
			     one = { "src", "in", 1, 1, 2000, 0, -1, 0 };

		CHECK(sl_wm_report(&wm, "hop", "rep", 0, &three, 0) == 0);
		CHECK(sl_wm_report(&wm, "hop", "rep", 0, &one, 0) == 0);
		CHECK(sl_wm_value(&wm, 0, 0) == INT64_MIN); /* 2 of 3 */
		three.partition = 2;
		three.max_ts = 1700;
		CHECK(sl_wm_report(&wm, "hop", "rep", 0, &three, 0) == 0);
	}
	CHECK(sl_wm_value(&wm, 0, 0) == 1000);
	sl_wm_free(&wm);
}

/*
 * Inputs whose source reports their ends go idle only after idle_ms at
 * their end: one that delivers nothing with records left to read (held
 * back, a broker down) holds the watermark however long.  An end behind
 * a record seen is stale; a record, or the engine holding the input
 * back, takes it off its end.  Inputs of other sources go idle after
 * idle_ms without a record, as before.
 */
static void test_idle_at_end_only(void)
{
	sl_watermark wm;
	sl_origin a = { "src", "a", 0, 0 }, b = { "src", "b", 0, 0 };

	sl_wm_init(&wm, 100, 0);
	CHECK(sl_wm_assigned(&wm, "src", "a", 0, 1, 1, 0) == 0);
	CHECK(sl_wm_assigned(&wm, "src", "b", 0, 1, 1, 0) == 0);
	CHECK(sl_wm_observe(&wm, &a, 1000, 0) == 0);
	CHECK(sl_wm_observe(&wm, &b, 500, 0) == 0);
	CHECK(sl_wm_value(&wm, 0, 0) == 500);
	/* b silent for 100 times idle_ms, not at its end: holds */
	CHECK(sl_wm_value(&wm, 0, 10000) == 500);
	sl_wm_at_end(&wm, "src", "b", 0, 1, 0, 10000);
	CHECK(sl_wm_value(&wm, 0, 10099) == 500);
	CHECK(sl_wm_value(&wm, 0, 10100) == 1000); /* at its end idle_ms */
	/* a's end behind its last record is stale: a is not idle */
	b.offset = 1;
	CHECK(sl_wm_observe(&wm, &b, 1500, 10099) == 0); /* off its end */
	a.offset = 5;
	CHECK(sl_wm_observe(&wm, &a, 2000, 10100) == 0);
	sl_wm_at_end(&wm, "src", "a", 0, 3, 0, 10100);
	CHECK(sl_wm_value(&wm, 0, 20000) == 1500);
	/* a reaches its end, then again the same end: idle from the first */
	sl_wm_at_end(&wm, "src", "a", 0, 6, 0, 20000);
	sl_wm_at_end(&wm, "src", "a", 0, 6, 0, 20050);
	CHECK(sl_wm_value(&wm, 0, 20099) == 1500);
	sl_wm_at_end(&wm, "src", "b", 0, 2, 0, 20100);
	CHECK(sl_wm_value(&wm, 0, 20100) == 1500); /* b not yet idle */
	CHECK(sl_wm_value(&wm, 0, 20200) == 2000); /* both idle: largest */
	/* a record takes b off its end: a is idle, b holds */
	b.offset = 2;
	CHECK(sl_wm_observe(&wm, &b, 2500, 20300) == 0);
	CHECK(sl_wm_value(&wm, 0, 30000) == 2500);
	sl_wm_free(&wm);

	/* a source that cannot tell: silent for idle_ms is idle */
	sl_wm_init(&wm, 100, 0);
	CHECK(sl_wm_assigned(&wm, "src", "a", 0, 1, 0, 0) == 0);
	CHECK(sl_wm_assigned(&wm, "src", "b", 0, 1, 0, 0) == 0);
	a.offset = b.offset = 0;
	CHECK(sl_wm_observe(&wm, &a, 1000, 0) == 0);
	CHECK(sl_wm_observe(&wm, &b, 500, 0) == 0);
	CHECK(sl_wm_observe(&wm, &a, 1100, 50) == 0);
	CHECK(sl_wm_value(&wm, 0, 99) == 500);
	CHECK(sl_wm_value(&wm, 0, 100) == 1100);
	sl_wm_free(&wm);
}

/* Inputs a (at 1000) and b (at 5000) of a watermark idle after
 * @p idle_ms, both through offset 4 and reporting their ends. */
static void two_inputs(sl_watermark *wm, int64_t idle_ms)
{
	sl_origin a = { "src", "a", 0, 4 }, b = { "src", "b", 0, 4 };

	sl_wm_init(wm, idle_ms, 0);
	CHECK(sl_wm_assigned(wm, "src", "a", 0, 1, 1, 0) == 0);
	CHECK(sl_wm_assigned(wm, "src", "b", 0, 1, 1, 0) == 0);
	CHECK(sl_wm_observe(wm, &a, 1000, 0) == 0);
	CHECK(sl_wm_observe(wm, &b, 5000, 0) == 0);
}

/*
 * An input read to where a bounded run stops (sl_partition_finished) is
 * idle at once, whatever the idle timeout, even with idleness off (0):
 * the one that ends first in event time must not hold every later
 * window open until the run ends.  An end that is stale does not finish
 * it; an input merely at its end still holds with idleness off.
 */
static void test_finished(void)
{
	sl_watermark wm;
	int64_t idle;

	for (idle = 0; idle <= 100; idle += 100) {
		two_inputs(&wm, idle);
		/* at its end for now: holds until idle (never, with 0) */
		sl_wm_at_end(&wm, "src", "a", 0, 5, 0, 10);
		CHECK(sl_wm_value(&wm, 0, 10) == 1000);
		CHECK(sl_wm_value(&wm, 0, 10 + idle - 1) == 1000);
		/* a stale finish (behind a record seen) changes nothing */
		sl_wm_at_end(&wm, "src", "a", 0, 3, 1, 20);
		CHECK(sl_wm_value(&wm, 0, 20) == 1000);
		/* finished: idle at once */
		sl_wm_at_end(&wm, "src", "a", 0, 5, 1, 30);
		CHECK(sl_wm_value(&wm, 0, 30) == 5000);
		sl_wm_free(&wm);
	}
	/* with idleness off, an input at its end for now holds however long */
	two_inputs(&wm, 0);
	sl_wm_at_end(&wm, "src", "a", 0, 5, 0, 10);
	CHECK(sl_wm_value(&wm, 0, 1000000) == 1000);
	sl_wm_free(&wm);
}

/*
 * A record of a partition just revoked, still on its way through the job,
 * makes no input: a repartition sink would report it as an upstream
 * topic of one partition, and the reading side would take the
 * watermark from it alone.  Sources that never report assignments
 * (files, generators) are learnt from their records as before.
 */
static void test_stray_after_revoke(void)
{
	sl_watermark wm;
	sl_origin a = { "src", "in", 0, 0 }, b = { "src", "in", 1, 0 },
		  gen = { "gen", NULL, -1, 0 };
	size_t inputs = 0;

	sl_wm_init(&wm, 0, 0);
	CHECK(sl_wm_assigned(&wm, "src", "in", 0, 2, 1, 0) == 0);
	CHECK(sl_wm_assigned(&wm, "src", "in", 1, 2, 1, 0) == 0);
	CHECK(sl_wm_observe(&wm, &a, 100, 0) == 0);
	sl_wm_revoked(&wm, "src", "in", 1);
	CHECK(sl_wm_observe(&wm, &b, 900, 0) == 0); /* a stray */
	CHECK(sl_wm_input_of(&wm, "src", "in", 1) == NULL);
	CHECK(sl_wm_value(&wm, 1, 0) == INT64_MIN);
	CHECK(sl_wm_observe(&wm, &gen, 50, 0) == 0);
	CHECK(sl_wm_input_of(&wm, "gen", NULL, -1) != NULL);
	CHECK(sl_wm_each(&wm, 0, count_input, &inputs) == 0);
	CHECK(inputs == 2);
	sl_wm_free(&wm);
}

int main(void)
{
	test_stray_after_revoke();
	test_idle_at_end_only();
	test_finished();
	test_observed();
	test_reported();
	return check_done("test_watermark");
}
