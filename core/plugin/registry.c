/*
 * registry.c - every plugin descriptor on the plugin path.
 *
 * Each root is searched for ROOT/NAME.plugin, then ROOT/SUBDIR/NAME.plugin
 * (the layout of the source tree, one folder per plugin), in name order so
 * that the result does not depend on the order of directory entries.  The
 * first descriptor found for a name wins, so job.plugin.path and
 * $SLUICE_PLUGIN_PATH can shadow installed plugins; the registry
 * remembers which file each hides, so that a job using it can say so.
 * A folder or descriptor that someone else could change is not used
 * (trust.h), and said so.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin/descriptor.h"
#include "plugin/trust.h"

static char *join(const char *a, const char *b, const char *c)
{
	size_t size = strlen(a) + strlen(b) + strlen(c) + 3;
	char *path = malloc(size);

	if (path == NULL)
		return NULL;
	if (*b == '\0')
		snprintf(path, size, "%s/%s", a, c);
	else
		snprintf(path, size, "%s/%s/%s", a, b, c);
	return path;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of @p dir (sorted, no dot files); -1 when out of memory. */
static int list_dir(const char *dir, char ***names, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **grown;
	int rc = 0;

	*names = NULL;
	*count = 0;
	if (d == NULL)
		return 0; /* a missing root is not an error */
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		grown = realloc(*names, (*count + 1) * sizeof *grown);
		if (grown == NULL || (grown[*count] = strdup(e->d_name)) == NULL) {
			if (grown != NULL)
				*names = grown;
			rc = -1;
			break;
		}
		*names = grown;
		(*count)++;
	}
	closedir(d);
	if (*count > 1)
		qsort(*names, *count, sizeof **names, cmp_names);
	return rc;
}

static void free_names(char **names, size_t count)
{
	while (count > 0)
		free(names[--count]);
	free(names);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static long index_of(const sl_registry *reg, const char *name)
{
	size_t i;

	for (i = 0; i < reg->plugin_count; i++)
		if (strcmp(reg->plugins[i]->name, name) == 0)
			return (long)i;
	return -1;
}

static int add(sl_registry *reg, sl_descriptor *desc)
{
	sl_descriptor **grown;
	char **hidden;
	long i = index_of(reg, desc->name);

	if (i >= 0) {
		/* shadowed by an earlier root: remember the first one hidden */
		if (reg->shadowed[i] == NULL &&
		    (reg->shadowed[i] = strdup(desc->path)) == NULL) {
			sl_descriptor_free(desc);
			return -1;
		}
		sl_descriptor_free(desc);
		return 0;
	}
	grown = realloc(reg->plugins, (reg->plugin_count + 1) * sizeof *grown);
	if (grown != NULL)
		reg->plugins = grown;
	hidden = realloc(reg->shadowed, (reg->plugin_count + 1) * sizeof *hidden);
	if (hidden != NULL)
		reg->shadowed = hidden;
	if (grown == NULL || hidden == NULL) {
		sl_descriptor_free(desc);
		return -1;
	}
	reg->shadowed[reg->plugin_count] = NULL;
	reg->plugins[reg->plugin_count++] = desc;
	return 0;
}

/* @p path may be used; else say why not in @p diag. */
static int usable(const char *path, const char *what, sl_diag *diag)
{
	char why[256];

	if (!sl_untrusted(path, why, sizeof why))
		return 1;
	sl_diag_add(diag, path, 0, "%s not used: it is %s; sluice uses plugin "
		    "folders and files that only their owner (root or you) can "
		    "change", what, why);
	return 0;
}

/* Load every *.plugin in ROOT/SUBDIR. */
static int scan_dir(sl_registry *reg, const char *root, const char *subdir,
		    sl_diag *diag)
{
	char **names, *dir, *path;
	size_t count, i;
	sl_descriptor *desc;
	int rc;

	dir = *subdir ? join(root, "", subdir) : strdup(root);
	if (dir == NULL)
		return -1;
	if (*subdir && !usable(dir, "plugin folder", diag)) {
		free(dir);
		return 0;
	}
	rc = list_dir(dir, &names, &count);
	for (i = 0; rc == 0 && i < count; i++) {
		if (!ends_with(names[i], ".plugin"))
			continue;
		if ((path = join(dir, "", names[i])) == NULL) {
			rc = -1;
			break;
		}
		if (is_file(path) && usable(path, "plugin descriptor", diag) &&
		    (desc = sl_descriptor_load(path, subdir, diag)) != NULL)
			rc = add(reg, desc);
		free(path);
	}
	free_names(names, count);
	free(dir);
	return rc;
}

static int scan_root(sl_registry *reg, const char *root, sl_diag *diag)
{
	char **names, *path;
	size_t count, i;
	int rc;

	if (!usable(root, "plugin folder", diag))
		return 0;
	if ((rc = scan_dir(reg, root, "", diag)) != 0)
		return rc;
	rc = list_dir(root, &names, &count);
	for (i = 0; rc == 0 && i < count; i++) {
		if ((path = join(root, "", names[i])) == NULL) {
			rc = -1;
			break;
		}
		if (is_dir(path))
			rc = scan_dir(reg, root, names[i], diag);
		free(path);
	}
	free_names(names, count);
	return rc;
}

int sl_registry_load(sl_registry *reg, char *const *roots, size_t root_count,
		     sl_diag *diag)
{
	size_t i;

	memset(reg, 0, sizeof *reg);
	if (root_count > 0 &&
	    (reg->roots = calloc(root_count, sizeof *reg->roots)) == NULL)
		return -1;
	for (i = 0; i < root_count; i++) {
		if ((reg->roots[i] = strdup(roots[i])) == NULL)
			return -1;
		reg->root_count++;
	}
	for (i = 0; i < root_count; i++)
		if (scan_root(reg, roots[i], diag) != 0)
			return -1;
	return 0;
}

const sl_descriptor *sl_registry_find(const sl_registry *reg, const char *name)
{
	long i = index_of(reg, name);

	return i >= 0 ? reg->plugins[i] : NULL;
}


char *sl_registry_library(const sl_registry *reg, const sl_descriptor *desc)
{
	static const char *const exts[] = { ".la", ".so" };
	size_t i, e, size;
	char *file, *path;

	for (i = 0; i < reg->root_count; i++) {
		for (e = 0; e < sizeof exts / sizeof exts[0]; e++) {
			size = strlen(desc->library) + strlen(exts[e]) + 1;
			if ((file = malloc(size)) == NULL)
				return NULL;
			snprintf(file, size, "%s%s", desc->library, exts[e]);
			path = join(reg->roots[i], desc->subdir, file);
			free(file);
			if (path == NULL)
				return NULL;
			if (is_file(path))
				return path;
			free(path);
		}
	}
	return NULL;
}

void sl_registry_free(sl_registry *reg)
{
	size_t i;

	for (i = 0; i < reg->plugin_count; i++) {
		sl_descriptor_free(reg->plugins[i]);
		free(reg->shadowed[i]);
	}
	free(reg->plugins);
	free(reg->shadowed);
	for (i = 0; i < reg->root_count; i++)
		free(reg->roots[i]);
	free(reg->roots);
	memset(reg, 0, sizeof *reg);
}
