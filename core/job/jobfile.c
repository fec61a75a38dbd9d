/*
 * jobfile.c - read a job file into sections and options, with the line of
 * every value, then apply --set overrides.
 *
 * Only the structure is checked here (sections, names, duplicates,
 * ${...}); what the keys mean is validate.c's business.
 *
 * ${VAR} expansion:
 *   ${NAME}            the variable's value; an error when it is not set
 *                      (set but empty gives the empty string)
 *   ${NAME:-default}   the default when NAME is unset or empty, as in sh;
 *                      the default may itself contain ${...}, nested at
 *                      most SL_VAR_MAX_NESTING deep (job_limits.h): each
 *                      level rescans its default, so the bound keeps
 *                      expansion linear and its recursion shallow
 *   ${file:PATH}       the content of the file PATH, one trailing newline
 *                      trimmed (Docker and Kubernetes secrets); PATH may
 *                      hold ${...}; relative to the job file's folder.
 *                      The value is then never shown (secret.h).
 *                      ${file:-x} is still the default of a variable
 *                      named "file"
 *   $$                 a literal '$' (to write "${" literally, "$${")
 *   any other '$'      itself, so regular expressions like "^a.*$" work
 * Only values read from the file are expanded: a --set value has already
 * been through the user's shell, and expanding it again would surprise.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/ini_lines.h"
#include "job/job.h"
#include "base/job_limits.h"
#include "job/secret.h"

enum section { SEC_NONE, SEC_JOB, SEC_STAGE, SEC_IGNORE };

typedef struct loader {
	sl_job *job;
	sl_diag_in in;           /* the job file's problems */
	int oom;
	enum section cur;
	size_t stage;            /* index of the current stage (SEC_STAGE) */
	sl_names keys;           /* the current section's keys */
	int too_many;            /* the stage limit has been reported */
	sl_job_option *last;     /* the option a continuation line extends */
	size_t last_len, last_cap; /* its value's length and allocation, so a
				    * long run of continuations is linear */
	size_t file_bytes;       /* read by ${file:} so far */
} loader;

static int valid_stage_name(const char *name)
{
	const char *p;

	if (*name == '\0')
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

static sl_job_option *find_option(sl_job_option *opts, size_t count,
				  const char *key)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(opts[i].key, key) == 0)
			return &opts[i];
	return NULL;
}

/*
 * Make room for one more item in an array of @p count items of @p size
 * bytes that only ever grows through here: its capacity doubles at 4, 8,
 * 16, ..., so appending n items costs O(n).  0, or -1 when out of memory.
 */
static int grow(void *array, size_t count, size_t size)
{
	void **p = array, *grown;
	size_t cap = count < 4 ? 4 : 2 * count;

	if (count != 0 && (count < 4 || (count & (count - 1)) != 0))
		return 0; /* not full */
	if ((grown = realloc(*p, cap * size)) == NULL)
		return -1;
	*p = grown;
	return 0;
}

/* Append key = value to a section; NULL when out of memory. */
static sl_job_option *add_option(sl_job_option **opts, size_t *count,
				 const char *key, const char *value, int line)
{
	sl_job_option *o;

	if (grow(opts, *count, sizeof **opts) != 0)
		return NULL;
	o = &(*opts)[*count];
	memset(o, 0, sizeof *o);
	o->key = strdup(key);
	o->value = strdup(value);
	o->line = line;
	if (o->key == NULL || o->value == NULL) {
		free(o->key);
		free(o->value);
		return NULL;
	}
	(*count)++;
	return o;
}

sl_job_stage *sl_job_stage_named(const sl_job *job, const char *name,
				 size_t len)
{
	long i = sl_names_find(&job->stage_names, name, len);

	return i >= 0 ? &job->stages[i] : NULL;
}

static int kind_of_word(const char *word, size_t len, unsigned *kind)
{
	static const struct {
		const char *word;
		unsigned kind;
	} kinds[] = {
		{ "source", SL_KIND_SOURCE },
		{ "operator", SL_KIND_OPERATOR },
		{ "sink", SL_KIND_SINK },
		{ "store", SL_KIND_STORE },
	};
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strlen(kinds[i].word) == len &&
		    memcmp(kinds[i].word, word, len) == 0) {
			*kind = kinds[i].kind;
			return 0;
		}
	}
	return -1;
}

