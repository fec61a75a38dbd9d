/*
 * The expression language's record metadata (timestamp, topic, partition,
 * offset, headers["name"]) and the functions if, coalesce, contains,
 * starts_with, substr, matches and format_time.
 */
#include "config.h"

#include <stdint.h>

#include "check.h"
#include "expr_text.h"
#include "base/arena.h"
#include "expr/expr.h"
#include "base/json_write.h"

static sl_arena *arena;
static sl_record rec;
static sl_value value;
static sl_member members[6];
static sl_header headers[4];

static sl_header header(const char *name, const char *v, size_t len)
{
	sl_header h;

	h.name = name;
	h.value.data = (const uint8_t *)v;
	h.value.len = len;
	return h;
}

/*
 * A record from topic "orders", partition 3, offset 17, at
 * 1700000000123 ms, value {"topic":"in-value","s":"h\u00e9llo w\u00f6rld",
 * "ms":86399999,"n":5,"nothing":null,"re":"^h"} and headers
 * trace=t-1, trace=t-2 (the last counts), bin=\xff\x00, empty= (null).
 */
static void make_record(void)
{
	members[0] = member("topic", str("in-value"));
	members[1] = member("s", str("h\xc3\xa9llo w\xc3\xb6rld"));
	members[2] = member("ms", sl_value_int(86399999));
	members[3] = member("n", sl_value_int(5));
	members[4] = member("nothing", sl_value_null());
	members[5] = member("re", str("^h"));
	value.type = SL_TOBJECT;
	value.len = 6;
	value.as.members = members;
	headers[0] = header("trace", "t-1", 3);
	headers[1] = header("trace", "t-2", 3);
	headers[2] = header("bin", "\xff\x00", 2);
	headers[3] = header("empty", NULL, 0);
	memset(&rec, 0, sizeof rec);
	rec.value = &value;
	rec.timestamp = 1700000000123;
	rec.origin.topic = "orders";
	rec.origin.partition = 3;
	rec.origin.offset = 17;
	rec.headers = headers;
	rec.header_count = 4;
}

/* @p text on the test's record: see expr_text.h. */
static const char *ev(const char *text)
{
	return expr_text(text, &rec, arena);
}

static void test_metadata(void)
{
	CHECK_STR(ev("timestamp"), "1700000000123");
	CHECK_STR(ev("topic"), "\"orders\"");
	CHECK_STR(ev("partition"), "3");
	CHECK_STR(ev("offset"), "17");
	CHECK_STR(ev("headers[\"trace\"]"), "\"t-2\""); /* the last of a name */
	CHECK_STR(ev("headers [ 'trace' ] + \"!\""), "\"t-2!\"");
	CHECK_STR(ev("length(headers[\"bin\"])"), "2"); /* not UTF-8: bytes */
	CHECK_STR(ev("headers[\"empty\"]"), "null");  /* a null value */
	CHECK_STR(ev("headers[\"missing\"]"), "null");
	CHECK_STR(ev("headers[\"Trace\"]"), "null");  /* names are exact */
	/* a value field of a metadata name: value.NAME or `NAME` */
	CHECK_STR(ev("value.topic"), "\"in-value\"");
	CHECK_STR(ev("`topic`"), "\"in-value\"");
	CHECK_STR(ev("value.timestamp"), "null");
	CHECK_STR(ev("topic == \"orders\" and partition == 3 and offset > 10"),
		  "true");
	CHECK_STR(ev("topic.x"), "PARSE 6: 'topic' is the record's metadata "
		  "and has no fields; a field of the value of that name is "
		  "value.topic");
	CHECK_HAS(ev("headers.trace"), "PARSE 8: expected '[' after headers");
	CHECK_HAS(ev("headers"), "PARSE 8: expected '[' after headers");
	CHECK_STR(ev("headers[trace]"),
		  "PARSE 9: expected a header name in quotes, found 'trace'");
	CHECK_STR(ev("headers[\"a\""),
		  "PARSE 12: expected ']', found the end of the expression");
	CHECK_HAS(ev("headers[\"a\"].b"), "PARSE 13: 'headers' is the record's "
		  "metadata");
	CHECK_STR(ev("timestamp(1)"), "PARSE 1: unknown function 'timestamp' "
		  "(functions: length, lower, upper, string, number, if, "
		  "coalesce, contains, starts_with, substr, matches, "
		  "format_time)");

	/* what a record without them gives: null */
	rec.timestamp = -1;
	rec.origin.topic = NULL;
	rec.origin.partition = -1;
	rec.origin.offset = 4; /* a generated record's sequence number */
	rec.header_count = 0;
	CHECK_STR(ev("timestamp"), "null");
	CHECK_STR(ev("topic"), "null");
	CHECK_STR(ev("partition"), "null");
	CHECK_STR(ev("offset"), "null");
	CHECK_STR(ev("headers[\"trace\"]"), "null");
	CHECK_STR(ev("coalesce(topic, \"none\")"), "\"none\"");
	/* a file source: its path as the topic, the line as the offset */
	rec.origin.topic = "in.jsonl";
	CHECK_STR(ev("topic + \":\" + string(offset)"), "\"in.jsonl:4\"");
	make_record();
}

