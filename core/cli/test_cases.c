/*
 * test_cases.c - `sluice test`'s cases file read (test_cases.h), and the
 * job each case runs written out.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/ini_lines.h"
#include "cli/cli.h"
#include "cli/test_cases.h"
#include "plugin/descriptor.h"

typedef struct loading {
	const char *path;
	const sl_job *job;
	sl_test_cases *cases;
	sl_diag *diag;
	sl_test_records *open;  /* the key whose lines come next */
	int in_case;            /* keys belong to a case */
	int oom;
} loading;

/* The whole of @p path, NUL-terminated; NULL with errno. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL, *grown;
	size_t cap = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		if (cap - *len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((grown = realloc(text, cap)) == NULL) {
				free(text);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			text = grown;
		}
		n = fread(text + *len, 1, cap - *len - 1, f);
		*len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(text);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	text[*len] = '\0';
	return text;
}

static int add_line(sl_test_records *r, const char *text, size_t len)
{
	char **grown = realloc(r->lines, (r->count + 1) * sizeof *grown);

	if (grown == NULL)
		return -1;
	r->lines = grown;
	if ((grown[r->count] = malloc(len + 1)) == NULL)
		return -1;
	memcpy(grown[r->count], text, len);
	grown[r->count][len] = '\0';
	r->count++;
	return 0;
}

/* Each non-empty line of @p text a record of @p r. */
static int add_lines(sl_test_records *r, const char *text)
{
	while (*text) {
		size_t len = strcspn(text, "\n");

		if (len > 0 && add_line(r, text, len) != 0)
			return -1;
		text += len + (text[len] == '\n');
	}
	return 0;
}

/* @PATH, relative to the cases file's folder. */
static int add_file(loading *l, sl_test_records *r, const char *name, int line)
{
	const char *slash = strrchr(l->path, '/');
	char *path, *text;
	size_t len;
	int rc;

	if (name[0] == '/' || slash == NULL) {
		path = strdup(name);
	} else if ((path = malloc((size_t)(slash - l->path) + strlen(name) + 2)) != NULL) {
		memcpy(path, l->path, (size_t)(slash - l->path) + 1);
		strcpy(path + (slash - l->path) + 1, name);
	}
	if (path == NULL)
		return -1;
	if ((text = read_all(path, &len)) == NULL) {
		sl_diag_add(l->diag, l->path, line, "cannot read %s: %s", path,
			    strerror(errno));
		free(path);
		return 0;
	}
	if (strlen(text) != len)
		sl_diag_add(l->diag, l->path, line, "%s holds a NUL byte: records "
			    "are lines of text", path);
	rc = add_lines(r, text);
	free(text);
	free(path);
	return rc;
}

static sl_test_case *current(loading *l)
{
	return &l->cases->list[l->cases->count - 1];
}

static void on_section(void *user, const char *header, int line)
{
	loading *l = user;
	sl_test_case *grown, *c;

	l->open = NULL;
	l->in_case = 0;
	if (header == NULL)
		return;
	if (strncmp(header, "case ", 5) != 0 || header[5] == '\0') {
		sl_diag_add(l->diag, l->path, line, "[%s]: sections are [case NAME]",
			    header);
		return;
	}
	grown = realloc(l->cases->list, (l->cases->count + 1) * sizeof *grown);
	if (grown == NULL) {
		l->oom = 1;
		return;
	}
	l->cases->list = grown;
	c = &grown[l->cases->count++];
	memset(c, 0, sizeof *c);
	c->line = line;
	if ((c->name = strdup(header + 5)) == NULL)
		l->oom = 1;
	l->in_case = 1;
}

int sl_test_takes_table(const sl_job_stage *st)
{
	return st->kind == SL_KIND_OPERATOR && st->plugin != NULL &&
		sl_descriptor_option(st->plugin, SL_KIND_OPERATOR,
				     "table.path") != NULL;
}

