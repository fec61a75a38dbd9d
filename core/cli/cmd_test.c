/*
 * cmd_test.c - `sluice test JOB.ini CASES.ini [--set stage.key=value]...`:
 * run the job on each case's records, without any broker or database,
 * and compare what reaches its sinks with what the case expects
 * (test_cases.h says how a case runs).
 *
 * Exit 0 when every case passes, 1 when one fails (each failure printed
 * with the records missing and those not expected), 2 for a job or cases
 * file with problems.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/test_cases.h"
#include "job/job.h"
#include "plugin/loader.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/stage_check.h"

static volatile sig_atomic_t stop_requested;

/* A case's files: DIR/in-SOURCE, DIR/out-SINK, DIR/table-OPERATOR,
 * DIR/job-test.ini. */
static int stage_path(char *out, size_t size, const char *dir,
		      const char *what, const char *stage)
{
	return snprintf(out, size, "%s/%s-%s", dir, what, stage) < (int)size;
}

static int write_lines(const char *path, const sl_test_records *r)
{
	FILE *f = fopen(path, "w");
	size_t i;
	int bad;

	if (f == NULL)
		return -1;
	for (i = 0; r != NULL && i < r->count; i++)
		fprintf(f, "%s\n", r->lines[i]);
	bad = ferror(f) != 0;
	return fclose(f) != 0 || bad ? -1 : 0;
}

/* The lines of @p path into @p got (count in *@p n); -1 unreadable. */
static int read_lines(const char *path, char ***got, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, **grown;
	size_t cap = 0;
	ssize_t len;

	*got = NULL;
	*n = 0;
	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((grown = realloc(*got, (*n + 1) * sizeof *grown)) == NULL)
			break;
		*got = grown;
		if ((grown[*n] = strdup(line)) == NULL)
			break;
		(*n)++;
	}
	free(line);
	fclose(f);
	return 0;
}

