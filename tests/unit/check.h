/*
 * check.h - the smallest test harness, for the core's unit tests and the
 * plugins' C tests: CHECK() records a failure with its file and line and
 * goes on, so one run shows every broken expectation; check_done() prints
 * "N passed, N failed" and gives the exit status.
 */
#ifndef SL_TEST_CHECK_H
#define SL_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                            \
		}                                                            \
	} while (0)

/* CHECK with a message (printf-style) saying which input failed. */
#define CHECK_MSG(cond, ...)                                                 \
	do {                                                                 \
		if (cond) {                                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: check failed: ", __FILE__,  \
				__LINE__);                                   \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
		}                                                            \
	} while (0)

/* Strings equal (NULL equals only NULL); prints both when not. */
#define CHECK_STR(got, want)                                                 \
	do {                                                                 \
		const char *got_ = (got), *want_ = (want);                   \
		if ((got_ == NULL && want_ == NULL) ||                       \
		    (got_ != NULL && want_ != NULL && strcmp(got_, want_) == 0)) { \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: check failed: %s is \"%s\", " \
				"want \"%s\"\n", __FILE__, __LINE__, #got,  \
				got_ ? got_ : "(null)",                      \
				want_ ? want_ : "(null)");                   \
		}                                                            \
	} while (0)

/* @p hay contains @p needle. */
#define CHECK_HAS(hay, needle)                                               \
	do {                                                                 \
		const char *hay_ = (hay), *needle_ = (needle);               \
		if (hay_ != NULL && strstr(hay_, needle_) != NULL) {         \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: check failed: \"%s\" does not " \
				"contain \"%s\"\n", __FILE__, __LINE__,      \
				hay_ ? hay_ : "(null)", needle_);            \
		}                                                            \
	} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed == 0 ? 0 : 1;
}

/* A fresh temporary folder for fixture files; exits 99 (hard error) if none. */
static inline char *check_tmpdir(void)
{
	static char dir[4096];
	const char *base = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/sluice-test-XXXXXX",
		 base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	return dir;
}

/* Write @p text to DIR/NAME (folders must exist); returns the path (static). */
static inline const char *check_write(const char *dir, const char *name,
				      const char *text)
{
	static char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0) {
		perror(path);
		exit(99);
	}
	return path;
}

/* rm -rf @p dir, which the test made. */
static inline void check_rmdir(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

#endif
