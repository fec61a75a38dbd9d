/* The expression language: parsing, errors with columns, evaluation. */
#include "config.h"

#include <pthread.h>
#include <stdint.h>

#include "check.h"
#include "expr_text.h"
#include "base/arena.h"
#include "expr/expr.h"
#include "base/json_write.h"
#include "base/job_limits.h"

static sl_arena *arena;
static sl_record rec;

/* {"user_id":42,"name":"Ann Lee","score":1.5,"tags":["a","b"],
 *  "a":{"b":"deep","and":1},"flag":true,"nothing":null,
 *  "event_type":"page_view","n":"12","big":9223372036854775807,
 *  "page-url":"/p/7","u":"h\u00e9llo"} with key "k1" */
static void make_record(void)
{
	static sl_value tags[2], value, key, inner;
	static sl_member inner_m[2], m[12];

	tags[0] = str("a");
	tags[1] = str("b");
	inner_m[0] = member("b", str("deep"));
	inner_m[1] = member("and", sl_value_int(1));
	inner.type = SL_TOBJECT;
	inner.len = 2;
	inner.as.members = inner_m;
	m[0] = member("user_id", sl_value_int(42));
	m[1] = member("name", str("Ann Lee"));
	m[2] = member("score", sl_value_double(1.5));
	m[3] = member("tags", sl_value_null());
	m[3].value.type = SL_TARRAY;
	m[3].value.len = 2;
	m[3].value.as.items = tags;
	m[4] = member("a", inner);
	m[5] = member("flag", sl_value_bool(1));
	m[6] = member("nothing", sl_value_null());
	m[7] = member("event_type", str("page_view"));
	m[8] = member("n", str(" 12 "));
	m[9] = member("big", sl_value_int(INT64_MAX));
	m[10] = member("page-url", str("/p/7"));
	m[11] = member("u", str("h\xc3\xa9llo"));
	value.type = SL_TOBJECT;
	value.len = 12;
	value.as.members = m;
	key = str("k1");
	memset(&rec, 0, sizeof rec);
	rec.value = &value;
	rec.key = &key;
	rec.timestamp = -1;
}

/* @p text on the test's record: see expr_text.h. */
static const char *ev(const char *text)
{
	return expr_text(text, &rec, arena);
}

static void test_literals(void)
{
	CHECK_STR(ev("12"), "12");
	CHECK_STR(ev("1.5"), "1.5");
	CHECK_STR(ev("-3"), "-3");
	CHECK_STR(ev("-2.5"), "-2.5");
	CHECK_STR(ev("1e3"), "1000.0");
	CHECK_STR(ev("\"str\""), "\"str\"");
	CHECK_STR(ev("'single'"), "\"single\"");
	CHECK_STR(ev("\"a\\\"b\\n\\u00e9\""), "\"a\\\"b\\n\xc3\xa9\"");
	CHECK_STR(ev("\"\\ud83d\\ude00\""), "\"\xf0\x9f\x98\x80\"");
	CHECK_STR(ev("true"), "true");
	CHECK_STR(ev("false"), "false");
	CHECK_STR(ev("null"), "null");
	CHECK_STR(ev("  ( 7 )  "), "7");
	/* the smallest integer, as JSON input accepts it */
	CHECK_STR(ev("-9223372036854775808"), "-9223372036854775808");
	CHECK_STR(ev("- 9223372036854775808 + 1"), "-9223372036854775807");
	CHECK_STR(ev("-(-9223372036854775808)"),
		  "ERR column 1: integer overflow in '-'");
	CHECK_STR(ev("\"h\xc3\xa9 \xf0\x9f\x98\x80\""), "\"h\xc3\xa9 \xf0\x9f\x98\x80\"");
}