/* The stage of the job named @p name, of kind @p kind, or a diagnosis. */
static int stage_ok(loading *l, const char *key, const char *name,
		    unsigned kind, int line)
{
	const sl_job_stage *st = sl_job_stage_named(l->job, name, strlen(name));

	if (st != NULL && st->kind == kind && kind == SL_KIND_OPERATOR &&
	    !sl_test_takes_table(st)) {
		sl_diag_add(l->diag, l->path, line, "%s: operator '%s' reads no "
			    "table (its plugin takes no table.path)", key, name);
		return 0;
	}
	if (st != NULL && st->kind == kind)
		return 1;
	if (st != NULL)
		sl_diag_add(l->diag, l->path, line, "%s: '%s' is a %s of the job, "
			    "not a %s", key, name, sl_kind_name(st->kind),
			    sl_kind_name(kind));
	else
		sl_diag_add(l->diag, l->path, line, "%s: the job has no %s '%s'",
			    key, sl_kind_name(kind), name);
	return 0;
}

static void on_records(loading *l, sl_test_records **list, size_t *count,
		       const char *key, const char *name, unsigned kind,
		       const char *value, int line)
{
	sl_test_records *grown, *r;

	if (!stage_ok(l, key, name, kind, line))
		return;
	if (sl_test_records_of(*list, *count, name) != NULL) {
		sl_diag_add(l->diag, l->path, line, "%s: given twice in case '%s'",
			    key, current(l)->name);
		return;
	}
	if ((grown = realloc(*list, (*count + 1) * sizeof *grown)) == NULL) {
		l->oom = 1;
		return;
	}
	*list = grown;
	r = &grown[(*count)++];
	memset(r, 0, sizeof *r);
	r->line = line;
	if ((r->stage = strdup(name)) == NULL) {
		l->oom = 1;
		return;
	}
	if (value[0] == '@')
		l->oom |= add_file(l, r, value + 1, line) != 0;
	else
		l->oom |= add_lines(r, value) != 0;
	l->open = value[0] == '@' ? NULL : r;
}

static void on_key(void *user, const char *key, const char *value, int line)
{
	loading *l = user;
	sl_test_case *c;

	l->open = NULL;
	if (!l->in_case) {
		sl_diag_add(l->diag, l->path, line, "%s: outside any [case NAME]", key);
		return;
	}
	c = current(l);
	if (strncmp(key, "input.", 6) == 0) {
		on_records(l, &c->inputs, &c->input_count, key, key + 6,
			   SL_KIND_SOURCE, value, line);
	} else if (strncmp(key, "expect.", 7) == 0) {
		on_records(l, &c->expects, &c->expect_count, key, key + 7,
			   SL_KIND_SINK, value, line);
	} else if (strncmp(key, "table.", 6) == 0) {
		on_records(l, &c->tables, &c->table_count, key, key + 6,
			   SL_KIND_OPERATOR, value, line);
	} else if (strcmp(key, "fields") == 0 ||
		   strcmp(key, "fields.expect") == 0) {
		char **to = key[6] ? &c->fields_expect : &c->fields;

		free(*to);
		if ((*to = strdup(value)) == NULL)
			l->oom = 1;
	} else if (strcmp(key, "key.separator") == 0) {
		free(c->key_separator);
		if (value[0] == '\0')
			sl_diag_add(l->diag, l->path, line, "key.separator: empty");
		else if ((c->key_separator = strdup(value)) == NULL)
			l->oom = 1;
	} else if (strcmp(key, "ordered") == 0) {
		if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
			c->ordered = strcmp(value, "true") == 0;
		else
			sl_diag_add(l->diag, l->path, line, "ordered: '%s' is not "
				    "true or false", value);
	} else {
		sl_diag_add(l->diag, l->path, line, "%s: a case takes input.SOURCE, "
			    "expect.SINK, table.OPERATOR, key.separator, "
			    "fields, fields.expect and ordered", key);
	}
}

static void on_more(void *user, const char *text, int line)
{
	loading *l = user;

	if (l->open == NULL) {
		sl_diag_add(l->diag, l->path, line, "an indented line that "
			    "continues no input or expect");
		return;
	}
	l->oom |= add_lines(l->open, text) != 0;
}