static void test_if_coalesce(void)
{
	CHECK_STR(ev("if(n > 3, \"big\", \"small\")"), "\"big\"");
	CHECK_STR(ev("if(n > 9, \"big\", \"small\")"), "\"small\"");
	CHECK_STR(ev("if(nothing, 1, 2)"), "2"); /* null is not true */
	CHECK_STR(ev("if(true, null, 2)"), "null");
	CHECK_STR(ev("if(n > 3, if(n > 4, 5, 4), 3) * 10"), "50");
	CHECK_STR(ev("1 + if(false, 1, if(true, 2, 3)) + 1"), "4");
	/* a minus before if() or coalesce() is not folded into a literal */
	CHECK_STR(ev("-if(true, 1, 2)"), "-1");
	CHECK_STR(ev("-coalesce(1, 2)"), "-1");
	/* lazy: the untaken branch's error does not happen */
	CHECK_STR(ev("if(true, 1, 1 / 0)"), "1");
	CHECK_STR(ev("if(false, number(\"x\"), 2)"), "2");
	CHECK_STR(ev("if(n == 5, s, s - 1)"), "\"h\xc3\xa9llo w\xc3\xb6rld\"");
	CHECK_STR(ev("if(n == 5, 1 / 0, 1)"), "ERR column 14: division by zero");
	CHECK_STR(ev("if(n, 1, 2)"), "ERR column 1: if(): the condition must be "
		  "true, false or null, got int");
	CHECK_STR(ev("if(1, 2, 3)"), "PARSE 4: if(): the first argument must be "
		  "true or false, not int");
	CHECK_STR(ev("if(null, 2, 3)"), "3");
	CHECK_STR(ev("if(true, 1)"), "PARSE 11: if() takes three arguments");
	CHECK_STR(ev("if(true, 1, 2, 3)"), "PARSE 14: if() takes three arguments");
	CHECK_STR(ev("if()"), "PARSE 4: if() takes three arguments");

	CHECK_STR(ev("coalesce(nothing, missing, n)"), "5");
	CHECK_STR(ev("coalesce(s)"), "\"h\xc3\xa9llo w\xc3\xb6rld\"");
	CHECK_STR(ev("coalesce(nothing, null)"), "null");
	CHECK_STR(ev("coalesce(n, 1 / 0)"), "5"); /* lazy too */
	CHECK_STR(ev("coalesce(nothing, 1 / 0)"), "ERR column 21: division by zero");
	CHECK_STR(ev("coalesce(missing, coalesce(nothing, 2), 3) + 1"), "3");
	CHECK_STR(ev("coalesce(coalesce(nothing, missing), 7, 8)"), "7");
	CHECK_STR(ev("coalesce()"), "PARSE 10: coalesce() takes at least one "
		  "argument");
}

