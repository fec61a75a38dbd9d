/*
 * jsonloop.c - the JSON benchmark's baselines: a bare loop that does, for
 * one parser, what the page-view job needs of each JSON event and no more:
 * parse the line and read the fields the job uses (event_type for the
 * filter, user_id for the key, ts for the window).  Nothing is written
 * back: the job's output is a count per window, not the events.
 *
 *   jsonloop PARSER EVENTS.jsonl      PARSER: jansson, yajl or simdjson
 *   jsonloop --parsers                the parsers it was built with
 *
 * Each parser is used as its documentation shows for speed: jansson builds
 * its tree (json_loadb) and looks the members up; yajl calls back into a
 * small state machine (one handle per line, as a record is a separate
 * buffer); simdjson's On-Demand API looks the fields up in place
 * (jsonloop_simdjson.cpp).  The whole file is read first, into a buffer
 * with simdjson's padding after it; only the loop is timed.
 *
 * stdout: "RECORDS MS".  stderr: what was read (page views, the sums of
 * user_id and ts), which must be the same for every parser: bench.sh
 * compares them, so a baseline that skips work is caught.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#if HAVE_YAJL
#include <yajl/yajl_parse.h>
#endif

#include "jsonloop.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- jansson: a tree, then three lookups ------------------------------ */

static int jansson_loop(const jsonloop_lines *in, jsonloop_sums *out)
{
	size_t i;

	for (i = 0; i < in->count; i++) {
		json_error_t err;
		json_t *j = json_loadb(in->text + in->start[i], in->len[i], 0, &err);
		json_t *type, *user, *ts;

		if (j == NULL) {
			fprintf(stderr, "jsonloop: line %zu: %s\n", i + 1, err.text);
			return -1;
		}
		type = json_object_get(j, "event_type");
		user = json_object_get(j, "user_id");
		ts = json_object_get(j, "ts");
		if (!json_is_string(type) || !json_is_integer(user) ||
		    !json_is_integer(ts)) {
			fprintf(stderr, "jsonloop: line %zu: not a user event\n", i + 1);
			json_decref(j);
			return -1;
		}
		out->page_views += strcmp(json_string_value(type), "page_view") == 0;
		out->user_sum += (uint64_t)json_integer_value(user);
		out->ts_sum += (uint64_t)json_integer_value(ts);
		json_decref(j);
	}
	return 0;
}

/* ---- yajl: callbacks, the fields caught as they go by ----------------- */

#if HAVE_YAJL
enum { F_NONE, F_TYPE, F_USER, F_TS };

typedef struct yajl_event {
	int depth;       /* 1 inside the top-level object */
	int field;       /* the top-level member whose value comes next */
	int seen;        /* bit per field read */
	int page_view;
	long long user, ts;
} yajl_event;

static int y_key(void *ctx, const unsigned char *key, size_t len)
{
	yajl_event *e = ctx;

	e->field = F_NONE;
	if (e->depth != 1)
		return 1;
	if (len == 10 && memcmp(key, "event_type", 10) == 0)
		e->field = F_TYPE;
	else if (len == 7 && memcmp(key, "user_id", 7) == 0)
		e->field = F_USER;
	else if (len == 2 && memcmp(key, "ts", 2) == 0)
		e->field = F_TS;
	return 1;
}

static int y_string(void *ctx, const unsigned char *s, size_t len)
{
	yajl_event *e = ctx;

	if (e->depth == 1 && e->field == F_TYPE) {
		e->page_view = len == 9 && memcmp(s, "page_view", 9) == 0;
		e->seen |= 1 << F_TYPE;
	}
	return 1;
}

static int y_integer(void *ctx, long long v)
{
	yajl_event *e = ctx;

	if (e->depth == 1 && e->field == F_USER) {
		e->user = v;
		e->seen |= 1 << F_USER;
	} else if (e->depth == 1 && e->field == F_TS) {
		e->ts = v;
		e->seen |= 1 << F_TS;
	}
	return 1;
}

static int y_open(void *ctx)
{
	((yajl_event *)ctx)->depth++;
	return 1;
}

static int y_close(void *ctx)
{
	((yajl_event *)ctx)->depth--;
	return 1;
}

