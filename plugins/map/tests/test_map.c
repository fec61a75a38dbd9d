/*
 * The map operator: value =, set.FIELD =, drop =, their order, and
 * per-record errors.
 */
#include "config.h"

#include "check.h"
#include "optest.h"

static optest t;

static void open_map(const char *a, const char *b, const char *c,
		     const char *d, int errors)
{
	const char *opts[] = { a, b, c, d, NULL };

	CHECK(optest_open(&t, "map", opts, errors) == SL_OK);
}

static const char *run(const char *json)
{
	CHECK(optest_one(&t, json) == SL_OK);
	return t.out;
}

static void test_value(void)
{
	open_map("value=length(value)", NULL, NULL, NULL, SL_ERRORS_FAIL);
	CHECK_STR(run("\"hello\""), "- 5\n");
	CHECK_STR(run("\"\""), "- 0\n");
	optest_close(&t);
	open_map("value=upper(name) + \"!\"", NULL, NULL, NULL, SL_ERRORS_FAIL);
	CHECK_STR(run("{\"name\":\"ann\"}"), "- \"ANN!\"\n");
	optest_close(&t);
}

static void test_set_and_drop(void)
{
	open_map("set.total=price * qty", "set.meta.seen=true",
		 "set.price=price + 1", "drop=qty, secret.pin, nothere",
		 SL_ERRORS_FAIL);
	/* every expression sees the input: total uses the old price */
	CHECK_STR(run("{\"price\":2,\"qty\":3,\"secret\":{\"pin\":1,\"x\":2}}"),
		  "- {\"price\":3,\"secret\":{\"x\":2},\"total\":6,"
		  "\"meta\":{\"seen\":true}}\n");
	/* a nested object that exists is extended, not replaced */
	CHECK_STR(run("{\"price\":1,\"qty\":1,\"meta\":{\"a\":1}}"),
		  "- {\"price\":2,\"meta\":{\"a\":1,\"seen\":true},\"total\":1}\n");
	optest_close(&t);
}

static void test_value_then_set(void)
{
	open_map("value=payload", "set.n=length(payload.items)", "drop=secret",
		 NULL, SL_ERRORS_FAIL);
	CHECK_STR(run("{\"payload\":{\"items\":[1,2],\"secret\":1},\"other\":0}"),
		  "- {\"items\":[1,2],\"n\":2}\n");
	optest_close(&t);
	/* on a record without a value object, set starts a new one */
	open_map("set.len=length(value)", NULL, NULL, NULL, SL_ERRORS_SKIP);
	CHECK_STR(run("null"), "- {\"len\":null}\n");
	optest_close(&t);
}

static void test_errors(void)
{
	open_map("set.a.b=1", NULL, NULL, NULL, SL_ERRORS_SKIP);
	CHECK_STR(run("{\"a\":5}"), "");
	CHECK_STR(run("\"text\""), "");
	CHECK_STR(run("{\"a\":null}"), "- {\"a\":{\"b\":1}}\n");
	CHECK(t.stage.skipped == 2);
	optest_close(&t);

	open_map("set.a.b.c=1", NULL, NULL, NULL, SL_ERRORS_FAIL);
	optest_add(&t, "{\"a\":{\"b\":\"s\"}}", NULL, -1, "s", 0);
	CHECK(optest_process(&t) == SL_ERR);
	CHECK_STR(t.err.message, "stage 'op': record #0: set.a.b.c: field 'a.b' "
		  "is string, not an object");
	optest_close(&t);

	open_map("value=x + 1", NULL, NULL, NULL, SL_ERRORS_FAIL);
	optest_add(&t, "{\"x\":1}", NULL, -1, "s", 0);
	optest_add(&t, "{\"x\":\"1\"}", NULL, -1, "s", 0);
	CHECK(optest_process(&t) == SL_ERR);
	CHECK_HAS(t.err.message, "record #1: value: column 3: cannot apply '+' "
		  "to string and int");
	CHECK_STR(t.out, "- 2\n");
	optest_close(&t);
}

static void test_config_errors(void)
{
	const char *none[] = { NULL };
	const char *bad[] = { "set.x=1 +", NULL };
	const char *whole[] = { "set.value=1", NULL };
	const char *drop[] = { "drop=a,,b", NULL };

	CHECK(optest_open(&t, "map", none, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "map needs `value =`, `set.FIELD =` or `drop =`");
	optest_close(&t);
	CHECK(optest_open(&t, "map", bad, 0) == SL_ERR);
	CHECK_STR(t.err.message, "job.ini:3: op: set.x: column 4: expected a "
		  "value, a field or '(', found the end of the expression");
	optest_close(&t);
	CHECK(optest_open(&t, "map", whole, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "set.value: use `value =` to replace the whole value");
	optest_close(&t);
	CHECK(optest_open(&t, "map", drop, 0) == SL_ERR);
	CHECK_HAS(t.err.message, "job.ini:3: op: drop: empty field name");
	optest_close(&t);
}

int main(void)
{
	test_value();
	test_set_and_drop();
	test_value_then_set();
	test_errors();
	test_config_errors();
	return check_done("test_map");
}