static void test_strings(void)
{
	CHECK_STR(ev("contains(s, \"llo w\")"), "true");
	CHECK_STR(ev("contains(s, \"\xc3\xb6r\")"), "true");
	CHECK_STR(ev("contains(s, \"world\")"), "false");
	CHECK_STR(ev("contains(s, \"\")"), "true");
	CHECK_STR(ev("contains(\"ab\", \"abc\")"), "false");
	CHECK_STR(ev("contains(\"aab\", \"ab\")"), "true");
	CHECK_STR(ev("contains(nothing, \"a\")"), "null");
	CHECK_STR(ev("contains(s, nothing)"), "null");
	CHECK_STR(ev("contains(n, \"5\")"), "ERR column 1: contains(): needs two "
		  "strings, got int and string");
	CHECK_STR(ev("starts_with(s, \"h\xc3\xa9\")"), "true");
	CHECK_STR(ev("starts_with(s, \"llo\")"), "false");
	CHECK_STR(ev("starts_with(topic, \"ord\")"), "true");
	CHECK_STR(ev("starts_with(\"a\", \"ab\")"), "false");
	CHECK_STR(ev("starts_with(s, n)"), "ERR column 1: starts_with(): needs "
		  "two strings, got string and int");
	CHECK_STR(ev("contains(s)"), "PARSE 11: contains() takes two arguments");
	/* a literal of the wrong type is known at compile time */
	CHECK_STR(ev("contains(s, 5)"), "PARSE 13: contains(): the second "
		  "argument must be a string, not int");
	CHECK_STR(ev("starts_with(true, s)"), "PARSE 13: starts_with(): the "
		  "first argument must be a string, not bool");
	CHECK_STR(ev("substr(\"abc\", \"1\")"), "PARSE 15: substr(): the "
		  "second argument must be an integer, not string");
	CHECK_STR(ev("substr(s, 1, 2.0)"), "PARSE 14: substr(): the third "
		  "argument must be an integer, not double");
	CHECK_STR(ev("matches(s, 1)"), "PARSE 12: matches(): the second "
		  "argument must be a string, not int");
	CHECK_STR(ev("format_time(\"0\", \"%F\")"), "PARSE 13: format_time(): "
		  "the first argument must be a number, not string");
	CHECK_STR(ev("format_time(0, null)"), "null");

	/* substr counts characters (code points) from 1 */
	CHECK_STR(ev("substr(s, 2, 4)"), "\"\xc3\xa9llo\"");
	CHECK_STR(ev("substr(s, 8)"), "\"\xc3\xb6rld\"");
	CHECK_STR(ev("substr(s, -4)"), "\"\xc3\xb6rld\"");
	CHECK_STR(ev("substr(s, -4, 1)"), "\"\xc3\xb6\"");
	CHECK_STR(ev("substr(s, -40, 2)"), "\"h\xc3\xa9\"");
	CHECK_STR(ev("substr(s, 11)"), "\"d\"");
	CHECK_STR(ev("substr(s, 12)"), "\"\"");
	CHECK_STR(ev("substr(s, 1, 0)"), "\"\"");
	CHECK_STR(ev("substr(s, 10, 100)"), "\"ld\"");
	CHECK_STR(ev("substr(\"\xf0\x9f\x98\x80x\", 1, 1)"), "\"\xf0\x9f\x98\x80\"");
	CHECK_STR(ev("length(substr(headers[\"bin\"], 2))"), "1"); /* bytes */
	CHECK_STR(ev("substr(nothing, 1)"), "null");
	CHECK_STR(ev("substr(s, nothing)"), "null");
	CHECK_STR(ev("substr(s, 0)"), "ERR column 1: substr(): start counts from "
		  "1 (or from -1 at the end), got 0");
	CHECK_STR(ev("substr(s, 1, -1)"), "ERR column 1: substr(): negative "
		  "length -1");
	CHECK_STR(ev("substr(s, n / 2)"), "ERR column 1: substr(): start and length "
		  "must be integers, got double");
	CHECK_STR(ev("substr(n, 1)"), "ERR column 1: substr(): needs a string, "
		  "got int");
	CHECK_STR(ev("substr(s, 1, 2, 3)"), "PARSE 15: substr() takes two or three "
		  "arguments");
}

static void test_matches(void)
{
	CHECK_STR(ev("matches(s, \"^h.llo\")"), "true"); /* . is one character */
	CHECK_STR(ev("matches(s, \"w.r\")"), "true");    /* found anywhere */
	CHECK_STR(ev("matches(s, \"^w\")"), "false");
	CHECK_STR(ev("matches(topic, \"^(orders|payments)$\")"), "true");
	CHECK_STR(ev("matches(s, re)"), "true"); /* compiled per record */
	CHECK_STR(ev("matches(s, nothing)"), "null");
	CHECK_STR(ev("matches(nothing, \"x\")"), "null");
	CHECK_STR(ev("matches(n, \"5\")"), "ERR column 1: matches(): needs two "
		  "strings, got int and string");
	/* a literal pattern is compiled with the expression: errors are
	 * found then, with PCRE2's message and offset */
	CHECK_STR(ev("matches(s, \"a(b\")"), "PARSE 12: matches(): bad regular "
		  "expression: missing closing parenthesis at offset 3 of the "
		  "pattern");
	CHECK_HAS(ev("n > 1 and matches(s, \"[z-a]\")"), "PARSE 22: matches(): "
		  "bad regular expression: range out of order in character class "
		  "at offset 3");
	/* an if() is not a literal, though its last node is one */
	CHECK_STR(ev("matches(\"x\", if(true, \"y\", \"x\"))"), "false");
	CHECK_STR(ev("matches(s, if(true, \"(\", \"x\"))"), "ERR column 1: "
		  "matches(): bad regular expression: missing closing "
		  "parenthesis at offset 1");
}