static void test_fields(void)
{
	CHECK_STR(ev("user_id"), "42");
	CHECK_STR(ev("a.b"), "\"deep\"");
	CHECK_STR(ev("a . b"), "\"deep\"");
	CHECK_STR(ev("a.and"), "1");       /* a keyword after a dot is a name */
	CHECK_STR(ev("value.user_id"), "42");
	CHECK_STR(ev("value.a.b"), "\"deep\"");
	CHECK_STR(ev("`page-url`"), "\"/p/7\"");
	CHECK_STR(ev("missing"), "null");
	CHECK_STR(ev("a.missing.deeper"), "null");
	CHECK_STR(ev("user_id.x"), "null"); /* a field of a non-object */
	CHECK_STR(ev("key"), "\"k1\"");
	CHECK_STR(ev("key.x"), "null");
	CHECK_STR(ev("tags"), "[\"a\",\"b\"]");
	CHECK(strncmp(ev("value"), "{\"user_id\":42,", 14) == 0);
}

static void test_operators(void)
{
	CHECK_STR(ev("user_id == 42"), "true");
	CHECK_STR(ev("user_id == 42.0"), "true");
	CHECK_STR(ev("user_id != 42"), "false");
	CHECK_STR(ev("event_type == \"page_view\""), "true");
	CHECK_STR(ev("event_type == 'click'"), "false");
	CHECK_STR(ev("name == 1"), "false"); /* equality never fails */
	CHECK_STR(ev("missing == null"), "true");
	CHECK_STR(ev("nothing == null"), "true");
	CHECK_STR(ev("missing != null"), "false");
	CHECK_STR(ev("tags == tags"), "true");
	CHECK_STR(ev("a == a"), "true");
	CHECK_STR(ev("user_id < 43"), "true");
	CHECK_STR(ev("user_id <= 42"), "true");
	CHECK_STR(ev("user_id > 42"), "false");
	CHECK_STR(ev("score >= 1.5"), "true");
	CHECK_STR(ev("score < user_id"), "true");
	CHECK_STR(ev("\"abc\" < \"abd\""), "true");
	CHECK_STR(ev("\"ab\" < \"abc\""), "true");
	CHECK_STR(ev("\"b\" <= \"a\""), "false");
	CHECK_STR(ev("missing < 3"), "null");
	CHECK_STR(ev("1 + 2 * 3"), "7");
	CHECK_STR(ev("(1 + 2) * 3"), "9");
	CHECK_STR(ev("10 - 2 - 3"), "5");
	CHECK_STR(ev("7 / 2"), "3.5");
	CHECK_STR(ev("6 / 3"), "2.0");
	CHECK_STR(ev("score * 2"), "3.0");
	CHECK_STR(ev("-user_id"), "-42");
	CHECK_STR(ev("- -user_id"), "42");
	CHECK_STR(ev("user_id + missing"), "null");
	CHECK_STR(ev("name + \"!\""), "\"Ann Lee!\"");
	CHECK_STR(ev("true and false"), "false");
	CHECK_STR(ev("true and true"), "true");
	CHECK_STR(ev("false or true"), "true");
	CHECK_STR(ev("not flag"), "false");
	CHECK_STR(ev("not not flag"), "true");
	CHECK_STR(ev("user_id > 40 and event_type == \"page_view\""), "true");
	CHECK_STR(ev("user_id > 50 or name == \"Ann Lee\""), "true");
	/* three-valued logic with null */
	CHECK_STR(ev("null and true"), "null");
	CHECK_STR(ev("null and false"), "false");
	CHECK_STR(ev("null or true"), "true");
	CHECK_STR(ev("null or false"), "null");
	CHECK_STR(ev("not missing"), "null");
	/* short-circuit: the right side is not evaluated */
	CHECK_STR(ev("false and name > 1"), "false");
	CHECK_STR(ev("true or name > 1"), "true");
	/* precedence: not binds looser than comparison, and than or */
	CHECK_STR(ev("not user_id == 1"), "true");
	CHECK_STR(ev("true or false and false"), "true");
}

