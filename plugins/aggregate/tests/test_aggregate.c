/*
 * The aggregate operator: running per-key results, one output per input,
 * against hand-computed values; type errors under skip and fail; lists
 * of functions with aliases and count_if; the state value's encoding
 * (the earlier one read, another list's refused).
 */
#include "config.h"

#include <string.h>

#include "check.h"
#include "optest.h"
#include "state/state.h"

static optest t;

static void open_fn(const char *fn, int errors)
{
	const char *opts[] = { fn, NULL };

	CHECK_MSG(optest_open(&t, "aggregate", opts, errors) == SL_OK, "%s", t.err.message);
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

static void test_function_list(void)
{
	open_fn("function=count, sum(amount), avg(amount), max(price), "
		"min(a.b)", SL_ERRORS_FAIL);
	add("{\"amount\":2,\"price\":7,\"a\":{\"b\":3}}", "\"k\"");
	add("{\"amount\":4,\"price\":1.5}", "\"k\"");
	add("{\"price\":null}", "\"j\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"k\" {\"key\":\"k\",\"count\":1,\"sum_amount\":2,"
		  "\"avg_amount\":2.0,\"max_price\":7,\"min_a_b\":3}\n"
		  "\"k\" {\"key\":\"k\",\"count\":2,\"sum_amount\":6,"
		  "\"avg_amount\":3.0,\"max_price\":7.0,\"min_a_b\":3}\n"
		  "\"j\" {\"key\":\"j\",\"count\":1,\"sum_amount\":0,"
		  "\"avg_amount\":null,\"max_price\":null,\"min_a_b\":null}\n");
	optest_close(&t);
}

static void test_aliases_count_if(void)
{
	/* a comma inside the condition's string and call stays in it */
	open_fn("function=count_if(type == \"click\") as clicks, count as "
		"events,count_if(lower(type) == \"a,b\"), count_if(n > 1)",
		SL_ERRORS_FAIL);
	add("{\"type\":\"click\",\"n\":1}", "\"u\"");
	add("{\"type\":\"A,B\",\"n\":2}", "\"u\"");
	add("{\"n\":5}", "\"u\"");    /* type missing: null, not counted */
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out,
		  "\"u\" {\"key\":\"u\",\"clicks\":1,\"events\":1,"
		  "\"count_if_2\":0,\"count_if_3\":0}\n"
		  "\"u\" {\"key\":\"u\",\"clicks\":1,\"events\":2,"
		  "\"count_if_2\":1,\"count_if_3\":1}\n"
		  "\"u\" {\"key\":\"u\",\"clicks\":1,\"events\":3,"
		  "\"count_if_2\":1,\"count_if_3\":2}\n");
	optest_close(&t);

	/* a lone count_if, and an alias on a lone function */
	open_fn("function=count_if(n > 1)", SL_ERRORS_FAIL);
	add("{\"n\":2}", "\"u\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "\"u\" {\"key\":\"u\",\"count_if_1\":1}\n");
	optest_close(&t);
	open_fn("function=sum(n) as total", SL_ERRORS_FAIL);
	add("{\"n\":2}", "\"u\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "\"u\" {\"key\":\"u\",\"total\":2}\n");
	optest_close(&t);

	/* a condition that is not true, false or null is the record's error */
	open_fn("function=count_if(n + 1)", SL_ERRORS_FAIL);
	add("{\"n\":2}", "\"u\"");
	CHECK(optest_process(&t) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_RECORD);
	CHECK_HAS(t.err.message, "record #0: count_if(n + 1): the condition is "
		  "int, not true or false");
	optest_close(&t);
	open_fn("function=count, count_if(n > \"a\")", SL_ERRORS_SKIP);
	add("{\"n\":2}", "\"u\"");
	add("{\"m\":2}", "\"u\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "\"u\" {\"key\":\"u\",\"count\":1,\"count_if_1\":0}\n");
	CHECK(t.stage.skipped == 1);
	optest_close(&t);
}

/* @p fn refused at open with @p want, the whole message. */
static void refused(const char *fn, const char *want)
{
	const char *opts[] = { fn, NULL };

	CHECK(optest_open(&t, "aggregate", opts, 0) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_CONFIG);
	CHECK_STR(t.err.message, want);
	optest_close(&t);
}

static void test_list_errors(void)
{
	refused("function=count, sum(n), count",
		"job.ini:3: op: function: two results named 'count': name one "
		"otherwise with `as NAME`");
	refused("function=sum(n) as x, max(m) as x",
		"job.ini:3: op: function: two results named 'x': name one "
		"otherwise with `as NAME`");
	refused("function=sum(a_b), sum(a.b)",
		"job.ini:3: op: function: two results named 'sum_a_b': name one "
		"otherwise with `as NAME`");
	refused("function=count as key",
		"job.ini:3: op: function: 'key' is the name of a field every "
		"output has: choose another alias");
	refused("function=count sum(n)",
		"job.ini:3: op: function: 'count sum(n)': expected `as NAME` or "
		"a comma after count");
	refused("function=count, ",
		"job.ini:3: op: function: an empty function in the list: "
		"expected count, sum(field), min(field), max(field), avg(field) "
		"or count_if(condition), comma-separated, each optionally `as "
		"NAME`");
	refused("function=sum(n, count",
		"job.ini:3: op: function: a quote or parenthesis does not close");
	refused("function=count_if(a == \"x)\"",
		"job.ini:3: op: function: a quote or parenthesis does not close");
	refused("function=count as 1st",
		"job.ini:3: op: function: 'count as 1st': the alias must be a "
		"name of letters, digits and _");
	refused("function=count as",
		"job.ini:3: op: function: 'count as': expected `as NAME` or a "
		"comma after count");
	refused("function=count, countif(x > 1)",
		"job.ini:3: op: function: unknown function 'countif(x > 1)' "
		"(count, sum(field), min(field), max(field), avg(field)); did "
		"you mean count_if?");
	refused("function=count_if()",
		"job.ini:3: op: function: count_if(): the condition is empty");
	refused("function=count_if",
		"job.ini:3: op: function: count_if needs a condition: write "
		"`count_if(condition)`");
	{
		/* the parser's own words are its business: where it points */
		const char *opts[] = { "function=count, count_if(a ==)", NULL };

		CHECK(optest_open(&t, "aggregate", opts, 0) == SL_ERR);
		CHECK(t.err.kind == SL_ERR_CONFIG);
		CHECK_HAS(t.err.message, "job.ini:3: op: function: 'a ==': "
			  "column 5: ");
		optest_close(&t);
	}
}