static const yajl_callbacks y_callbacks = {
	.yajl_integer = y_integer,
	.yajl_string = y_string,
	.yajl_start_map = y_open,
	.yajl_map_key = y_key,
	.yajl_end_map = y_close,
	.yajl_start_array = y_open,
	.yajl_end_array = y_close,
};

static int yajl_loop(const jsonloop_lines *in, jsonloop_sums *out)
{
	size_t i;

	for (i = 0; i < in->count; i++) {
		yajl_event e = { 0, F_NONE, 0, 0, 0, 0 };
		yajl_handle h = yajl_alloc(&y_callbacks, NULL, &e);
		const unsigned char *text =
			(const unsigned char *)in->text + in->start[i];

		if (h == NULL ||
		    yajl_parse(h, text, in->len[i]) != yajl_status_ok ||
		    yajl_complete_parse(h) != yajl_status_ok) {
			fprintf(stderr, "jsonloop: line %zu: not JSON\n", i + 1);
			if (h != NULL)
				yajl_free(h);
			return -1;
		}
		yajl_free(h);
		if (e.seen != (1 << F_TYPE | 1 << F_USER | 1 << F_TS)) {
			fprintf(stderr, "jsonloop: line %zu: not a user event\n", i + 1);
			return -1;
		}
		out->page_views += (uint64_t)e.page_view;
		out->user_sum += (uint64_t)e.user;
		out->ts_sum += (uint64_t)e.ts;
	}
	return 0;
}
#endif

/* ---- the file, the loop, the figures ---------------------------------- */

static int read_lines(const char *path, jsonloop_lines *in)
{
	FILE *f = fopen(path, "rb");
	size_t size, i, n = 0;
	char *text, *line, *end;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	size = (size_t)len;
	text = calloc(1, size + JSONLOOP_PADDING);
	if (text == NULL || fread(text, 1, size, f) != size) {
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	for (i = 0; i < size; i++)
		n += text[i] == '\n';
	in->start = malloc((n + 1) * sizeof *in->start);
	in->len = malloc((n + 1) * sizeof *in->len);
	if (in->start == NULL || in->len == NULL)
		return -1;
	for (line = text, n = 0; line < text + size; line = end + 1) {
		end = memchr(line, '\n', (size_t)(text + size - line));
		if (end == NULL)
			end = text + size;
		in->start[n] = (size_t)(line - text);
		in->len[n++] = (size_t)(end - line);
	}
	in->text = text;
	in->size = size;
	in->count = n;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*loop)(const jsonloop_lines *, jsonloop_sums *);
	} parsers[] = {
		{ "jansson", jansson_loop },
#if HAVE_YAJL
		{ "yajl", yajl_loop },
#endif
#if HAVE_SIMDJSON
		{ "simdjson", jsonloop_simdjson },
#endif
	};
	jsonloop_lines in;
	jsonloop_sums sums = { 0, 0, 0 };
	size_t p;
	double t0, t1;

	if (argc == 2 && strcmp(argv[1], "--parsers") == 0) {
		for (p = 0; p < sizeof parsers / sizeof parsers[0]; p++)
			printf("%s\n", parsers[p].name);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: jsonloop jansson|yajl|simdjson EVENTS.jsonl\n"
			"       jsonloop --parsers\n");
		return 2;
	}
	for (p = 0; p < sizeof parsers / sizeof parsers[0]; p++)
		if (strcmp(argv[1], parsers[p].name) == 0)
			break;
	if (p == sizeof parsers / sizeof parsers[0]) {
		fprintf(stderr, "jsonloop: %s: not built with this parser\n", argv[1]);
		return 2;
	}
	if (read_lines(argv[2], &in) != 0) {
		fprintf(stderr, "jsonloop: cannot read %s\n", argv[2]);
		return 1;
	}
	t0 = now_ms();
	if (parsers[p].loop(&in, &sums) != 0)
		return 1;
	t1 = now_ms();
	fprintf(stderr, "jsonloop: %zu events, %llu page views, user_id sum %llu, ts sum %llu\n",
		in.count, (unsigned long long)sums.page_views,
		(unsigned long long)sums.user_sum, (unsigned long long)sums.ts_sum);
	printf("%zu %.3f\n", in.count, t1 - t0);
	free(in.start);
	free(in.len);
	free(in.text);
	return 0;
}
