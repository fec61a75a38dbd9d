/*
 * json-lines.c - check that standard input is JSON lines: every line one
 * JSON object, holding every KEY named on the command line.  Prints how
 * many lines it read; exits 1 naming the first line that is not.  For
 * the tests of log.format = json and /status (one line).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	long n = 0;
	ssize_t len;
	int i;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		json_error_t why;
		json_t *obj;

		n++;
		if (line[len - 1] != '\n') {
			printf("line %ld: no newline at its end\n", n);
			return 1;
		}
		obj = json_loadb(line, (size_t)len, 0, &why);
		if (obj == NULL || !json_is_object(obj)) {
			printf("line %ld is not a JSON object (%s): %s", n,
			       obj ? "another type" : why.text, line);
			return 1;
		}
		for (i = 1; i < argc; i++) {
			if (json_object_get(obj, argv[i]) == NULL) {
				printf("line %ld has no \"%s\": %s", n, argv[i], line);
				return 1;
			}
		}
		json_decref(obj);
	}
	free(line);
	printf("%ld JSON lines\n", n);
	return n > 0 ? 0 : 1;
}