static void test_functions(void)
{
	CHECK_STR(ev("length(name)"), "7");
	CHECK_STR(ev("length(u)"), "5"); /* characters, not bytes */
	CHECK_STR(ev("length(tags)"), "2");
	CHECK_STR(ev("length(a)"), "2");
	CHECK_STR(ev("length(\"\")"), "0");
	CHECK_STR(ev("length(missing)"), "null");
	CHECK_STR(ev("lower(name)"), "\"ann lee\"");
	CHECK_STR(ev("upper(name)"), "\"ANN LEE\"");
	CHECK_STR(ev("upper(u)"), "\"H\xc3\xa9LLO\"");
	CHECK_STR(ev("lower(\"abc\")"), "\"abc\"");
	CHECK_STR(ev("string(user_id)"), "\"42\"");
	CHECK_STR(ev("string(score)"), "\"1.5\"");
	CHECK_STR(ev("string(flag)"), "\"true\"");
	CHECK_STR(ev("string(tags)"), "\"[\\\"a\\\",\\\"b\\\"]\"");
	CHECK_STR(ev("string(name)"), "\"Ann Lee\"");
	CHECK_STR(ev("string(missing)"), "null");
	CHECK_STR(ev("string(user_id) + \"x\""), "\"42x\"");
	CHECK_STR(ev("number(n)"), "12");
	CHECK_STR(ev("number(n) + 1"), "13");
	CHECK_STR(ev("number(\"1.25\")"), "1.25");
	CHECK_STR(ev("number(\"-3e2\")"), "-300.0");
	CHECK_STR(ev("number(flag)"), "1");
	CHECK_STR(ev("number(score)"), "1.5");
	CHECK_STR(ev("number(missing)"), "null");
	CHECK_STR(ev("length(lower(name)) + 1"), "8");
	CHECK_STR(ev("LENGTH"), "null"); /* a field, not a call */
	CHECK_STR(ev("length"), "null");
}

static void test_type_errors(void)
{
	CHECK_STR(ev("name < 5"),
		  "ERR column 6: cannot compare string with int ('<')");
	CHECK_STR(ev("name - 1"),
		  "ERR column 6: cannot apply '-' to string and int");
	CHECK_HAS(ev("name + 1"), "use string() to join text");
	CHECK_STR(ev("user_id and true"),
		  "ERR column 9: 'and' needs true or false, got int");
	CHECK_STR(ev("not name"), "ERR column 1: 'not' needs true or false, got string");
	CHECK_STR(ev("-name"), "ERR column 1: cannot negate string");
	CHECK_STR(ev("1 / 0"), "ERR column 3: division by zero");
	CHECK_STR(ev("big + 1"), "ERR column 5: integer overflow in '+' (64-bit)");
	CHECK_STR(ev("big * 2"), "ERR column 5: integer overflow in '*' (64-bit)");
	CHECK_STR(ev("length(user_id)"),
		  "ERR column 1: length(): needs a string, array or object, got int");
	CHECK_STR(ev("lower(user_id)"), "ERR column 1: lower(): needs a string, got int");
	CHECK_STR(ev("number(name)"), "ERR column 1: number(): \"Ann Lee\" is not a number");
	CHECK_STR(ev("number(\"0x10\")"), "ERR column 1: number(): \"0x10\" is not a number");
	CHECK_STR(ev("number(\"nan\")"), "ERR column 1: number(): \"nan\" is not a number");
	CHECK_STR(ev("number(tags)"),
		  "ERR column 1: number(): cannot convert array to a number");
	CHECK_STR(ev("tags < tags"), "ERR column 6: cannot compare array with array ('<')");
	CHECK_STR(ev("1e308 * 10"), "ERR column 7: '*' gives a number too large to represent");
}

