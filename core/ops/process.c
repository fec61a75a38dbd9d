/*
 * process.c - the standard process_* figures every Prometheus client
 * library exports, read the way they read them on Linux: CPU time from
 * getrusage, memory from /proc/self/statm, descriptors from
 * /proc/self/fd, the start time from /proc/self/stat and /proc/stat.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ops/ops.h"

static double boot_time(void)
{
	FILE *f = fopen("/proc/stat", "r");
	char line[256];
	double btime = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "btime %lf", &btime) == 1)
			break;
	fclose(f);
	return btime;
}

/* Field 22 of /proc/self/stat, after the command in parentheses, which
 * may itself hold spaces and parentheses. */
static double start_time(void)
{
	FILE *f = fopen("/proc/self/stat", "r");
	char buf[1024], *p;
	unsigned long long ticks = 0;
	int field;
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	/* after ')' comes field 3 */
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &ticks) != 1)
		return 0;
	return boot_time() + (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

static double open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *ent;
	double n = 0;

	if (d == NULL)
		return 0;
	while ((ent = readdir(d)) != NULL)
		n += ent->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the one opendir holds */
}

void sl_process_stats_read(sl_process_stats *out)
{
	struct rusage ru;
	struct rlimit rl;
	unsigned long long size = 0, resident = 0;
	double page = (double)sysconf(_SC_PAGESIZE);
	FILE *f;

	memset(out, 0, sizeof *out);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		out->cpu_seconds = (double)ru.ru_utime.tv_sec +
				   (double)ru.ru_utime.tv_usec / 1e6 +
				   (double)ru.ru_stime.tv_sec +
				   (double)ru.ru_stime.tv_usec / 1e6;
	f = fopen("/proc/self/statm", "r");
	if (f != NULL) {
		if (fscanf(f, "%llu %llu", &size, &resident) == 2) {
			out->virtual_bytes = (double)size * page;
			out->resident_bytes = (double)resident * page;
		}
		fclose(f);
	}
	out->open_fds = open_fds();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		out->max_fds = rl.rlim_cur == RLIM_INFINITY ? -1 : (double)rl.rlim_cur;
	out->start_time_seconds = start_time();
}
