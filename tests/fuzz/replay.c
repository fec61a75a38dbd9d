/*
 * replay.c - run a fuzz target over the inputs named on the command line
 * (files, or folders of files, read recursively in name order), once
 * each: the regression pass of `make check` where libFuzzer is not there.
 * A failure is a crash or an abort, as under libFuzzer.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* libFuzzer's default: a target that does not need it defines nothing. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static size_t runs;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL, *grown;
	size_t size = 0, cap = 0, n;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	do {
		if (cap - size < 4096) {
			cap = cap ? 2 * cap : 8192;
			if ((grown = realloc(data, cap)) == NULL) {
				fprintf(stderr, "replay: out of memory\n");
				exit(1);
			}
			data = grown;
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n > 0);
	fclose(f);
	/* an exact allocation, so that reading past the input is caught */
	grown = malloc(size ? size : 1);
	if (grown == NULL) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	if (size)
		memcpy(grown, data, size);
	free(data);
	LLVMFuzzerTestOneInput(grown, size);
	free(grown);
	runs++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL, full[4096];
	size_t count = 0, i;
	DIR *d;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (count + 1) * sizeof *names);
		if (names == NULL || (names[count] = strdup(e->d_name)) == NULL) {
			fprintf(stderr, "replay: out of memory\n");
			exit(1);
		}
		count++;
	}
	closedir(d);
	if (count > 1)
		qsort(names, count, sizeof *names, by_name);
	for (i = 0; i < count; i++) {
		snprintf(full, sizeof full, "%s/%s", path, names[i]);
		run_path(full);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int i;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-') /* libFuzzer's options do not apply */
			run_path(argv[i]);
	printf("%s: %zu inputs replayed\n", argv[0], runs);
	return 0;
}
