/*
 * job_open.c - load, find plugins, validate: what `run` and `validate`
 * share.
 *
 * A broken plugin descriptor somewhere on the plugin path must not stop
 * every job: it is a warning, unless the job uses a plugin of that name
 * that could not be found otherwise, in which case it is the explanation
 * of the job's error and is printed as an error with it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/job.h"
#include "plugin/loader.h"
#include "job/plan.h"

/* The plugin name of a "DIR/NAME.plugin:..." diagnostic, in @p buf. */
static int descriptor_name(const char *text, char *buf, size_t size)
{
	const char *end, *start;

	if (text == NULL || (end = strstr(text, ".plugin:")) == NULL)
		return -1;
	for (start = end; start > text && start[-1] != '/'; start--)
		;
	if ((size_t)(end - start) >= size)
		return -1;
	memcpy(buf, start, (size_t)(end - start));
	buf[end - start] = '\0';
	return 0;
}

/* Does the job name @p name as a plugin or format that did not resolve? */
static int wanted_and_missing(const sl_job *job, const sl_registry *reg,
			      const char *name)
{
	static const char *const keys[] = { "plugin", "format", "key.format" };
	const sl_job_option *o;
	size_t i, k;

	if (sl_registry_find(reg, name) != NULL)
		return 0;
	for (i = 0; i < job->stage_count; i++) {
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			o = sl_job_stage_option(&job->stages[i], keys[k]);
			if (o != NULL && strcmp(o->value, name) == 0)
				return 1;
		}
		if ((job->stages[i].kind & (SL_KIND_SOURCE | SL_KIND_SINK)) &&
		    strcmp(name, "string") == 0)
			return 1; /* the default format */
	}
	return 0;
}

/* Print descriptor problems; returns how many are errors for this job. */
static size_t report_registry(const sl_diag *reg_diag, const sl_job *job,
			      const sl_registry *reg)
{
	char name[256];
	size_t i, errors = 0;
	const char *line;

	for (i = 0; i < reg_diag->count; i++) {
		line = reg_diag->lines[i] ? reg_diag->lines[i] : "out of memory";
		if (descriptor_name(line, name, sizeof name) == 0 &&
		    wanted_and_missing(job, reg, name)) {
			fprintf(stderr, "%s\n", line);
			errors++;
		} else {
			fprintf(stderr, "warning: %s\n", line);
		}
	}
	if (reg_diag->more > 0)
		fprintf(stderr, "warning: and %zu more problems with plugin "
			"descriptors\n", reg_diag->more);
	return errors;
}

static int job_uses(const sl_job *job, const sl_descriptor *d)
{
	size_t i;

	for (i = 0; i < job->stage_count; i++)
		if (job->stages[i].plugin == d || job->stages[i].format == d ||
		    job->stages[i].key_format == d)
			return 1;
	return 0;
}

/*
 * Say which plugins of the job come from a descriptor that hides another
 * of the same name (a plugin.path folder shadowing a built-in plugin).
 */
static void report_shadows(const sl_job *job, const sl_registry *reg)
{
	size_t i;

	for (i = 0; i < reg->plugin_count; i++)
		if (reg->shadowed[i] != NULL && job_uses(job, reg->plugins[i]))
			fprintf(stderr, "sluice: note: plugin '%s' is %s, which "
				"shadows %s\n", reg->plugins[i]->name,
				reg->plugins[i]->path, reg->shadowed[i]);
}

/*
 * Load every plugin the job uses, formats included, so that `validate`
 * refuses what `run` would (an ABI or layout mismatch, a missing
 * callback, a symbol nothing defines); `run` then uses these.  Each
 * failure is printed; returns the exit code the worst of them calls for.
 */
static int load_plugins(const sl_job *job, const sl_registry *reg,
			sl_loader *loader)
{
	const sl_plugin *p;
	sl_error err;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < job->order_count; i++) {
		const sl_job_stage *st = job->order[i];
		const sl_descriptor *used[3] = { st->plugin, st->format,
						 st->key_format };

		for (k = 0; k < 3; k++) {
			if (used[k] == NULL ||
			    sl_loader_get(loader, reg, used[k], &p, &err) == SL_OK)
				continue;
			fprintf(stderr, "sluice: error: %s\n", err.message);
			if (rc != 1)
				rc = err.kind == SL_ERR_CONFIG ? 2 : 1;
		}
	}
	return rc;
}

/* Validate and plan @p job; problems to @p diag; 0, or 1 when out of
 * memory. */
static int check_job(sl_job *job, sl_registry *reg, sl_diag *diag,
		     sl_diag *notes, size_t *registry_errors)
{
	const sl_job_option *plugin_path = sl_job_option_find(job, "plugin.path");
	sl_diag reg_diag = { 0 };
	char **roots = NULL;
	size_t root_count = 0, i;
	int rc = 0;

	if (sl_plugin_roots(plugin_path ? plugin_path->value : NULL, job->dir,
			    &roots, &root_count) != 0 ||
	    sl_registry_load(reg, roots, root_count, &reg_diag) != 0) {
		fprintf(stderr, "sluice: out of memory\n");
		rc = 1;
	} else {
		/* a job that validates is planned: its hops are added */
		if (sl_job_validate(job, reg, diag) == 0 &&
		    sl_diag_total(diag) == 0 && sl_plan_job(job, notes) < 0)
			sl_diag_add(diag, job->path, 0, "out of memory");
		*registry_errors = report_registry(&reg_diag, job, reg);
		report_shadows(job, reg);
	}
	for (i = 0; i < root_count; i++)
		free(roots[i]);
	free(roots);
	sl_diag_free(&reg_diag);
	return rc;
}

int sl_job_open(const sl_job_request *req, sl_job **out, sl_registry *reg,
		sl_loader **loader)
{
	sl_diag diag = { 0 };
	size_t registry_errors = 0;
	sl_job *job;
	int rc;

	*out = NULL;
	*loader = NULL;
	memset(reg, 0, sizeof *reg);
	if ((job = sl_job_load(req->path, req->overrides, req->override_count,
			       &diag)) == NULL) {
		sl_diag_print(&diag);
		sl_diag_free(&diag);
		return 2;
	}
	rc = check_job(job, reg, &diag, req->notes, &registry_errors);
	if (rc == 0 && (*loader = sl_loader_new(req->host)) == NULL) {
		fprintf(stderr, "sluice: out of memory\n");
		rc = 1;
	}
	if (rc == 0) {
		/* the plugins' checks too, so that every problem shows at once */
		rc = load_plugins(job, reg, *loader);
		sl_job_check_across(job, *loader, reg, &diag);
		if (req->checker != NULL)
			req->checker(job, *loader, reg, &diag);
		sl_diag_sort(&diag);
		sl_diag_print(&diag);
		if (rc == 0 && (sl_diag_total(&diag) > 0 || registry_errors > 0))
			rc = 2;
	}
	sl_diag_free(&diag);
	if (rc != 0) {
		sl_loader_free(*loader);
		*loader = NULL;
		sl_job_free(job);
		sl_registry_free(reg);
		return rc;
	}
	*out = job;
	return 0;
}