/* How many times @p sep is in @p line, counted without overlaps; in
 * @p sep \t is a tab, as the file plugin reads key.separator. */
static size_t separators(const char *line, const char *sep)
{
	char text[256];
	size_t n = 0, len = 0;

	for (; *sep && len + 1 < sizeof text; sep++) {
		int tab = sep[0] == '\\' && sep[1] == 't';

		text[len++] = tab ? '\t' : *sep;
		sep += tab;
	}
	text[len] = '\0';
	while (len > 0 && (line = strstr(line, text)) != NULL) {
		n++;
		line += len;
	}
	return n;
}

/* Every line of @p r has the @p fields of a LIST (commas + 1) before
 * its value; what is wrong said once for @p r. */
static void check_lines(const char *path, const sl_test_case *c,
			const sl_test_records *r, const char *what,
			const char *fields, sl_diag *diag)
{
	size_t want = 0, i;

	for (; *fields; fields++)
		want += *fields == ',';
	for (i = 0; r != NULL && i < r->count; i++)
		if (separators(r->lines[i], c->key_separator) < want) {
			sl_diag_add(diag, path, r->line, "%s%s: record %zu has "
				    "fewer than the %zu fields before the value "
				    "that fields names: %s", what, r->stage,
				    i + 1, want, r->lines[i]);
			return;
		}
}

/* fields, fields.expect and table.OPERATOR need key.separator; the
 * lines need as many fields as fields names. */
static void check_fields(const char *path, const sl_test_case *c,
			 sl_diag *diag)
{
	const char *expect = c->fields_expect ? c->fields_expect : c->fields;
	size_t i;

	if (c->key_separator == NULL) {
		if (c->fields != NULL || c->fields_expect != NULL ||
		    c->table_count > 0)
			sl_diag_add(diag, path, c->line, "case '%s': %s needs "
				    "key.separator, the text between a line's "
				    "fields", c->name, c->table_count > 0 ?
				    "table." : c->fields ? "fields" :
				    "fields.expect");
		return;
	}
	for (i = 0; c->fields != NULL && i < c->input_count; i++)
		check_lines(path, c, &c->inputs[i], "input.", c->fields, diag);
	for (i = 0; expect != NULL && i < c->expect_count; i++)
		check_lines(path, c, &c->expects[i], "expect.", expect, diag);
}

int sl_test_cases_load(const char *path, const sl_job *job,
		       sl_test_cases *cases, sl_diag *diag)
{
	static const sl_ini_handlers handlers = { on_section, on_key, on_more };
	loading l = { path, job, cases, diag, NULL, 0, 0 };
	size_t len;
	char *text = read_all(path, &len);
	int n;

	memset(cases, 0, sizeof *cases);
	if (text == NULL) {
		sl_diag_add(diag, path, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	n = sl_ini_parse(path, text, len, &handlers, &l, diag);
	free(text);
	if (n < 0 || l.oom) {
		sl_diag_add(diag, path, 0, "out of memory");
		return -1;
	}
	if (cases->count == 0 && diag->count == 0)
		sl_diag_add(diag, path, 0, "no [case NAME] section");
	for (n = 0; (size_t)n < cases->count; n++)
		check_fields(path, &cases->list[n], diag);
	return 0;
}

static void free_records(sl_test_records *list, size_t count)
{
	size_t i, j;

	for (i = 0; i < count; i++) {
		for (j = 0; j < list[i].count; j++)
			free(list[i].lines[j]);
		free(list[i].lines);
		free(list[i].stage);
	}
	free(list);
}

void sl_test_cases_free(sl_test_cases *cases)
{
	size_t i;

	for (i = 0; i < cases->count; i++) {
		free_records(cases->list[i].inputs, cases->list[i].input_count);
		free_records(cases->list[i].expects, cases->list[i].expect_count);
		free_records(cases->list[i].tables, cases->list[i].table_count);
		free(cases->list[i].name);
		free(cases->list[i].key_separator);
		free(cases->list[i].fields);
		free(cases->list[i].fields_expect);
	}
	free(cases->list);
	memset(cases, 0, sizeof *cases);
}

const sl_test_records *sl_test_records_of(const sl_test_records *list,
					  size_t count, const char *stage)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(list[i].stage, stage) == 0)
			return &list[i];
	return NULL;
}

