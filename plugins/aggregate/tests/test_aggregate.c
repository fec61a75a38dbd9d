/*
 * The aggregate operator: running per-key results, one output per input,
 * against hand-computed values; type errors under skip and fail.
 */
#include "config.h"

#include "check.h"
#include "optest.h"

static optest t;

static void open_fn(const char *fn, int errors)
{
	const char *opts[] = { fn, NULL };

	CHECK(optest_open(&t, "aggregate", opts, errors) == SL_OK);
}

static void add(const char *value, const char *key)
{
	optest_add(&t, value, key, 1234, "src", 0);
}

static void test_count(void)
{
	open_fn("function=count", SL_ERRORS_FAIL);
	add("{}", "42");
	add("{}", "\"42\"");     /* the same group: its text is 42 */
	add("{}", "\"x\"");
	add("{}", NULL);         /* no key: the null group */
	add("{}", "null");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"42\" {\"key\":\"42\",\"count\":1}\n"
		  "\"42\" {\"key\":\"42\",\"count\":2}\n"
		  "\"x\" {\"key\":\"x\",\"count\":1}\n"
		  "\"null\" {\"key\":\"null\",\"count\":1}\n"
		  "\"null\" {\"key\":\"null\",\"count\":2}\n");
	/* state carries across batches */
	add("{}", "\"x\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "\"x\" {\"key\":\"x\",\"count\":2}\n");
	/* nothing is held back: finish emits nothing */
	CHECK(optest_finish(&t) == SL_OK);
	CHECK_STR(t.out, "");
	optest_close(&t);
}

static void test_sum(void)
{
	open_fn("function=sum(amount)", SL_ERRORS_FAIL);
	add("{\"amount\":2}", "\"a\"");
	add("{\"amount\":3}", "\"a\"");
	add("{}", "\"a\"");                  /* missing: skipped, sum unchanged */
	add("{\"amount\":null}", "\"b\"");   /* a group with no number yet */
	add("{\"amount\":0.5}", "\"a\"");    /* becomes a double */
	add("{\"amount\":9223372036854775807}", "\"c\"");
	add("{\"amount\":1}", "\"c\"");      /* overflow: a double */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"a\" {\"key\":\"a\",\"sum\":2}\n"
		  "\"a\" {\"key\":\"a\",\"sum\":5}\n"
		  "\"a\" {\"key\":\"a\",\"sum\":5}\n"
		  "\"b\" {\"key\":\"b\",\"sum\":0}\n"
		  "\"a\" {\"key\":\"a\",\"sum\":5.5}\n"
		  "\"c\" {\"key\":\"c\",\"sum\":9223372036854775807}\n"
		  "\"c\" {\"key\":\"c\",\"sum\":9.223372036854776e+18}\n");
	optest_close(&t);
}

static void test_min_max_avg(void)
{
	open_fn("function=min(v.x)", SL_ERRORS_FAIL);
	add("{\"v\":{\"x\":5}}", "1");
	add("{\"v\":{\"x\":7}}", "1");
	add("{\"v\":{\"x\":-2}}", "1");
	add("{\"v\":{}}", "2");
	add("{\"v\":{\"x\":1.5}}", "2");
	add("{\"v\":{\"x\":-2.5}}", "1");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"1\" {\"key\":\"1\",\"min\":5}\n"
		  "\"1\" {\"key\":\"1\",\"min\":5}\n"
		  "\"1\" {\"key\":\"1\",\"min\":-2}\n"
		  "\"2\" {\"key\":\"2\",\"min\":null}\n"
		  "\"2\" {\"key\":\"2\",\"min\":1.5}\n"
		  "\"1\" {\"key\":\"1\",\"min\":-2.5}\n");
	optest_close(&t);

	open_fn("function=max(x)", SL_ERRORS_FAIL);
	add("{\"x\":5}", "\"k\"");
	add("{\"x\":7}", "\"k\"");
	add("{\"x\":6.5}", "\"k\"");
	add("{\"x\":7.5}", "\"k\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"k\" {\"key\":\"k\",\"max\":5}\n"
		  "\"k\" {\"key\":\"k\",\"max\":7}\n"
		  "\"k\" {\"key\":\"k\",\"max\":7.0}\n"
		  "\"k\" {\"key\":\"k\",\"max\":7.5}\n");
	optest_close(&t);

	open_fn("function= avg( x ) ", SL_ERRORS_FAIL);
	add("{\"x\":1}", "\"k\"");
	add("{\"x\":2}", "\"k\"");
	add("{\"x\":null}", "\"k\"");
	add("{\"x\":6}", "\"k\"");
	add("{}", "\"j\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"k\" {\"key\":\"k\",\"avg\":1.0}\n"
		  "\"k\" {\"key\":\"k\",\"avg\":1.5}\n"
		  "\"k\" {\"key\":\"k\",\"avg\":1.5}\n"
		  "\"k\" {\"key\":\"k\",\"avg\":3.0}\n"
		  "\"j\" {\"key\":\"j\",\"avg\":null}\n");
	optest_close(&t);
}

/* A non-numeric field is a per-record error; the group is untouched. */
static void test_type_errors(void)
{
	open_fn("function=sum(n)", SL_ERRORS_SKIP);
	add("{\"n\":1}", "\"a\"");
	add("{\"n\":\"2\"}", "\"a\"");
	add("{\"n\":[1]}", "\"new\"");
	add("{\"n\":4}", "\"a\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"a\" {\"key\":\"a\",\"sum\":1}\n"
		  "\"a\" {\"key\":\"a\",\"sum\":5}\n");
	CHECK(t.stage.skipped == 2);
	optest_close(&t);

	open_fn("function=sum(n)", SL_ERRORS_FAIL);
	add("{\"n\":1}", "\"a\"");
	add("{\"n\":true}", "\"a\"");
	add("{\"n\":4}", "\"a\"");
	CHECK(optest_process(&t) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_RECORD);
	CHECK_HAS(t.err.message, "stage 'op': record #1: sum(n): the field is "
		  "bool, not a number");
	CHECK_STR(t.out, "\"a\" {\"key\":\"a\",\"sum\":1}\n");
	optest_close(&t);
}

static void test_config_errors(void)
{
	const char *bad[] = { "function=total(x)", NULL };
	const char *empty[] = { "function=sum()", NULL };
	const char *dots[] = { "function=max(a..b)", NULL };

	CHECK(optest_open(&t, "aggregate", bad, 0) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_CONFIG);
	CHECK_STR(t.err.message, "job.ini:3: op: function: unknown function "
		  "'total(x)' (count, sum(field), min(field), max(field), avg(field))");
	optest_close(&t);
	CHECK(optest_open(&t, "aggregate", empty, 0) == SL_ERR);
	CHECK_STR(t.err.message, "job.ini:3: op: function: sum(): empty field name");
	optest_close(&t);
	CHECK(optest_open(&t, "aggregate", dots, 0) == SL_ERR);
	CHECK_STR(t.err.message, "job.ini:3: op: function: max(): empty name "
		  "between dots");
	optest_close(&t);
}

int main(void)
{
	test_count();
	test_sum();
	test_min_max_avg();
	test_type_errors();
	test_config_errors();
	return check_done("test_aggregate");
}
