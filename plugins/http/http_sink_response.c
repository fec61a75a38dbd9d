/*
 * http_sink_response.c - what an answer means: its status's verdict, the
 * wait a Retry-After asks for, and its text made safe to print.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http_sink.h"

enum http_sink_verdict http_sink_verdict_of(long status)
{
	if (status >= 200 && status < 300)
		return HTTP_SINK_DELIVERED;
	/* 408: the server timed the request out, as our own timeout would */
	if (status == 408 || status == 429 || (status >= 500 && status < 600))
		return HTTP_SINK_RETRY;
	if (status >= 400 && status < 500)
		return HTTP_SINK_REFUSED;
	return HTTP_SINK_STOP;
}

int64_t http_sink_retry_after_ms(const char *value, time_t now)
{
	const char *p = value;
	int64_t secs = 0;
	time_t when;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p >= '0' && *p <= '9') {
		for (; *p >= '0' && *p <= '9'; p++) {
			if (secs > 86400 * 365)
				return -1; /* a year: not a wait anyone means */
			secs = secs * 10 + (*p - '0');
		}
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		return *p == '\0' ? secs * 1000 : -1;
	}
	when = curl_getdate(p, NULL);
	if (when == (time_t)-1)
		return -1;
	return when <= now ? 0 : (int64_t)(when - now) * 1000;
}

void http_sink_redact(char *text, const http_sink_header *headers,
		      size_t count)
{
	static const char mask[] = "***";
	size_t i;

	for (i = 0; i < count; i++) {
		const char *v = headers[i].value;
		size_t vlen = strlen(v);
		char *from = text, *at;

		/* a value of one or two characters is no secret worth
		 * garbling every message for */
		if (vlen < 3)
			continue;
		/* the text only shrinks: vlen >= 3 */
		while ((at = strstr(from, v)) != NULL) {
			memmove(at + 3, at + vlen, strlen(at + vlen) + 1);
			memcpy(at, mask, 3);
			from = at + 3;
		}
	}
}