static void free_lines(char **lines, size_t n)
{
	while (n > 0)
		free(lines[--n]);
	free(lines);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case's FAIL line, once, before what is wrong with it. */
static void failed(const sl_test_case *c, const char *cases, int *said)
{
	if (!*said)
		printf("FAIL %s (%s:%d)\n", c->name, cases, c->line);
	*said = 1;
}

/*
 * Compare what sink @p stage got with @p want: 1 the same, 0 not (said
 * on stdout: the records missing, those not expected, or the first
 * place where the order differs).
 */
static int compare(const sl_test_case *c, const char *cases, int *said,
		   const sl_test_records *want, char **got, size_t got_n)
{
	char **w = calloc(want->count + 1, sizeof *w), **g;
	size_t i = 0, j = 0;
	int same;

	if (w == NULL || (g = calloc(got_n + 1, sizeof *g)) == NULL) {
		free(w);
		failed(c, cases, said);
		printf("  sink '%s': out of memory comparing\n", want->stage);
		return 0;
	}
	/* an empty list is a NULL one: memcpy and qsort take no NULL */
	if (want->count > 0) {
		memcpy(w, want->lines, want->count * sizeof *w);
		qsort(w, want->count, sizeof *w, by_text);
	}
	if (got_n > 0) {
		memcpy(g, got, got_n * sizeof *g);
		qsort(g, got_n, sizeof *g, by_text);
	}
	same = want->count == got_n;
	for (i = 0; same && i < got_n; i++)
		same = strcmp(w[i], g[i]) == 0;
	if (!same) {
		failed(c, cases, said);
		printf("  sink '%s': %zu records, %zu expected\n", want->stage,
		       got_n, want->count);
		for (i = 0, j = 0; i < want->count || j < got_n;) {
			int d = i == want->count ? 1 : j == got_n ? -1 :
				strcmp(w[i], g[j]);

			if (d < 0)
				printf("    - %s\n", w[i++]);
			else if (d > 0)
				printf("    + %s\n", g[j++]);
			else
				i++, j++;
		}
		printf("    (- expected, not received; + received, not expected)\n");
	} else if (c->ordered) {
		for (i = 0; i < got_n && strcmp(want->lines[i], got[i]) == 0; i++)
			;
		if (i < got_n) {
			failed(c, cases, said);
			printf("  sink '%s': the expected records in another order; "
			       "record %zu is\n    %s\n  where the case expects\n"
			       "    %s\n", want->stage, i + 1, got[i],
			       want->lines[i]);
			same = 0;
		}
	}
	free(w);
	free(g);
	return same;
}

/* Run case @p c of @p job in @p dir: 1 passed, 0 failed (said why). */
static int run_case(const sl_job *job, const char *cases,
		    const sl_test_case *c, const char *dir)
{
	char path[4096];
	sl_job_request req = { .host = &sl_core_host, .checker = sl_stage_checks };
	sl_loader *loader = NULL;
	sl_registry reg;
	sl_job *run = NULL;
	sl_error err;
	FILE *f;
	size_t i;
	int said = 0, passed = 1;

	for (i = 0; i < job->stage_count; i++) {
		const sl_job_stage *st = &job->stages[i];

		if (st->kind == SL_KIND_SOURCE &&
		    (!stage_path(path, sizeof path, dir, "in", st->name) ||
		     write_lines(path, sl_test_records_of(c->inputs, c->input_count,
							  st->name)) != 0)) {
			failed(c, cases, &said);
			printf("  cannot write %s: %s\n", path, strerror(errno));
			return 0;
		}
		if (sl_test_takes_table(st) &&
		    (!stage_path(path, sizeof path, dir, "table", st->name) ||
		     write_lines(path, sl_test_records_of(c->tables, c->table_count,
							  st->name)) != 0)) {
			failed(c, cases, &said);
			printf("  cannot write %s: %s\n", path, strerror(errno));
			return 0;
		}
		if (st->kind == SL_KIND_SINK &&
		    stage_path(path, sizeof path, dir, "out", st->name))
			unlink(path);
	}
	if (!stage_path(path, sizeof path, dir, "job", "test.ini") ||
	    (f = fopen(path, "w")) == NULL ||
	    (sl_test_job_write(f, job, c, dir) | fclose(f)) != 0) {
		failed(c, cases, &said);
		printf("  cannot write %s\n", path);
		return 0;
	}
	req.path = path;
	memset(&reg, 0, sizeof reg);
	if (sl_job_open(&req, &run, &reg, &loader) != 0) {
		failed(c, cases, &said);
		printf("  the job, with files for its sources and sinks, does not "
		       "start (above)\n");
		passed = 0;
		goto out;
	}
	memset(&err, 0, sizeof err);
	if (sl_engine_run(run, &reg, loader, &stop_requested, 0, &err) != SL_OK) {
		failed(c, cases, &said);
		printf("  the job failed: %s\n", err.message);
		passed = 0;
		goto out;
	}
	for (i = 0; i < c->expect_count; i++) {
		char **got;
		size_t n;

		if (!stage_path(path, sizeof path, dir, "out", c->expects[i].stage) ||
		    read_lines(path, &got, &n) != 0) {
			failed(c, cases, &said);
			printf("  cannot read %s\n", path);
			passed = 0;
			continue;
		}
		passed &= compare(c, cases, &said, &c->expects[i], got, n);
		free_lines(got, n);
	}
out:
	sl_loader_free(loader);
	sl_job_free(run);
	sl_registry_free(&reg);
	if (passed)
		printf("ok   %s\n", c->name);
	return passed;
}

/*
 * JOB.ini and --set as run takes them, and CASES.ini: the second
 * argument that is no option.  0, or 2 after a usage message.
 */
static int split_args(int argc, char **argv, char **rest, int *rest_n,
		      const char **cases)
{
	int i, positional = 0, done = 0;

	*cases = NULL;
	*rest_n = 0;
	for (i = 0; i < argc; i++) {
		int is_path = i > 0 && (done || argv[i][0] != '-' || argv[i][1] == '\0');

		if (i > 0 && !done && strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
			rest[(*rest_n)++] = argv[i++];
		} else if (i > 0 && !done && strcmp(argv[i], "--") == 0) {
			done = 1;
		} else if (is_path && ++positional == 2) {
			*cases = argv[i];
			continue;
		}
		rest[(*rest_n)++] = argv[i];
	}
	if (*cases != NULL && positional == 2)
		return 0;
	fprintf(stderr, "sluice test: %s\nUsage: sluice test JOB.ini CASES.ini "
		"[--set stage.key=value]...\n", positional < 2 ?
		"a job file and a cases file are needed" : "one cases file at a time");
	return 2;
}

/* DIR with what the cases left in it, gone. */
static void remove_dir(const char *dir, const sl_job *job)
{
	char path[4096];
	size_t i;

	for (i = 0; i < job->stage_count; i++) {
		const sl_job_stage *st = &job->stages[i];

		if (st->kind == SL_KIND_SOURCE &&
		    stage_path(path, sizeof path, dir, "in", st->name))
			unlink(path);
		if (st->kind == SL_KIND_SINK &&
		    stage_path(path, sizeof path, dir, "out", st->name))
			unlink(path);
		if (sl_test_takes_table(st) &&
		    stage_path(path, sizeof path, dir, "table", st->name))
			unlink(path);
	}
	if (stage_path(path, sizeof path, dir, "job", "test.ini"))
		unlink(path);
	rmdir(dir);
}

int sl_cmd_test(int argc, char **argv)
{
	char **rest = calloc((size_t)argc + 1, sizeof *rest), dir[1024];
	const char *cases_path, *tmp = getenv("TMPDIR");
	sl_loader *loader = NULL;
	sl_test_cases cases = { NULL, 0 };
	sl_diag diag = { 0 };
	sl_registry reg;
	sl_job *job = NULL;
	size_t i, failures = 0;
	int rc, rest_n;

	memset(&reg, 0, sizeof reg);
	if (rest == NULL)
		return 1;
	if ((rc = split_args(argc, argv, rest, &rest_n, &cases_path)) != 0 ||
	    (rc = sl_cli_job_open(rest_n, rest, NULL, &job, &reg, &loader)) != 0)
		goto out;
	if (sl_test_cases_load(cases_path, job, &cases, &diag) != 0 ||
	    diag.count > 0) {
		sl_diag_print(&diag);
		rc = 2;
		goto out;
	}
	snprintf(dir, sizeof dir, "%s/sluice-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "sluice test: cannot make %s: %s\n", dir,
			strerror(errno));
		rc = 1;
		goto out;
	}
	for (i = 0; i < cases.count && !stop_requested; i++)
		failures += !run_case(job, cases_path, &cases.list[i], dir);
	remove_dir(dir, job);
	printf("%zu case%s, %zu failed\n", cases.count, cases.count == 1 ? "" : "s",
	       failures);
	rc = failures > 0 ? 1 : 0;
out:
	sl_diag_free(&diag);
	sl_test_cases_free(&cases);
	sl_loader_free(loader);
	sl_job_free(job);
	sl_registry_free(&reg);
	free(rest);
	return rc;
}