/*
 * A literal pattern's match takes nothing from the arena, record after
 * record (PCRE2's 20 KiB of match frames are kept with the pattern).
 */
static void test_matches_memory(void)
{
	expr_check_no_allocation("matches(s, \"^h.llo w(o|\u00f6)rld$\")", &rec,
				 arena);
}

static void test_format_time(void)
{
	CHECK_STR(ev("format_time(timestamp, \"%Y-%m-%d\")"), "\"2023-11-14\"");
	CHECK_STR(ev("format_time(timestamp, \"%FT%T.%LZ\")"),
		  "\"2023-11-14T22:13:20.123Z\"");
	CHECK_STR(ev("format_time(timestamp, \"%a %b %d %H:%M:%S %Z %z, day %j, "
		     "'%y, %s, 100%%\")"),
		  "\"Tue Nov 14 22:13:20 UTC +0000, day 318, '23, 1700000000, "
		  "100%\"");
	CHECK_STR(ev("format_time(ms, \"%F %T.%L\")"), "\"1970-01-01 23:59:59.999\"");
	CHECK_STR(ev("format_time(-1, \"%F %T.%L\")"), "\"1969-12-31 23:59:59.999\"");
	CHECK_STR(ev("format_time(1.7e12, \"%F\")"), "\"2023-11-14\"");
	CHECK_STR(ev("format_time(0, \"\")"), "\"\"");
	CHECK_STR(ev("format_time(nothing, \"%F\")"), "null");
	CHECK_STR(ev("format_time(0, nothing)"), "null");
	CHECK_STR(ev("format_time(s, \"%F\")"), "ERR column 1: format_time(): "
		  "needs a number of milliseconds, got string");
	CHECK_STR(ev("format_time(0, n)"), "ERR column 1: format_time(): the "
		  "format must be a string, got int");
	/* every 64-bit time has a date */
	CHECK_STR(ev("format_time(9223372036854775807, \"%F\")"),
		  "\"292278994-08-17\"");
	CHECK_STR(ev("format_time(-9223372036854775808, \"%F %Y\")"),
		  "\"-292275055-05-16 -292275055\"");
	CHECK_HAS(ev("format_time(1e300, \"%F\")"), "is out of range");
	CHECK_STR(ev("format_time(0, \"%Q\")"), "PARSE 16: format_time(): "
		  "unsupported conversion '%Q' (supported: %Y %y %m %d %H %M %S "
		  "%L %j %a %b %s %F %T %z %Z %%)");
	CHECK_STR(ev("format_time(0, \"50%\")"), "PARSE 16: format_time(): the "
		  "format ends in a lone '%'");
	CHECK_HAS(ev("format_time(0, if(true, \"%c\", \"\"))"), "ERR column 1: "
		  "format_time(): unsupported conversion '%c'");
}

/* if() nests like the rest, within the 64 levels (sluice-job(5)). */
static void test_limits(void)
{
	char text[2048];
	size_t j, k, len;

	for (k = 64; k <= 65; k++) {
		len = 0;
		for (j = 0; j < k; j++)
			len += (size_t)snprintf(text + len, sizeof text - len,
						"if(true, ");
		len += (size_t)snprintf(text + len, sizeof text - len, "7");
		for (j = 0; j < k; j++)
			len += (size_t)snprintf(text + len, sizeof text - len,
						", 0)");
		if (k == 64)
			CHECK_STR(ev(text), "7");
		else
			CHECK_HAS(ev(text), "nested too deeply");
	}
}

int main(void)
{
	arena = sl_arena_new();
	make_record();
	test_metadata();
	test_if_coalesce();
	test_strings();
	test_matches();
	test_matches_memory();
	test_format_time();
	test_limits();
	sl_arena_free(arena);
	return check_done("test_expr_record");
}
