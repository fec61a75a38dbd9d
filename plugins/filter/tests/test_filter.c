/*
 * The filter operator: true keeps, false and null drop (counted), other
 * results and type errors are per-record errors.
 */
#include "config.h"

#include "check.h"
#include "optest.h"

static optest t;

static void open_where(const char *where, int errors)
{
	const char *opts[] = { where, NULL };

	CHECK(optest_open(&t, "filter", opts, errors) == SL_OK);
}

static void test_keep_and_drop(void)
{
	open_where("where=event_type == \"page_view\" and user_id > 1",
		   SL_ERRORS_FAIL);
	optest_add(&t, "{\"event_type\":\"page_view\",\"user_id\":2}", NULL, -1, "s", 0);
	optest_add(&t, "{\"event_type\":\"click\",\"user_id\":3}", NULL, -1, "s", 0);
	optest_add(&t, "{\"event_type\":\"page_view\",\"user_id\":1}", NULL, -1, "s", 0);
	optest_add(&t, "{\"event_type\":\"page_view\"}", NULL, -1, "s", 0);
	optest_add(&t, "{\"event_type\":\"page_view\",\"user_id\":9}", "\"k\"", -1, "s", 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "- {\"event_type\":\"page_view\",\"user_id\":2}\n"
		  "\"k\" {\"event_type\":\"page_view\",\"user_id\":9}\n");
	CHECK(optest_metric(&t, "filtered") == 3);
	CHECK(t.stage.skipped == 0);
	optest_close(&t);
}

/* A string value (the string format). */
static void test_plain_value(void)
{
	open_where("where=length(value) > 3", SL_ERRORS_FAIL);
	optest_add(&t, "\"abc\"", NULL, -1, "s", 0);
	optest_add(&t, "\"abcd\"", NULL, -1, "s", 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "- \"abcd\"\n");
	optest_close(&t);
}

static void test_errors(void)
{
	open_where("where=n > 1", SL_ERRORS_SKIP);
	optest_add(&t, "{\"n\":2}", NULL, -1, "s", 0);
	optest_add(&t, "{\"n\":\"x\"}", NULL, -1, "s", 0);
	optest_add(&t, "{\"n\":3}", NULL, -1, "s", 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "- {\"n\":2}\n- {\"n\":3}\n");
	CHECK(t.stage.skipped == 1);
	optest_close(&t);

	open_where("where=n > 1", SL_ERRORS_FAIL);
	optest_add(&t, "{\"n\":2}", NULL, -1, "s", 0);
	optest_add(&t, "{\"n\":\"x\"}", NULL, -1, "s", 0);
	optest_add(&t, "{\"n\":3}", NULL, -1, "s", 0);
	CHECK(optest_process(&t) == SL_ERR);
	CHECK_STR(t.err.message, "stage 'op': record #1: where: column 3: cannot "
		  "compare string with int ('>')");
	CHECK_STR(t.out, "- {\"n\":2}\n");
	optest_close(&t);

	/* a condition that is not true or false */
	open_where("where=n", SL_ERRORS_FAIL);
	optest_add(&t, "{\"n\":2}", NULL, -1, "s", 0);
	CHECK(optest_process(&t) == SL_ERR);
	CHECK_HAS(t.err.message, "where: the condition is int, not true or false");
	optest_close(&t);
}

static void test_parse_error(void)
{
	const char *opts[] = { "where=user_id = 3", NULL };

	CHECK(optest_open(&t, "filter", opts, 0) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_CONFIG);
	CHECK_STR(t.err.message, "job.ini:3: op: where: column 9: '=' is not an "
		  "operator; compare with '=='");
	optest_close(&t);
}

int main(void)
{
	test_keep_and_drop();
	test_plain_value();
	test_errors();
	test_parse_error();
	return check_done("test_filter");
}
