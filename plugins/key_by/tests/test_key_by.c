/*
 * The key_by operator: a field or an expression becomes the key.
 */
#include "config.h"

#include "check.h"
#include "optest.h"

static optest t;

static void test_field(void)
{
	const char *opts[] = { "field=user.id", NULL };

	CHECK(optest_open(&t, "key_by", opts, SL_ERRORS_FAIL) == SL_OK);
	optest_add(&t, "{\"user\":{\"id\":42}}", "\"old\"", -1, "s", 0);
	optest_add(&t, "{\"user\":{\"id\":\"ann\"}}", NULL, -1, "s", 0);
	optest_add(&t, "{\"user\":{}}", NULL, -1, "s", 0);
	optest_add(&t, "\"not an object\"", NULL, -1, "s", 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "42 {\"user\":{\"id\":42}}\n"
		  "\"ann\" {\"user\":{\"id\":\"ann\"}}\n"
		  "null {\"user\":{}}\n"
		  "null \"not an object\"\n");
	optest_close(&t);
}

static void test_expr(void)
{
	const char *opts[] = { "expr=lower(country) + \"-\" + string(n)", NULL };

	CHECK(optest_open(&t, "key_by", opts, SL_ERRORS_SKIP) == SL_OK);
	optest_add(&t, "{\"country\":\"FR\",\"n\":1}", NULL, -1, "s", 0);
	optest_add(&t, "{\"country\":5,\"n\":1}", NULL, -1, "s", 0);
	optest_add(&t, "{\"country\":\"De\",\"n\":2.5}", NULL, -1, "s", 0);
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"fr-1\" {\"country\":\"FR\",\"n\":1}\n"
		  "\"de-2.5\" {\"country\":\"De\",\"n\":2.5}\n");
	CHECK(t.stage.skipped == 1);
	optest_close(&t);
}

static void test_config_errors(void)
{
	const char *both[] = { "field=a", "expr=b", NULL };
	const char *none[] = { NULL };
	const char *bad[] = { "expr=(a", NULL };

	CHECK(optest_open(&t, "key_by", both, 0) == SL_ERR);
	CHECK_STR(t.err.message, "job.ini:4: op: expr: key_by needs exactly one "
		  "of `field =` and `expr =`");
	optest_close(&t);
	CHECK(optest_open(&t, "key_by", none, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "needs exactly one of");
	optest_close(&t);
	CHECK(optest_open(&t, "key_by", bad, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "job.ini:3: op: expr: column 3: expected ')'");
	optest_close(&t);
}

int main(void)
{
	test_field();
	test_expr();
	test_config_errors();
	return check_done("test_key_by");
}
