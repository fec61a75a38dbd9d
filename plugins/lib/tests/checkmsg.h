/*
 * checkmsg.h - CHECK(cond, printf-args): a failed check prints "not ok",
 * its file:line and the message, counts in `failures`, and goes on.  For
 * the format unit tests, whose messages name the input that failed.
 */
#ifndef SL_TEST_CHECKMSG_H
#define SL_TEST_CHECKMSG_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                               \
	do {                                                           \
		if (!(cond)) {                                         \
			failures++;                                    \
			printf("not ok - %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                           \
			printf("\n");                                  \
		}                                                      \
	} while (0)

#endif
