/*
 * jsonloop.c - the benchmark's baseline: a bare C loop that parses and
 * re-serializes JSON events with jansson, one per line of a file, as
 * fast as it can.  Prints "RECORDS MS" for the loop alone (reading the
 * file is not timed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	FILE *f;
	char *text = NULL, *line, *end, out[4096];
	size_t size = 0, n = 0, i, bytes = 0;
	long len;
	size_t *starts, *lens;
	double t0, t1;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: jsonloop EVENTS.jsonl\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	size = len > 0 ? (size_t)len : 0;
	text = malloc(size + 1);
	if (text == NULL || fread(text, 1, size, f) != size) {
		fprintf(stderr, "jsonloop: cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(f);
	text[size] = '\0';
	for (i = 0; i < size; i++)
		n += text[i] == '\n';
	starts = malloc((n + 1) * sizeof *starts);
	lens = malloc((n + 1) * sizeof *lens);
	if (starts == NULL || lens == NULL)
		return 1;
	for (line = text, n = 0; line < text + size; line = end + 1) {
		end = memchr(line, '\n', (size_t)(text + size - line));
		if (end == NULL)
			end = text + size;
		starts[n] = (size_t)(line - text);
		lens[n++] = (size_t)(end - line);
	}
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		json_error_t err;
		json_t *j = json_loadb(text + starts[i], lens[i], 0, &err);

		if (j == NULL) {
			fprintf(stderr, "jsonloop: line %zu: %s\n", i + 1, err.text);
			return 1;
		}
		bytes += json_dumpb(j, out, sizeof out, JSON_COMPACT);
		json_decref(j);
	}
	t1 = now_ms();
	/* bytes is printed so the loop's work cannot be optimized away */
	fprintf(stderr, "jsonloop: %zu bytes written\n", bytes);
	printf("%zu %.3f\n", n, t1 - t0);
	free(starts);
	free(lens);
	free(text);
	return 0;
}