static void test_parse_errors(void)
{
	char msg[256];
	int column = 0;

	CHECK_STR(ev(""), "PARSE 1: empty expression");
	CHECK_STR(ev("   "), "PARSE 1: empty expression");
	CHECK_STR(ev("user_id =="),
		  "PARSE 11: expected a value, a field or '(', found the end of the expression");
	CHECK_STR(ev("user_id = 42"), "PARSE 9: '=' is not an operator; compare with '=='");
	CHECK_STR(ev("a && b"), "PARSE 3: '&' is not an operator; use 'and'");
	CHECK_STR(ev("!flag"), "PARSE 1: '!' is not an operator; use 'not' or '!='");
	CHECK_STR(ev("(1 + 2"),
		  "PARSE 7: expected ')' to close the '(' at column 1, found the end of the expression");
	CHECK_STR(ev("1 2"),
		  "PARSE 3: expected an operator or the end of the expression, found '2'");
	CHECK_STR(ev("\"abc"), "PARSE 1: unterminated string");
	CHECK_STR(ev("\"a\\qb\""), "PARSE 3: unknown escape '\\q'");
	CHECK_STR(ev("\"\\u12\""), "PARSE 2: \\u needs four hex digits");
	CHECK_STR(ev("foo(1)"),
		  "PARSE 1: unknown function 'foo' (functions: length, lower, upper, string, number, "
		  "if, coalesce, contains, starts_with, substr, matches, format_time)");
	CHECK_STR(ev("length()"), "PARSE 8: length() takes one argument");
	CHECK_STR(ev("length(a, b)"), "PARSE 9: length() takes one argument");
	CHECK_STR(ev("1 < 2 < 3"), "PARSE 7: comparisons do not chain; join them with 'and'");
	CHECK_STR(ev("a."), "PARSE 3: expected a field name, found the end of the expression");
	CHECK_STR(ev("and"), "PARSE 1: 'and' is a keyword; write a field of that name as `and`");
	CHECK_STR(ev("12abc"), "PARSE 3: unexpected 'a' after a number");
	CHECK_STR(ev("99999999999999999999"), "PARSE 1: integer out of range (64-bit)");
	CHECK_STR(ev("9223372036854775808"), "PARSE 1: integer out of range (64-bit)");
	CHECK_STR(ev("1 - 9223372036854775808"),
		  "PARSE 5: integer out of range (64-bit)");
	/* literals are text: bytes that are not UTF-8 would not be JSON */
	CHECK_STR(ev("\"ab\xff\""), "PARSE 4: invalid UTF-8 in a string");
	CHECK_STR(ev("'\xc3'"), "PARSE 2: invalid UTF-8 in a string");
	CHECK_STR(ev("\"\xed\xa0\x80\""), "PARSE 2: invalid UTF-8 in a string");
	CHECK_STR(ev("`k\xe9y`"), "PARSE 3: invalid UTF-8 in a quoted name");
	CHECK_STR(ev("a # b"), "PARSE 3: unexpected '#'");
	CHECK_STR(ev("``"), "PARSE 1: empty quoted name");
	CHECK(sl_expr_check("user_id > 3 and (x or y)", msg, sizeof msg, &column) == 0);
	CHECK(sl_expr_check("user_id >", msg, sizeof msg, &column) == -1 &&
	      column == 10);
	/* nesting at the limit (sluice-job(5), LIMITS) and one past it */
	{
		static const struct { const char *open, *close, *want; } nest[] = {
			{ "(", ")", "true" },
			{ "-", "", "true" },    /* (--...-1) == 1 */
			{ "not ", "", "true" },
			{ "string(", ")", "\"true\"" },
		};
		char text[1024];
		size_t i, j, k, len;

		for (i = 0; i < sizeof nest / sizeof nest[0]; i++) {
			for (k = 64; k <= 65; k++) {
				len = 0;
				for (j = 0; j < k; j++)
					len += (size_t)snprintf(text + len, sizeof text - len,
								"%s", nest[i].open);
				len += (size_t)snprintf(text + len, sizeof text - len, "1 == 1");
				for (j = 0; j < k; j++)
					len += (size_t)snprintf(text + len, sizeof text - len,
								"%s", nest[i].close);
				if (k == 64)
					CHECK_STR(ev(text), nest[i].want);
				else
					CHECK_HAS(ev(text), "nested too deeply");
			}
		}
	}
	/* deep nesting is refused, not a stack overflow */
	{
		char deep[400];
		size_t i;

		for (i = 0; i < 150; i++)
			deep[i] = '(';
		deep[i++] = '1';
		for (; i < 301; i++)
			deep[i] = ')';
		deep[i] = '\0';
		CHECK_HAS(ev(deep), "nested too deeply");
		for (i = 0; i < 150; i++)
			deep[i] = '-';
		deep[i++] = 'x';
		deep[i] = '\0';
		CHECK_HAS(ev(deep), "nested too deeply");
	}
}

