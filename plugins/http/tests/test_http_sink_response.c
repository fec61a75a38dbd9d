/*
 * test_http_sink_response.c - what the http sink makes of an answer:
 * which statuses deliver, retry, refuse or stop; the waits Retry-After
 * asks for (seconds and HTTP-dates); header values hidden in a text.
 */
#include <time.h>

#include "check.h"
#include "http_sink.h"

static void test_verdicts(void)
{
	CHECK(http_sink_verdict_of(200) == HTTP_SINK_DELIVERED);
	CHECK(http_sink_verdict_of(201) == HTTP_SINK_DELIVERED);
	CHECK(http_sink_verdict_of(204) == HTTP_SINK_DELIVERED);
	CHECK(http_sink_verdict_of(299) == HTTP_SINK_DELIVERED);
	CHECK(http_sink_verdict_of(500) == HTTP_SINK_RETRY);
	CHECK(http_sink_verdict_of(503) == HTTP_SINK_RETRY);
	CHECK(http_sink_verdict_of(599) == HTTP_SINK_RETRY);
	CHECK(http_sink_verdict_of(429) == HTTP_SINK_RETRY);
	CHECK(http_sink_verdict_of(408) == HTTP_SINK_RETRY);
	CHECK(http_sink_verdict_of(400) == HTTP_SINK_REFUSED);
	CHECK(http_sink_verdict_of(401) == HTTP_SINK_REFUSED);
	CHECK(http_sink_verdict_of(413) == HTTP_SINK_REFUSED);
	CHECK(http_sink_verdict_of(499) == HTTP_SINK_REFUSED);
	CHECK(http_sink_verdict_of(301) == HTTP_SINK_STOP);
	CHECK(http_sink_verdict_of(100) == HTTP_SINK_STOP);
	CHECK(http_sink_verdict_of(600) == HTTP_SINK_STOP);
}

static void test_retry_after(void)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example */
	time_t then = 784111777;

	CHECK(http_sink_retry_after_ms("1", then) == 1000);
	CHECK(http_sink_retry_after_ms(" 120\r\n", then) == 120000);
	CHECK(http_sink_retry_after_ms("0", then) == 0);
	CHECK(http_sink_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", then) == 0);
	CHECK(http_sink_retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT\r\n",
				       then) == 10000);
	CHECK(http_sink_retry_after_ms("Sun, 06 Nov 1994 08:48:37 GMT",
				       then) == 0);
	CHECK(http_sink_retry_after_ms("soon", then) == -1);
	CHECK(http_sink_retry_after_ms("12abc", then) == -1);
	CHECK(http_sink_retry_after_ms("99999999999999999999", then) == -1);
}

static void test_redact(void)
{
	http_sink_header h[3] = {
		{ "Authorization", "Bearer s3cret" },
		{ "X-Short", "ab" },
		{ "X-Mask", "***" },
	};
	char text[128];

	strcpy(text, "no: Bearer s3cret; again Bearer s3cret; ab");
	http_sink_redact(text, h, 3);
	CHECK_STR(text, "no: ***; again ***; ab");
	strcpy(text, "*** ****");
	http_sink_redact(text, h, 3);
	CHECK_STR(text, "*** ****");
}

int main(void)
{
	test_verdicts();
	test_retry_after();
	test_redact();
	return check_done("test_http_sink_response");
}