static void open_job_section(loader *l, const char *header, int line)
{
	if (l->job->job_line != 0) {
		sl_diag_at(&l->in, line, "duplicate [job] section (the first is at line %d)",
			l->job->job_line);
		l->cur = SEC_IGNORE;
		return;
	}
	if (strcmp(header, "job") != 0)
		sl_diag_at(&l->in, line, "[job] takes no name: write [job]");
	l->job->job_line = line;
	l->cur = SEC_JOB;
}

static void open_stage_section(loader *l, unsigned kind, const char *word,
			       size_t word_len, const char *name, int line)
{
	sl_job *job = l->job;
	sl_job_stage *st;

	l->cur = SEC_IGNORE;
	if (*name == '\0') {
		sl_diag_at(&l->in, line, "[%.*s] needs a stage name: write [%.*s NAME]",
			(int)word_len, word, (int)word_len, word);
		return;
	}
	if (!valid_stage_name(name)) {
		sl_diag_at(&l->in, line, "bad stage name '%s': use letters, digits, '_' and '-'",
			name);
		return;
	}
	if (strcmp(name, "job") == 0) {
		/* --set job.KEY must keep meaning the [job] section */
		sl_diag_at(&l->in, line, "the stage name 'job' is reserved; choose another");
		return;
	}
	if ((st = sl_job_stage_named(job, name, strlen(name))) != NULL) {
		sl_diag_at(&l->in, line, "duplicate stage name '%s' (first defined at line %d)",
			name, st->line);
		return;
	}
	if (job->stage_count == SL_JOB_MAX_STAGES) {
		if (!l->too_many++)
			sl_diag_at(&l->in, line, "more than %d stages: a job has at most %d "
				"sources, operators and sinks in all (this one and "
				"those below it are ignored)", SL_JOB_MAX_STAGES,
				SL_JOB_MAX_STAGES);
		return;
	}
	if (grow(&job->stages, job->stage_count, sizeof *job->stages) != 0) {
		l->oom = 1;
		return;
	}
	st = &job->stages[job->stage_count];
	memset(st, 0, sizeof *st);
	if ((st->name = strdup(name)) == NULL ||
	    sl_names_add(&job->stage_names, st->name, job->stage_count) != 0) {
		free(st->name);
		l->oom = 1;
		return;
	}
	st->kind = kind;
	st->line = line;
	l->stage = job->stage_count++;
	l->cur = SEC_STAGE;
}

static void on_section(void *user, const char *header, int line)
{
	loader *l = user;
	const char *name;
	size_t word_len;
	unsigned kind;

	l->last = NULL;
	l->cur = SEC_IGNORE;
	sl_names_clear(&l->keys);
	if (header == NULL)
		return; /* reported by the reader */
	word_len = strcspn(header, " \t");
	name = header + word_len;
	while (*name == ' ' || *name == '\t')
		name++;
	if (word_len == 3 && memcmp(header, "job", 3) == 0) {
		open_job_section(l, header, line);
	} else if (kind_of_word(header, word_len, &kind) == 0) {
		open_stage_section(l, kind, header, word_len, name, line);
	} else {
		sl_diag_at(&l->in, line, "unknown section [%s]: expected [job], [source NAME], "
			"[operator NAME], [sink NAME] or [store NAME]", header);
	}
}