/*
 * A stage's options but its dead letters, which become skips: the sink
 * that would carry them is a file now.  Of a source or sink (@p engine_only)
 * only the engine's options: its plugin is the file plugin now.  Of a
 * table reader not its own table.path: the case's table is.
 */
static void write_options(FILE *out, const sl_job_stage *st, int engine_only)
{
	int table = sl_test_takes_table(st);
	size_t i;

	for (i = 0; i < st->option_count; i++) {
		const sl_job_option *o = &st->options[i];

		if (strcmp(o->key, "dead-letter.topic") == 0 ||
		    (table && (strcmp(o->key, "table.path") == 0 ||
			       strcmp(o->key, "table.key.separator") == 0)) ||
		    (engine_only && (strcmp(o->key, "plugin") == 0 ||
				     sl_engine_stage_option(o->key) == NULL)))
			continue;
		if (strcmp(o->key, "errors") == 0 &&
		    strcmp(o->value, "dead-letter") == 0) {
			fprintf(out, "errors = skip\n");
			continue;
		}
		fprintf(out, "%s = ", o->key);
		sl_cli_write_value(out, o->value);
	}
}

int sl_test_job_write(FILE *out, const sl_job *job, const sl_test_case *c,
		      const char *dir)
{
	size_t i;

	fprintf(out, "[job]\n");
	for (i = 0; i < job->job_option_count; i++) {
		const sl_job_option *o = &job->job_options[i];

		/* nothing kept, nothing served; what goes wrong logged, not
		 * how it went, unless the job asks for debug (or less) */
		if (strcmp(o->key, "delivery") == 0 ||
		    strncmp(o->key, "http.", 5) == 0 ||
		    (strcmp(o->key, "log.level") == 0 &&
		     job->log_level != SL_LOG_DEBUG && job->log_level != SL_LOG_ERROR))
			continue;
		fprintf(out, "%s = ", o->key);
		sl_cli_write_value(out, o->value);
	}
	fprintf(out, "delivery = none\n");
	if (job->log_level != SL_LOG_DEBUG && job->log_level != SL_LOG_ERROR)
		fprintf(out, "log.level = warn\n");
	for (i = 0; i < job->stage_count; i++) {
		const sl_job_stage *st = &job->stages[i];

		if (st->kind == SL_KIND_STORE)
			continue;
		fprintf(out, "\n[%s %s]\n", sl_kind_name(st->kind), st->name);
		if (st->kind == SL_KIND_OPERATOR) {
			write_options(out, st, 0);
			if (!sl_test_takes_table(st))
				continue;
			fprintf(out, "table.path = %s/table-%s\n", dir, st->name);
			if (c->key_separator != NULL) {
				fprintf(out, "table.key.separator = ");
				sl_cli_write_value(out, c->key_separator);
			}
			continue;
		}
		fprintf(out, "plugin = file\npath = %s/%s-%s\n", dir,
			st->kind == SL_KIND_SOURCE ? "in" : "out", st->name);
		if (c->key_separator != NULL) {
			fprintf(out, "key.separator = ");
			sl_cli_write_value(out, c->key_separator);
		}
		if (st->kind == SL_KIND_SOURCE && c->fields != NULL)
			fprintf(out, "fields = %s\n", c->fields);
		if (st->kind == SL_KIND_SINK &&
		    (c->fields_expect != NULL || c->fields != NULL))
			fprintf(out, "fields = %s\n", c->fields_expect != NULL ?
				c->fields_expect : c->fields);
		write_options(out, st, 1);
	}
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
