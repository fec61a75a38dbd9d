/* Watermarks of state partitions: from records, and reported through a
 * repartition topic, where the value is kept between changes. */
#include "config.h"

#include <stdint.h>

#include "check.h"
#include "runtime/watermark.h"

static int report(sl_watermark *wm, int32_t hop_partition, int32_t upstream,
		  int64_t max_ts, int idle)
{
	sl_wm_origin o = { "src", "in", upstream, 2, max_ts, idle };

	return sl_wm_report(wm, "hop", "rep", hop_partition, &o, 0);
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
	CHECK(sl_wm_assigned(&wm, "hop", "rep", 0, 4, 0) == 0);
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
	CHECK(sl_wm_assigned(&wm, "hop", "rep", 1, 4, 0) == 0);
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
}

int main(void)
{
	test_observed();
	test_reported();
	return check_done("test_watermark");
}
