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
 *
 * Descriptors: every Kafka client holds one per broker and a few more,
 * and the endpoint sizes itself by RLIMIT_NOFILE.  The soft limit is
 * raised to the hard one (as servers do; systemd's default soft limit is
 * 1024 under a hard one of 524288), and a job left with fewer than
 * SL_FDS_ADVISED is warned about by name, not left to fail later as
 * "all broker connections are down".
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
/* raised no further: the endpoint's tables are sized by it */
#define FDS_RAISED_MAX 65536

static void raise_descriptors(void)
{
	struct rlimit fds;

	if (getrlimit(RLIMIT_NOFILE, &fds) != 0 || fds.rlim_cur >= fds.rlim_max ||
	    fds.rlim_cur >= FDS_RAISED_MAX)
		return;
	fds.rlim_cur = fds.rlim_max < FDS_RAISED_MAX ? fds.rlim_max : FDS_RAISED_MAX;
	setrlimit(RLIMIT_NOFILE, &fds);
}

long sl_cli_descriptors_short(void)
{
	struct rlimit fds;

	if (getrlimit(RLIMIT_NOFILE, &fds) != 0 || fds.rlim_cur == RLIM_INFINITY ||
	    fds.rlim_cur >= SL_FDS_ADVISED)
		return 0;
	return (long)fds.rlim_cur;
}

void sl_cli_process_setup(void)
{
	pthread_attr_t attr;
	struct rlimit stack;
	size_t size = THREAD_STACK;

	raise_descriptors();
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