static void on_key(void *user, const char *key, const char *value, int line)
{
	loader *l = user;
	sl_job_option **opts, *dup;
	size_t *count;
	const char *where;
	unsigned kind = 0;
	long first;

	l->last = NULL;
	if (l->cur == SEC_NONE) {
		sl_diag_at(&l->in, line, "key '%s' is outside any section: put it under [job] "
			"or a stage section", key);
		return;
	}
	if (l->cur == SEC_IGNORE)
		return;
	if (l->cur == SEC_JOB) {
		opts = &l->job->job_options;
		count = &l->job->job_option_count;
		where = "job";
	} else {
		opts = &l->job->stages[l->stage].options;
		count = &l->job->stages[l->stage].option_count;
		where = l->job->stages[l->stage].name;
		kind = l->job->stages[l->stage].kind;
	}
	if ((first = sl_names_find(&l->keys, key, strlen(key))) >= 0) {
		dup = &(*opts)[first];
		sl_diag_at(&l->in, line, "duplicate key '%s' in [%s%s%s] (first at line %d)",
			key, l->cur == SEC_JOB ? "job" : sl_kind_name(kind),
			l->cur == SEC_JOB ? "" : " ", l->cur == SEC_JOB ? "" : where,
			dup->line);
		return;
	}
	if ((l->last = add_option(opts, count, key, value, line)) == NULL ||
	    sl_names_add(&l->keys, l->last->key, *count - 1) != 0)
		l->oom = 1;
	else
		l->last_cap = (l->last_len = strlen(value)) + 1;
}

static void on_more(void *user, const char *text, int line)
{
	loader *l = user;
	size_t old, add;
	char *grown;

	(void)line;
	if (l->last == NULL)
		return; /* continues a key that was refused */
	old = l->last_len;
	add = strlen(text);
	if (old + add + 2 > l->last_cap) {
		size_t cap = 2 * l->last_cap > old + add + 2 ?
			2 * l->last_cap : old + add + 2;

		if ((grown = realloc(l->last->value, cap)) == NULL) {
			l->oom = 1;
			return;
		}
		l->last->value = grown;
		l->last_cap = cap;
	}
	grown = l->last->value;
	l->last->continued = 1;
	grown[old] = '\n';
	memcpy(grown + old + 1, text, add + 1);
	l->last_len = old + add + 1;
}

/* ---- ${...} expansion ------------------------------------------------ */

