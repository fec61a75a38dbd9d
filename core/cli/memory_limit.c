/*
 * memory_limit.c - the limits a process's memory runs under, named in an
 * out-of-memory message.
 *
 * An allocation refused under `ulimit -v` (or systemd's LimitAS=) says
 * only "out of memory", which reads like a fault of the job or of the
 * machine.  The operator needs to know which limit was reached and how
 * large it is, so the top-level message names it: the address-space
 * limit, and the memory cgroup's (a container's) limit when one is set.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"

#define MB (1024 * 1024)
/* cgroup v1 writes "no limit" as the largest page-aligned long */
#define CGROUP_V1_UNLIMITED (1LL << 62)

/* The number in file @p path, -1 when it has none ("max" included). */
static long long read_number(const char *path)
{
	FILE *f = fopen(path, "r");
	long long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* @p file under the cgroup's own folder @p dir of @p fs, else under the
 * root of @p fs: in a container, the root is the container's cgroup. */
static long long cgroup_value(const char *fs, const char *dir, const char *file)
{
	char path[4096];
	long long v;

	snprintf(path, sizeof path, "%s%s/%s", fs, dir, file);
	if ((v = read_number(path)) >= 0)
		return v;
	snprintf(path, sizeof path, "%s/%s", fs, file);
	return read_number(path);
}

long long sl_cli_cgroup_memory_max(const char *proc_cgroup, const char *cgroup_fs)
{
	FILE *f = fopen(proc_cgroup, "r");
	char line[4096], fs[4096];
	long long v = -1;

	if (f == NULL)
		return -1;
	/* "0::/path" (v2: memory.max) or "N:memory:/path" (v1) */
	while (v < 0 && fgets(line, sizeof line, f) != NULL) {
		char *controllers = strchr(line, ':'), *dir;

		line[strcspn(line, "\n")] = '\0';
		if (controllers == NULL || (dir = strchr(controllers + 1, ':')) == NULL)
			continue;
		*controllers++ = '\0';
		*dir++ = '\0';
		if (strcmp(line, "0") == 0 && *controllers == '\0') {
			v = cgroup_value(cgroup_fs, dir, "memory.max");
		} else if (strcmp(controllers, "memory") == 0) {
			snprintf(fs, sizeof fs, "%s/memory", cgroup_fs);
			v = cgroup_value(fs, dir, "memory.limit_in_bytes");
			if (v >= CGROUP_V1_UNLIMITED)
				v = -1;
		}
	}
	fclose(f);
	return v;
}

static int says_out_of_memory(const char *message)
{
	return strstr(message, "out of memory") != NULL ||
	       strstr(message, "Cannot allocate memory") != NULL;
}

void sl_cli_name_memory_limit(char *message, size_t size)
{
	struct rlimit as;
	long long cgroup;
	size_t len;

	if (!says_out_of_memory(message))
		return;
	if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
		len = strlen(message);
		snprintf(message + len, size - len, " (the process may use at most "
			 "%llu MB of address space: ulimit -v %llu)",
			 (unsigned long long)as.rlim_cur / MB,
			 (unsigned long long)as.rlim_cur / 1024);
	}
	cgroup = sl_cli_cgroup_memory_max("/proc/self/cgroup", "/sys/fs/cgroup");
	if (cgroup >= 0) {
		len = strlen(message);
		snprintf(message + len, size - len, " (its memory cgroup may use "
			 "at most %lld MB)", cgroup / MB);
	}
}
