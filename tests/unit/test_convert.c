/* Option text to values: strict, whole-string, overflow-checked. */
#include "config.h"

#include <stdint.h>

#include "check.h"
#include "base/convert.h"

static void test_int(void)
{
	int64_t v = 0;

	CHECK(sl_parse_int("0", &v) == 0 && v == 0);
	CHECK(sl_parse_int("42", &v) == 0 && v == 42);
	CHECK(sl_parse_int("-7", &v) == 0 && v == -7);
	CHECK(sl_parse_int("+7", &v) == 0 && v == 7);
	CHECK(sl_parse_int("9223372036854775807", &v) == 0 && v == INT64_MAX);
	CHECK(sl_parse_int("-9223372036854775808", &v) == 0 && v == INT64_MIN);
	CHECK(sl_parse_int("9223372036854775808", &v) == -1);
	CHECK(sl_parse_int("-9223372036854775809", &v) == -1);
	CHECK(sl_parse_int("", &v) == -1);
	CHECK(sl_parse_int(" 1", &v) == -1);
	CHECK(sl_parse_int("1 ", &v) == -1);
	CHECK(sl_parse_int("1O", &v) == -1);
	CHECK(sl_parse_int("0x10", &v) == -1);
	CHECK(sl_parse_int("1.5", &v) == -1);
	CHECK(sl_parse_int("-", &v) == -1);
	CHECK(sl_parse_int("--1", &v) == -1);
}

static void test_number(void)
{
	double d = 0;

	CHECK(sl_parse_number("1.5", &d) == 0 && d == 1.5);
	CHECK(sl_parse_number("-2", &d) == 0 && d == -2);
	CHECK(sl_parse_number(".5", &d) == 0 && d == 0.5);
	CHECK(sl_parse_number("1e3", &d) == 0 && d == 1000);
	CHECK(sl_parse_number("0", &d) == 0 && d == 0);
	CHECK(sl_parse_number("", &d) == -1);
	CHECK(sl_parse_number("abc", &d) == -1);
	CHECK(sl_parse_number("1.5x", &d) == -1);
	CHECK(sl_parse_number(" 1", &d) == -1);
	CHECK(sl_parse_number("inf", &d) == -1);
	CHECK(sl_parse_number("nan", &d) == -1);
	CHECK(sl_parse_number("1e999", &d) == -1);
	CHECK(sl_parse_number("0x10", &d) == -1);
	CHECK(sl_parse_number(".", &d) == -1);
}

static void test_bool(void)
{
	int b = -1;

	CHECK(sl_parse_bool("true", &b) == 0 && b == 1);
	CHECK(sl_parse_bool("YES", &b) == 0 && b == 1);
	CHECK(sl_parse_bool("on", &b) == 0 && b == 1);
	CHECK(sl_parse_bool("1", &b) == 0 && b == 1);
	CHECK(sl_parse_bool("false", &b) == 0 && b == 0);
	CHECK(sl_parse_bool("No", &b) == 0 && b == 0);
	CHECK(sl_parse_bool("off", &b) == 0 && b == 0);
	CHECK(sl_parse_bool("0", &b) == 0 && b == 0);
	CHECK(sl_parse_bool("", &b) == -1);
	CHECK(sl_parse_bool("maybe", &b) == -1);
	CHECK(sl_parse_bool("2", &b) == -1);
	CHECK(sl_parse_bool("true ", &b) == -1);
}