typedef struct buf {
	char *p;
	size_t len, cap;
	int oom;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
	char *grown;
	size_t cap;

	if (b->oom)
		return;
	if (b->cap - b->len <= n) {
		cap = b->cap ? b->cap : 64;
		while (cap - b->len <= n)
			cap *= 2;
		if ((grown = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* The '}' closing a "${" whose content starts at @p s, or NULL. */
static const char *closing_brace(const char *s, const char *end)
{
	int depth = 1;

	while (s < end) {
		if (s[0] == '$' && s + 1 < end && (s[1] == '$' || s[1] == '{')) {
			depth += s[1] == '{';
			s += 2;
			continue;
		}
		if (*s == '}' && --depth == 0)
			return s;
		s++;
	}
	return NULL;
}

/* What expanding one value needs besides the text. */
typedef struct expansion {
	buf *out;
	char *why;      /* the reason it failed */
	size_t why_size;
	int secret;     /* the key holds a secret: quote nothing of the value */
	loader *l;      /* the job file's folder, what ${file:} has read */
	int from_file;  /* a ${file:} was read into the value */
} expansion;

static void add_secret_value(loader *l, const char *value);

static int expand_range(const char *s, const char *end, int depth,
			expansion *x);

/*
 * Read a ${file:} file: a regular file only, as secrets are; a FIFO or a
 * terminal would block `validate` (ENOTSUP).  0 or an errno value.
 */
static int read_regular(const char *path, char **text, size_t *len)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (!S_ISREG(st.st_mode))
		return ENOTSUP;
	return sl_read_file_max(path, SL_FILE_REF_MAX_LEN, text, len);
}

/*
 * ${file:PATH}, PATH being [@p s, @p close): the file's content with one
 * trailing newline ("\n" or "\r\n") trimmed.  PATH may itself hold
 * ${...} (${file:${CREDENTIALS_DIRECTORY}/pw}); a relative one is taken
 * from the job file's folder, as plugin.path is.
 */
static int expand_file(const char *s, const char *close, int depth,
		       expansion *x)
{
	buf path = { NULL, 0, 0, 0 }, *out = x->out;
	char *text = NULL, *full = NULL;
	size_t len;
	int err, rc = -1;

	x->out = &path;
	buf_add(&path, "", 0);
	err = expand_range(s, close, depth, x);
	x->out = out;
	if (err != 0)
		goto done;
	if (path.oom) {
		out->oom = 1;
		rc = 0;
		goto done;
	}
	if (path.len == 0) {
		snprintf(x->why, x->why_size, "${file:} needs a path: write "
			 "${file:/run/secrets/NAME}");
		goto done;
	}
	if (path.p[0] != '/' && (full = malloc(strlen(x->l->job->dir) +
					       path.len + 2)))
		sprintf(full, "%s/%s", x->l->job->dir, path.p);
	if (path.p[0] != '/' && full == NULL) {
		out->oom = 1;
		rc = 0;
		goto done;
	}
	err = read_regular(full ? full : path.p, &text, &len);
	if (err == ENOTSUP)
		snprintf(x->why, x->why_size, "${file:%s} is not a regular file",
			 path.p);
	else if (err == EFBIG)
		snprintf(x->why, x->why_size, "${file:%s}: the file is larger than "
			 "%d bytes", path.p, SL_FILE_REF_MAX_LEN);
	else if (err != 0 && full != NULL)
		snprintf(x->why, x->why_size, "cannot read ${file:%s} (%s): %s",
			 path.p, full, strerror(err));
	else if (err != 0)
		snprintf(x->why, x->why_size, "cannot read ${file:%s}: %s", path.p,
			 strerror(err));
	else if (memchr(text, '\0', len) != NULL)
		snprintf(x->why, x->why_size, "${file:%s}: the file holds a NUL "
			 "byte; a value is text", path.p);
	else if ((x->l->file_bytes += len) > SL_FILE_REF_MAX_TOTAL)
		snprintf(x->why, x->why_size, "${file:%s}: the ${file:} references "
			 "of the job read more than %d bytes in all", path.p,
			 SL_FILE_REF_MAX_TOTAL);
	if (err != 0 || memchr(text, '\0', len) != NULL ||
	    x->l->file_bytes > SL_FILE_REF_MAX_TOTAL)
		goto done;
	if (len > 0 && text[len - 1] == '\n')
		len -= 1 + (len > 1 && text[len - 2] == '\r');
	text[len] = '\0';
	buf_add(out, text, len);
	/* hidden alone too: a message may quote it without the rest */
	add_secret_value(x->l, text);
	x->from_file |= len > 0; /* an empty file hides nothing */
	rc = 0;
done:
	free(text);
	free(full);
	free(path.p);
	return rc;
}

/*
 * Expand the reference "${...}" whose inside is [@p s, @p close), inside
 * @p depth others.
 */
static int expand_reference(const char *s, const char *close, int depth,
			    expansion *x)
{
	const char *p = s, *value;
	char name[128];
	size_t n;

	/* ${file:-x} stays the default of a variable named file */
	if (close - s >= 5 && memcmp(s, "file:", 5) == 0 &&
	    !(close - s >= 6 && s[5] == '-'))
		return expand_file(s + 5, close, depth, x);

	if (p < close && (isalpha((unsigned char)*p) || *p == '_'))
		while (p < close && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
	n = (size_t)(p - s);
	if (n == 0 || n >= sizeof name ||
	    (p < close && !(close - p >= 2 && p[0] == ':' && p[1] == '-'))) {
		if (x->secret)
			snprintf(x->why, x->why_size, "bad reference (not shown: "
				 "the key holds a secret): write ${NAME} or "
				 "${NAME:-default}");
		else
			snprintf(x->why, x->why_size, "bad reference '${%.*s}': "
				 "write ${NAME} or ${NAME:-default}",
				 (int)(close - s), s);
		return -1;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	value = getenv(name);
	if (p < close) {
		if (value == NULL || *value == '\0')
			return expand_range(p + 2, close, depth, x);
	} else if (value == NULL) {
		snprintf(x->why, x->why_size, "environment variable %s is not set "
			 "(write ${%s:-default} to give a default)", name, name);
		return -1;
	}
	buf_add(x->out, value, strlen(value));
	return 0;
}

static int expand_range(const char *s, const char *end, int depth,
			expansion *x)
{
	const char *close;

	while (s < end) {
		const char *dollar = memchr(s, '$', (size_t)(end - s));

		if (dollar == NULL) {
			buf_add(x->out, s, (size_t)(end - s));
			break;
		}
		buf_add(x->out, s, (size_t)(dollar - s));
		s = dollar + 1;
		if (s < end && *s == '$') {
			buf_add(x->out, "$", 1);
			s++;
		} else if (s < end && *s == '{') {
			if (depth == SL_VAR_MAX_NESTING) {
				snprintf(x->why, x->why_size, "${...} nested more than %d "
					 "deep", SL_VAR_MAX_NESTING);
				return -1;
			}
			if ((close = closing_brace(s + 1, end)) == NULL) {
				snprintf(x->why, x->why_size, "unterminated '${' (missing '}')");
				return -1;
			}
			if (expand_reference(s + 1, close, depth + 1, x) != 0)
				return -1;
			s = close + 1;
		} else {
			buf_add(x->out, "$", 1);
		}
	}
	return 0;
}

/* Keep @p value as one not to show (sl_job_option_is_secret). */
static void add_secret_value(loader *l, const char *value)
{
	sl_job *job = l->job;
	char *copy;

	if (*value == '\0')
		return; /* nothing to hide */
	if (grow(&job->secret_values, job->secret_value_count,
		 sizeof *job->secret_values) != 0 || (copy = strdup(value)) == NULL) {
		l->oom = 1;
		return;
	}
	job->secret_values[job->secret_value_count++] = copy;
}

/* The secret value kept last, or "". */
static const char *job_last_secret(const sl_job *job)
{
	return job->secret_value_count ?
		job->secret_values[job->secret_value_count - 1] : "";
}

/* Replace @p o's value by its expansion; reports a problem on failure. */
static void expand_option(loader *l, sl_job_option *o)
{
	buf out = { NULL, 0, 0, 0 };
	char why[1024];
	expansion x = { &out, why, sizeof why, sl_key_is_secret(o->key), l, 0 };

	if (strchr(o->value, '$') == NULL)
		return;
	buf_add(&out, "", 0);
	if (expand_range(o->value, o->value + strlen(o->value), 0, &x) != 0) {
		sl_diag_at(&l->in, o->line, "%s: %s", o->key, why);
		free(out.p);
		return;
	}
	if (out.oom) {
		l->oom = 1;
		free(out.p);
		return;
	}
	free(o->value);
	o->value = out.p;
	if (x.from_file && strcmp(o->value, job_last_secret(l->job)) != 0)
		add_secret_value(l, o->value);
}

static void expand_all(loader *l)
{
	sl_job *job = l->job;
	size_t i, j;

	for (i = 0; i < job->job_option_count; i++)
		expand_option(l, &job->job_options[i]);
	for (i = 0; i < job->stage_count; i++)
		for (j = 0; j < job->stages[i].option_count; j++)
			expand_option(l, &job->stages[i].options[j]);
}

/* ---- overrides --------------------------------------------------------- */

static void apply_override(loader *l, const sl_job_override *ov)
{
	sl_job *job = l->job;
	sl_job_option **opts, *o;
	size_t *count;
	sl_job_stage *st;
	char *value;

	if (strcmp(ov->stage, "job") == 0) {
		opts = &job->job_options;
		count = &job->job_option_count;
	} else if ((st = sl_job_stage_named(job, ov->stage,
					    strlen(ov->stage))) != NULL) {
		opts = &st->options;
		count = &st->option_count;
	} else {
		sl_diag_at(&l->in, 0, "--set %s.%s: no stage %s", ov->stage, ov->key,
			ov->stage);
		return;
	}
	if ((o = find_option(*opts, *count, ov->key)) != NULL) {
		if ((value = strdup(ov->value)) == NULL) {
			l->oom = 1;
			return;
		}
		free(o->value);
		o->value = value;
		o->line = 0;
	} else if (add_option(opts, count, ov->key, ov->value, 0) == NULL) {
		l->oom = 1;
	}
}

int sl_job_override_parse(char *text, sl_job_override *out)
{
	char *dot = strchr(text, '.');
	char *eq = strchr(text, '=');

	if (dot == NULL || eq == NULL || eq < dot || dot == text || eq == dot + 1)
		return -1;
	*dot = '\0';
	*eq = '\0';
	out->stage = text;
	out->key = dot + 1;
	out->value = eq + 1;
	return 0;
}

/* ---- the job ------------------------------------------------------------ */

static sl_job *job_new(const char *path)
{
	sl_job *job = calloc(1, sizeof *job);
	const char *slash;

	if (job == NULL)
		return NULL;
	job->path = strdup(path);
	slash = strrchr(path, '/');
	if (slash == NULL)
		job->dir = strdup(".");
	else if (slash == path)
		job->dir = strdup("/");
	else
		job->dir = strndup(path, (size_t)(slash - path));
	sl_job_set_defaults(job);
	if (job->path == NULL || job->dir == NULL) {
		sl_job_free(job);
		return NULL;
	}
	return job;
}

static int parse_text(loader *l, const char *text, size_t len)
{
	static const sl_ini_handlers handlers = { on_section, on_key, on_more };
	int n = sl_ini_parse(l->job->path, text, len, &handlers, l, l->in.diag);

	if (n < 0)
		return -1;
	l->in.added += (size_t)n;
	return 0;
}

sl_job *sl_job_load(const char *path, const sl_job_override *overrides,
		    size_t override_count, sl_diag *diag)
{
	loader l;
	char *text;
	size_t len, i;
	int err;

	memset(&l, 0, sizeof l);
	l.in.diag = diag;
	if ((err = sl_read_file(path, &text, &len)) != 0) {
		sl_diag_add(diag, path, 0, "cannot read: %s", strerror(err));
		return NULL;
	}
	if ((l.job = job_new(path)) == NULL) {
		free(text);
		sl_diag_add(diag, path, 0, "out of memory");
		return NULL;
	}
	l.in.file = l.job->path;
	if (parse_text(&l, text, len) != 0)
		l.oom = 1;
	sl_names_clear(&l.keys);
	free(text);
	if (l.job->job_line == 0 && !l.oom)
		sl_diag_at(&l.in, 0, "missing [job] section");
	expand_all(&l);
	for (i = 0; i < override_count; i++)
		apply_override(&l, &overrides[i]);
	if (l.oom) {
		sl_diag_add(diag, path, 0, "out of memory");
		sl_job_free(l.job);
		return NULL;
	}
	return l.job;
}

const sl_job_option *sl_job_stage_option(const sl_job_stage *stage,
					 const char *key)
{
	return find_option(stage->options, stage->option_count, key);
}

const sl_job_option *sl_job_option_find(const sl_job *job, const char *key)
{
	return find_option(job->job_options, job->job_option_count, key);
}

static void free_options(sl_job_option *opts, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(opts[i].key);
		free(opts[i].value);
	}
	free(opts);
}

void sl_job_free(sl_job *job)
{
	size_t i;

	if (job == NULL)
		return;
	for (i = 0; i < job->stage_count; i++) {
		free(job->stages[i].name);
		free_options(job->stages[i].options, job->stages[i].option_count);
		free(job->stages[i].inputs);
	}
	free(job->stages);
	for (i = 0; i < job->added_count; i++) {
		free(job->added[i]->name);
		free_options(job->added[i]->options, job->added[i]->option_count);
		free(job->added[i]->inputs);
		free(job->added[i]->storage);
		free(job->added[i]);
	}
	free(job->added);
	sl_names_clear(&job->stage_names);
	free_options(job->job_options, job->job_option_count);
	for (i = 0; i < job->secret_value_count; i++)
		free(job->secret_values[i]);
	free(job->secret_values);
	free(job->order);
	free(job->path);
	free(job->dir);
	free(job);
}
