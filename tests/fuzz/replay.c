/*
 * replay.c - run a fuzz target over the inputs named on the command line
 * (files, or folders of files, read recursively in name order), once
 * each: the regression pass of `make check` where libFuzzer is not there.
 * A failure is a crash or an abort, as under libFuzzer.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
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

/*
 * The inputs are replayed on a thread of REPLAY_STACK bytes of stack: the
 * json decoders recurse once per level, up to 2048 levels, which takes
 * under 1 MiB as built, but gcc's AddressSanitizer pads every frame and
 * needed between 16 and 32 MiB for the jsondiff corpus's deepest inputs.
 * libFuzzer (make fuzz) runs on the main thread, with clang's smaller
 * frames.
 */
#define REPLAY_STACK (256u << 20)

static int replay_argc;
static char **replay_argv;

static void *replay(void *unused)
{
	int i;

	(void)unused;
	for (i = 1; i < replay_argc; i++)
		if (replay_argv[i][0] != '-') /* libFuzzer's options do not apply */
			run_path(replay_argv[i]);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	LLVMFuzzerInitialize(&argc, &argv);
	replay_argc = argc;
	replay_argv = argv;
	if ((rc = pthread_attr_init(&attr)) != 0 ||
	    (rc = pthread_attr_setstacksize(&attr, REPLAY_STACK)) != 0 ||
	    (rc = pthread_create(&t, &attr, replay, NULL)) != 0 ||
	    (rc = pthread_join(t, NULL)) != 0) {
		fprintf(stderr, "replay: thread: %s\n", strerror(rc));
		return 1;
	}
	pthread_attr_destroy(&attr);
	printf("%s: %zu inputs replayed\n", argv[0], runs);
	return 0;
}