static void put_le(uint8_t *p, uint64_t v)
{
	int k;

	for (k = 0; k < 8; k++, v >>= 8)
		p[k] = (uint8_t)v;
}

/* An accumulator of the earlier encoding: n, the value, real. */
static void legacy_acc(uint8_t *acc, int64_t n, int64_t v)
{
	put_le(acc, (uint64_t)n);
	put_le(acc + 8, (uint64_t)v);
	put_le(acc + 16, 0);
}

/* The stored value of group @p key, copied to @p out; its length. */
static size_t stored(const char *key, uint8_t *out, size_t cap)
{
	sl_bytes b;

	if (!sl_store_get(t.stage.state.stores[0], key, strlen(key), &b) ||
	    b.len > cap)
		return 0;
	memcpy(out, b.data, b.len);
	return b.len;
}

static void put(const char *key, const uint8_t *val, size_t len)
{
	CHECK(sl_store_put(t.stage.state.stores[0], key, strlen(key), val,
			   len) == SL_OK);
}

static void test_state_encoding(void)
{
	uint8_t old[24], val[256];
	size_t len;

	/* the earlier encoding, one bare accumulator, read by one function */
	open_fn("function=count", SL_ERRORS_FAIL);
	legacy_acc(old, 5, 0);
	put("a", old, sizeof old);
	add("{}", "\"a\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "\"a\" {\"key\":\"a\",\"count\":6}\n");
	/* upgraded in place: the accumulators, fingerprint, version */
	len = stored("a", val, sizeof val);
	CHECK(len == 24 + 5 && val[28] == 2);
	optest_close(&t);
	open_fn("function=sum(n)", SL_ERRORS_FAIL);
	legacy_acc(old, 2, 7);
	put("a", old, sizeof old);
	add("{\"n\":3}", "\"a\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "\"a\" {\"key\":\"a\",\"sum\":10}\n");
	optest_close(&t);

	/* round trip: a list's value restored into a new instance */
	open_fn("function=count, sum(n) as s", SL_ERRORS_FAIL);
	add("{\"n\":3}", "\"a\"");
	add("{\"n\":4}", "\"a\"");
	CHECK(optest_process(&t) == SL_OK);
	len = stored("a", val, sizeof val);
	CHECK(len == 2 * 24 + 5);
	optest_close(&t);
	/* an alias is not part of what the state holds */
	open_fn("function=count as c, sum(n)", SL_ERRORS_FAIL);
	put("a", val, len);
	add("{\"n\":1}", "\"a\"");
	CHECK(optest_process(&t) == SL_OK);
	CHECK_STR(t.out, "\"a\" {\"key\":\"a\",\"c\":3,\"sum_n\":8}\n");
	optest_close(&t);

	/* another list: refused, naming the key */
	open_fn("function=count, max(n)", SL_ERRORS_FAIL);
	put("a", val, len);
	add("{\"n\":1}", "\"a\"");
	CHECK(optest_process(&t) == SL_ERR);
	CHECK(t.err.kind == SL_ERR_RUNTIME);
	CHECK_HAS(t.err.message, "key 'a': the stored state was written for "
		  "another `function` list than this job's (2 functions)");
	optest_close(&t);
	/* fewer functions, even when the first is the same */
	open_fn("function=count", SL_ERRORS_FAIL);
	put("a", val, len);
	add("{}", "\"a\"");
	CHECK(optest_process(&t) == SL_ERR);
	CHECK_HAS(t.err.message, "another `function` list");
	optest_close(&t);
	/* a longer list's value of zeros but for its trailer, cut to one
	 * function's size by the slot, is not taken for the earlier
	 * encoding */
	open_fn("function=sum(n), max(n)", SL_ERRORS_FAIL);
	add("{}", "\"z\"");
	CHECK(optest_process(&t) == SL_OK);
	len = stored("z", val, sizeof val);
	CHECK(len == 2 * 24 + 5);
	optest_close(&t);
	open_fn("function=sum(n)", SL_ERRORS_FAIL);
	put("z", val, len);
	add("{}", "\"z\"");
	CHECK(optest_process(&t) == SL_ERR);
	CHECK_HAS(t.err.message, "key 'z': the stored state was written for "
		  "another `function` list than this job's (1 function)");
	optest_close(&t);
		/* and an earlier encoding's value under several functions */
	open_fn("function=count, sum(n)", SL_ERRORS_FAIL);
	put("a", old, sizeof old);
	add("{}", "\"a\"");
	CHECK(optest_process(&t) == SL_ERR);
	CHECK_HAS(t.err.message, "another `function` list");
	optest_close(&t);
}

int main(void)
{
	test_count();
	test_sum();
	test_min_max_avg();
	test_type_errors();
	test_config_errors();
	test_function_list();
	test_aliases_count_if();
	test_list_errors();
	test_state_encoding();
	return check_done("test_aggregate");
}
