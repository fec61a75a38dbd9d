/*
 * plugin_roots.c - the plugin search path.
 *
 * Order: job.plugin.path (relative entries from the job file's folder, so
 * a job and its plugins can move together), $SLUICE_PLUGIN_PATH (relative
 * entries from the current directory, like any path the user types), the
 * plugins of the build tree when this sluice is the one built there (so
 * that core/sluice runs the examples right after building), the
 * installed directory.  An empty entry is skipped rather than read as "the
 * current directory" the way $PATH does: loading code from wherever the
 * command happens to run is how plugin hijacking starts.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/descriptor.h"

#ifndef SL_PLUGIN_DIR
#error "SL_PLUGIN_DIR must name the installed plugin directory"
#endif

typedef struct roots {
	char **v;
	size_t n;
	int oom;
} roots;

/* @p entry made absolute: canonical when it exists, else joined to @p base. */
static char *absolute(const char *entry, size_t len, const char *base)
{
	char *joined, *real;
	size_t size;

	if (entry[0] == '/' || base == NULL) {
		joined = strndup(entry, len);
	} else {
		size = strlen(base) + len + 2;
		if ((joined = malloc(size)) != NULL)
			snprintf(joined, size, "%s/%.*s", base, (int)len, entry);
	}
	if (joined == NULL)
		return NULL;
	if ((real = realpath(joined, NULL)) != NULL) {
		free(joined);
		return real;
	}
	return joined;
}

static void push(roots *r, char *dir)
{
	char **grown;
	size_t i;

	if (dir == NULL) {
		r->oom = 1;
		return;
	}
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->v[i], dir) == 0) {
			free(dir);
			return;
		}
	}
	if ((grown = realloc(r->v, (r->n + 1) * sizeof *grown)) == NULL) {
		free(dir);
		r->oom = 1;
		return;
	}
	r->v = grown;
	r->v[r->n++] = dir;
}

static void push_dir(roots *r, const char *dir, const char *base)
{
	push(r, absolute(dir, strlen(dir), base));
}

static void push_list(roots *r, const char *list, const char *base)
{
	const char *p = list, *end;

	if (list == NULL)
		return;
	for (;; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if (end > p)
			push(r, absolute(p, (size_t)(end - p), base));
		if (*end == '\0')
			break;
	}
}

/* Whether the running sluice is the one in the build tree's core/. */
static int built_here(void)
{
	char *exe = realpath("/proc/self/exe", NULL);
	char *core = realpath(SL_BUILD_DIR "/core", NULL);
	size_t n = core != NULL ? strlen(core) : 0;
	int here = exe != NULL && core != NULL && strncmp(exe, core, n) == 0 &&
		   exe[n] == '/';

	free(exe);
	free(core);
	return here;
}

/* The current directory, or NULL; relative entries then stay relative. */
static char *current_dir(void)
{
	return getcwd(NULL, 0);
}

int sl_plugin_roots(const char *job_path, const char *base_dir, char ***out,
		    size_t *count)
{
	roots r = { NULL, 0, 0 };
	char *cwd = current_dir();
	char *job_base = NULL;

	if (base_dir != NULL) {
		job_base = absolute(base_dir, strlen(base_dir), cwd);
		if (job_base == NULL)
			r.oom = 1;
	}
	push_list(&r, job_path, job_base ? job_base : cwd);
	push_list(&r, getenv("SLUICE_PLUGIN_PATH"), cwd);
	if (built_here()) {
		/* libraries in the build tree, descriptors in the source tree */
		push_dir(&r, SL_BUILD_DIR "/plugins", cwd);
		push_dir(&r, SL_SRC_DIR "/plugins", cwd);
	}
	push_dir(&r, SL_PLUGIN_DIR, cwd);
	free(job_base);
	free(cwd);
	if (r.oom) {
		while (r.n > 0)
			free(r.v[--r.n]);
		free(r.v);
		return -1;
	}
	*out = r.v;
	*count = r.n;
	return 0;
}
