/*
 * process_setup.c - how the sluice process sizes its threads' memory
 * before a job starts any.
 *
 * librdkafka starts about a dozen threads per client, and a job has a
 * few clients.  With glibc's defaults each thread reserves a stack of
 * RLIMIT_STACK (8 MB) and may get a malloc arena that reserves 64 MB, so
 * a job that uses 60 MB reserved over 1 GB of address space, and under a
 * `ulimit -v` (or a container limit on address space) librdkafka could
 * not start its threads and aborted.  Two arenas and 2 MB stacks keep
 * the reservation near what is used; the environment still decides
 * where it says something (MALLOC_ARENA_MAX, a smaller RLIMIT_STACK).
 */
#define _GNU_SOURCE
#include "config.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "cli/cli.h"

#define ARENAS 2
#define THREAD_STACK (2 * 1024 * 1024)

void sl_cli_process_setup(void)
{
	pthread_attr_t attr;
	struct rlimit stack;
	size_t size = THREAD_STACK;

	if (getenv("MALLOC_ARENA_MAX") == NULL)
		mallopt(M_ARENA_MAX, ARENAS);
	if (getrlimit(RLIMIT_STACK, &stack) == 0 &&
	    stack.rlim_cur != RLIM_INFINITY && stack.rlim_cur < size)
		size = stack.rlim_cur;
	if (pthread_attr_init(&attr) != 0)
		return;
	if (pthread_attr_setstacksize(&attr, size) == 0)
		pthread_setattr_default_np(&attr);
	pthread_attr_destroy(&attr);
}
