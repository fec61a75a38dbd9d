/*
 * test_memory_limit.c - out-of-memory messages name the limits that
 * applied: the cgroup's memory limit read from fixture trees shaped as
 * /proc/self/cgroup and /sys/fs/cgroup are (v2, v1, a container's own
 * root, no limit), and RLIMIT_AS appended to an out-of-memory message
 * only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "check.h"
#include "cli/cli.h"

static char root[256];

/* Write @p text to ROOT/@p rel, making its folders. */
static void put(const char *rel, const char *text)
{
	char path[1024], *slash;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			perror(path);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
}

/* The limit for the cgroup file ROOT/@p proc over the tree ROOT/@p fs. */
static long long limit(const char *proc, const char *fs)
{
	char p[512], f[512];

	snprintf(p, sizeof p, "%s/%s", root, proc);
	snprintf(f, sizeof f, "%s/%s", root, fs);
	return sl_cli_cgroup_memory_max(p, f);
}

static void test_cgroups(void)
{
	/* v2, the cgroup's own folder */
	put("v2/cgroup", "0::/system.slice/job.service\n");
	put("v2/fs/system.slice/job.service/memory.max", "536870912\n");
	CHECK(limit("v2/cgroup", "v2/fs") == 536870912LL);
	/* v2 without a limit */
	put("v2max/cgroup", "0::/user.slice\n");
	put("v2max/fs/user.slice/memory.max", "max\n");
	CHECK(limit("v2max/cgroup", "v2max/fs") == -1);
	/* v2 in a container: its cgroup is the root of what it sees */
	put("v2ct/cgroup", "0::/../host/path\n");
	put("v2ct/fs/memory.max", "1048576\n");
	CHECK(limit("v2ct/cgroup", "v2ct/fs") == 1048576);
	/* v1 (hybrid): the memory controller's line, after others */
	put("v1/cgroup", "5:cpu:/\n4:memory:/docker/abc\n0::/\n");
	put("v1/fs/memory/docker/abc/memory.limit_in_bytes", "268435456\n");
	CHECK(limit("v1/cgroup", "v1/fs") == 268435456LL);
	/* v1 without a limit: the largest page-aligned long */
	put("v1max/cgroup", "4:memory:/\n");
	put("v1max/fs/memory/memory.limit_in_bytes", "9223372036854771712\n");
	CHECK(limit("v1max/cgroup", "v1max/fs") == -1);
	/* nothing readable */
	CHECK(limit("none/cgroup", "none/fs") == -1);
}

static void test_message(void)
{
	struct rlimit old, as;
	char msg[512];

	/* a message about something else is left alone */
	snprintf(msg, sizeof msg, "stage 'in': broker down");
	sl_cli_name_memory_limit(msg, sizeof msg);
	CHECK_STR(msg, "stage 'in': broker down");

#ifdef __SANITIZE_ADDRESS__
	/* AddressSanitizer's shadow memory needs terabytes of address space:
	 * any RLIMIT_AS breaks the runtime itself */
	(void)old;
	(void)as;
	printf("# SKIP RLIMIT_AS: an AddressSanitizer build\n");
	return;
#endif
	if (getrlimit(RLIMIT_AS, &old) != 0) {
		CHECK(0);
		return;
	}
	/* 64 GB of address space: far above what this test uses */
	as = old;
	as.rlim_cur = 64ULL * 1024 * 1024 * 1024;
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < as.rlim_cur) {
		printf("# SKIP RLIMIT_AS: the hard limit is under 64 GB\n");
		return;
	}
	CHECK(setrlimit(RLIMIT_AS, &as) == 0);
	snprintf(msg, sizeof msg, "stage 'gen': out of memory for a value");
	sl_cli_name_memory_limit(msg, sizeof msg);
	CHECK_HAS(msg, "stage 'gen': out of memory for a value (the process "
		  "may use at most 65536 MB of address space: ulimit -v 67108864)");
	/* too small a buffer: cut, still terminated */
	snprintf(msg, 40, "out of memory");
	sl_cli_name_memory_limit(msg, 40);
	CHECK(strlen(msg) == 39);
	CHECK(setrlimit(RLIMIT_AS, &old) == 0);
}

int main(void)
{
	char tmpl[] = "/tmp/sluice-memlimit.XXXXXX";
	char cmd[300];

	if (mkdtemp(tmpl) == NULL)
		return 99;
	snprintf(root, sizeof root, "%s", tmpl);
	test_cgroups();
	test_message();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return check_done("test_memory_limit");
}