/* A record with a string value (the `string` format) and no key. */
static void test_plain_values(void)
{
	sl_value v = str("hello world");
	const sl_value *saved = rec.value, *saved_key = rec.key;

	rec.value = &v;
	rec.key = NULL;
	CHECK_STR(ev("length(value)"), "11");
	CHECK_STR(ev("upper(value)"), "\"HELLO WORLD\"");
	CHECK_STR(ev("user_id"), "null");
	CHECK_STR(ev("key"), "null");
	CHECK_STR(ev("value + \"!\""), "\"hello world!\"");
	rec.value = saved;
	rec.key = saved_key;
}

/* The common case takes nothing from the arena. */
static void test_no_allocation(void)
{
	expr_check_no_allocation("event_type == \"page_view\" and user_id > 3 "
				 "and lower(event_type) != \"x\"", &rec, arena);
}

/* @p n bytes: "T OP T OP ... T", padded with blanks to exactly @p n. */
static char *chain(const char *term, const char *op, size_t n)
{
	char *s = malloc(n + 1);
	size_t len = 0, t = strlen(term), o = strlen(op);

	if (s == NULL)
		abort();
	memcpy(s, term, t);
	len = t;
	while (len + o + t <= n) {
		memcpy(s + len, op, o);
		memcpy(s + len + o, term, t);
		len += o + t;
	}
	memset(s + len, ' ', n - len);
	s[n] = '\0';
	return s;
}

typedef struct long_case {
	const char *term, *op, *want;
} long_case;

static const long_case long_cases[] = {
	{ "1", "+", "32768" },                  /* 65535 bytes: 32768 terms */
	{ "false", " or ", "false" },
	{ "true", " and ", "true" },
	{ "user_id", "-", "-343980" },        /* 42 - 42 - ... (8192 terms) */
	{ "null", " or ", "null" },
};

/* The evaluator's stack use does not grow with the expression. */
static void *eval_long(void *arg)
{
	const long_case *lc = arg;
	char *text = chain(lc->term, lc->op, SL_EXPR_MAX_LEN);

	CHECK_STR(ev(text), lc->want);
	free(text);
	return NULL;
}

/* Expressions as long as allowed, on a thread with a small stack. */
static void test_long_expressions(void)
{
	pthread_attr_t attr;
	pthread_t t;
	size_t i;
	int column;
	char *text;

	for (i = 0; i < sizeof long_cases / sizeof long_cases[0]; i++) {
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 256 * 1024);
		CHECK(pthread_create(&t, &attr, eval_long, (void *)&long_cases[i]) == 0);
		pthread_join(t, NULL);
		pthread_attr_destroy(&attr);
	}
	/* a chain of string joins takes memory (and time) linear in its
	 * result, not in the sum of every partial result */
	{
		sl_value v = str("hello world");
		const sl_value *saved = rec.value;
		char want[32];
		sl_expr *x;
		sl_value out;
		sl_error why;
		size_t terms = (SL_EXPR_MAX_LEN - 5) / 6 + 1;

		text = chain("value", "+", SL_EXPR_MAX_LEN);
		rec.value = &v;
		x = sl_expr_parse(text, want, sizeof want, &column);
		CHECK(x != NULL);
		sl_arena_reset(arena);
		if (x != NULL) {
			CHECK(sl_expr_evaluate(x, &rec, arena, &out, &why) == SL_OK &&
			      out.type == SL_TSTRING && out.len == 11 * terms &&
			      memcmp(out.as.s + 11 * (terms - 1), "hello world", 11) == 0);
			CHECK(sl_arena_footprint(arena) < 4 * 11 * terms + 512 * 1024);
			sl_expr_destroy(x);
		}
		rec.value = saved;
		free(text);
	}
	/* one byte more is refused, with the column where the limit is */
	text = chain("1", "+", SL_EXPR_MAX_LEN + 1);
	CHECK_STR(ev(text), "PARSE 65537: expression longer than 65536 bytes");
	free(text);
}

int main(void)
{
	arena = sl_arena_new();
	make_record();
	test_literals();
	test_fields();
	test_operators();
	test_functions();
	test_type_errors();
	test_parse_errors();
	test_plain_values();
	test_no_allocation();
	test_long_expressions();
	sl_arena_free(arena);
	return check_done("test_expr");
}
