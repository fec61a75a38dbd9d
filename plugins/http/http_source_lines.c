/*
 * http_source_lines.c - the records of a request's body: the body itself
 * (split = none), or each non-empty line without its "\n" or "\r\n"
 * (split = lines).
 */
#include <string.h>

#include "http_source_internal.h"

/* Records in a body: one, or its non-empty lines. */
uint32_t hs_count_records(const hs_source *s, const hs_request *q)
{
	const uint8_t *p = q->body, *end = q->body + q->len;
	uint32_t n = 0;

	if (!s->opt.split_lines)
		return 1;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *stop = nl ? nl : end;

		if (stop > p && !(stop == p + 1 && *p == '\r'))
			n++;
		p = nl ? nl + 1 : end;
	}
	return n;
}

/* The next record of @p q from its cursor: 1, or 0 at its end. */
int hs_next_record(const hs_source *s, hs_request *q, const uint8_t **data,
		   size_t *len)
{
	const uint8_t *end = q->body + q->len;

	if (!s->opt.split_lines) {
		if (q->cursor > 0)
			return 0;
		*data = q->body;
		*len = q->len;
		q->cursor = q->len + 1;
		return 1;
	}
	while (q->cursor < q->len) {
		const uint8_t *p = q->body + q->cursor;
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *stop = nl ? nl : end;

		q->cursor = nl ? (size_t)(nl - q->body) + 1 : q->len;
		if (stop > p && stop[-1] == '\r')
			stop--;
		if (stop > p) {
			*data = p;
			*len = (size_t)(stop - p);
			return 1;
		}
	}
	return 0;
}