static void test_duration(void)
{
	int64_t v = 0;

	CHECK(sl_parse_duration_ms("250", &v) == 0 && v == 250);
	CHECK(sl_parse_duration_ms("250ms", &v) == 0 && v == 250);
	CHECK(sl_parse_duration_ms("60s", &v) == 0 && v == 60000);
	CHECK(sl_parse_duration_ms("5m", &v) == 0 && v == 300000);
	CHECK(sl_parse_duration_ms("1h", &v) == 0 && v == 3600000);
	CHECK(sl_parse_duration_ms("2d", &v) == 0 && v == 172800000);
	CHECK(sl_parse_duration_ms("0s", &v) == 0 && v == 0);
	CHECK(sl_parse_duration_ms("9223372036854775807", &v) == 0 &&
	      v == INT64_MAX);
	CHECK(sl_parse_duration_ms("9223372036854775808", &v) == -1);
	CHECK(sl_parse_duration_ms("9223372036854775807s", &v) == -1);
	CHECK(sl_parse_duration_ms("106751991167301d", &v) == -1);
	CHECK(sl_parse_duration_ms("", &v) == -1);
	CHECK(sl_parse_duration_ms("s", &v) == -1);
	CHECK(sl_parse_duration_ms("-1s", &v) == -1);
	CHECK(sl_parse_duration_ms("1.5s", &v) == -1);
	CHECK(sl_parse_duration_ms("10 s", &v) == -1);
	CHECK(sl_parse_duration_ms("10S", &v) == -1);
	CHECK(sl_parse_duration_ms("10sec", &v) == -1);
	CHECK(sl_parse_duration_ms("1h30m", &v) == -1);
}

/* Sizes: units of 1024, upper or lower case; a bare number is bytes. */
static void test_size(void)
{
	int64_t v = 0;
	char buf[32];

	CHECK(sl_parse_size("4096", &v) == 0 && v == 4096);
	CHECK(sl_parse_size("10B", &v) == 0 && v == 10);
	CHECK(sl_parse_size("512KB", &v) == 0 && v == 512 * 1024);
	CHECK(sl_parse_size("64MB", &v) == 0 && v == 64 << 20);
	CHECK(sl_parse_size("64mb", &v) == 0 && v == 64 << 20);
	CHECK(sl_parse_size("2MiB", &v) == 0 && v == 2 << 20);
	CHECK(sl_parse_size("1G", &v) == 0 && v == 1 << 30);
	CHECK(sl_parse_size("8589934591GB", &v) == 0 &&
	      v == INT64_C(8589934591) << 30);
	CHECK(sl_parse_size("8589934592GB", &v) == -1);
	CHECK(sl_parse_size("", &v) == -1);
	CHECK(sl_parse_size("MB", &v) == -1);
	CHECK(sl_parse_size("-1MB", &v) == -1);
	CHECK(sl_parse_size("1.5MB", &v) == -1);
	CHECK(sl_parse_size("64 MB", &v) == -1);
	CHECK(sl_parse_size("64TB", &v) == -1);
	CHECK_STR(sl_format_size(128 << 20, buf, sizeof buf), "128MB");
	CHECK_STR(sl_format_size(1536 * 1024, buf, sizeof buf), "1536KB");
	CHECK_STR(sl_format_size(1 << 30, buf, sizeof buf), "1GB");
	CHECK_STR(sl_format_size(1000, buf, sizeof buf), "1000B");
}

static void test_format_duration(void)
{
	char buf[32];

	CHECK_STR(sl_format_duration_ms(0, buf, sizeof buf), "0ms");
	CHECK_STR(sl_format_duration_ms(250, buf, sizeof buf), "250ms");
	CHECK_STR(sl_format_duration_ms(1000, buf, sizeof buf), "1s");
	CHECK_STR(sl_format_duration_ms(90000, buf, sizeof buf), "90s");
	CHECK_STR(sl_format_duration_ms(120000, buf, sizeof buf), "2m");
	CHECK_STR(sl_format_duration_ms(3600000, buf, sizeof buf), "1h");
	CHECK_STR(sl_format_duration_ms(172800000, buf, sizeof buf), "2d");
	CHECK_STR(sl_format_duration_ms(1500, buf, sizeof buf), "1500ms");
}

int main(void)
{
	test_int();
	test_number();
	test_bool();
	test_duration();
	test_size();
	test_format_duration();
	return check_done("test_convert");
}
