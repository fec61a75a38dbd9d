/*
 * agglist.c - parsing the function list of `aggregate` and `window`
 * (agglist.h): items split at top-level commas, each NAME[(ARG)] [as
 * ALIAS], their output fields named and checked for clashes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agglist.h"

#define FUNCTIONS "count, sum(field), min(field), max(field), avg(field) or " \
	"count_if(condition), comma-separated, each optionally `as NAME`"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Past the quoted text that begins at @p p (its quote), or NULL when it
 * does not end.  Quotes as in expressions: ", ' and `, \ escapes. */
static const char *past_quote(const char *p, const char *end)
{
	char quote = *p++;

	for (; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == quote)
			return p + 1;
	}
	return NULL;
}

/* The end of the item that begins at @p p: the next comma outside
 * parentheses and quotes, or @p end.  NULL when a quote or parenthesis
 * does not close. */
static const char *item_end(const char *p, const char *end)
{
	int depth = 0;

	while (p < end) {
		if (*p == '"' || *p == '\'' || *p == '`') {
			if ((p = past_quote(p, end)) == NULL)
				return NULL;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth < 0)
			return NULL;
		else if (*p == ',' && depth == 0)
			return p;
		p++;
	}
	return depth == 0 ? end : NULL;
}

/* The ')' that closes the '(' at @p p, or NULL. */
static const char *closing(const char *p, const char *end)
{
	int depth = 0;

	while (p < end) {
		if (*p == '"' || *p == '\'' || *p == '`') {
			if ((p = past_quote(p, end)) == NULL)
				return NULL;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
		p++;
	}
	return NULL;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	return p;
}

static char *dup_text(const char *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s != NULL) {
		memcpy(s, p, len);
		s[len] = '\0';
	}
	return s;
}

/* The default output field of @p f, the @p nth count_if (1-based), in a
 * list of @p count functions. */
static char *default_name(const slop_agg *f, size_t count, int nth)
{
	char buf[32];
	char *s;
	size_t i, n;

	if (f->kind == SLOP_COUNT_IF) {
		snprintf(buf, sizeof buf, "count_if_%d", nth);
		return dup_text(buf, strlen(buf));
	}
	if (count == 1 || f->kind == SLOP_COUNT)
		return dup_text(f->name, strlen(f->name));
	n = strlen(f->name);
	if ((s = malloc(n + 1 + f->arg_len + 1)) == NULL)
		return NULL;
	memcpy(s, f->name, n);
	s[n++] = '_';
	for (i = 0; i < f->arg_len; i++)
		s[n++] = is_word(f->arg[i]) ? f->arg[i] : '_';
	s[n] = '\0';
	return s;
}

/* FNV-1a, continued from @p h. */
static uint32_t hash(uint32_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

/* An unknown function, @p len bytes at @p name, in an item of @p item
 * bytes; a near name suggested. */
static int unknown(const sl_stage *stage, const char *key, const char *name,
		   size_t len, size_t item, sl_error *err)
{
	static const char *const known[] = { "count", "sum", "min", "max",
					     "avg", "count_if" };
	const char *near = NULL;
	char word[64];

	if (len > 0 && len < sizeof word && SL_HOST_HAS(suggest)) {
		memcpy(word, name, len);
		word[len] = '\0';
		near = sl_suggest(word, known, sizeof known / sizeof known[0]);
	}
	return sl_config_error(stage, key, err, "unknown function '%.*s' (count, "
			       "sum(field), min(field), max(field), avg(field))"
			       "%s%s%s", (int)item, name,
			       near != NULL ? "; did you mean " : "",
			       near != NULL ? near : "", near != NULL ? "?" : "");
}

/*
 * Parse one item, @p p to @p end, into @p f: NAME, NAME(ARG), either
 * followed by `as ALIAS`.  The alias is left in *@p alias (NULL: none).
 */
static int parse_item(slop_agg *f, const char *p, const char *end,
		      const sl_stage *stage, const char *key, char **alias,
		      sl_error *err)
{
	const char *name = p, *open, *close, *why = NULL;
	int kind, rc;

	*alias = NULL;
	p = skip_space(p, end);
	while (end > p && is_space(end[-1]))
		end--;
	if (p == end)
		return sl_config_error(stage, key, err,
				       "an empty function in the list: expected "
				       FUNCTIONS);
	for (name = p; p < end && is_word(*p); p++)
		;
	kind = slop_agg_kind_of(name, (size_t)(p - name));
	if (kind < 0)
		return unknown(stage, key, name, (size_t)(p - name),
			       (size_t)(end - name), err);
	f->kind = kind;
	f->name = slop_agg_kind_name(kind);
	open = skip_space(p, end);
	if (open < end && *open == '(') {
		if ((close = closing(open, end)) == NULL)
			return sl_config_error(stage, key, err,
					       "%s: the parenthesis is not closed",
					       f->name);
		if (kind == SLOP_COUNT)
			return sl_config_error(stage, key, err,
					       "count takes no field: write `count`");
		f->arg = skip_space(open + 1, close);
		for (f->arg_len = (size_t)(close - f->arg);
		     f->arg_len > 0 && is_space(f->arg[f->arg_len - 1]);
		     f->arg_len--)
			;
		p = close + 1;
	} else if (kind != SLOP_COUNT) {
		return sl_config_error(stage, key, err,
				       "%s needs %s: write `%s(%s)`", f->name,
				       kind == SLOP_COUNT_IF ? "a condition" :
				       "a field", f->name,
				       kind == SLOP_COUNT_IF ? "condition" : "field");
	} else {
		p = open;
	}
	p = skip_space(p, end);
	if (p < end) {
		const char *a;

		if (end - p < 3 || strncmp(p, "as", 2) != 0 || !is_space(p[2]))
			return sl_config_error(stage, key, err,
					       "'%.*s': expected `as NAME` or a "
					       "comma after %s", (int)(end - name),
					       name, f->name);
		a = skip_space(p + 2, end);
		for (p = a; p < end && is_word(*p); p++)
			;
		if (p == a || p != end || (*a >= '0' && *a <= '9'))
			return sl_config_error(stage, key, err,
					       "'%.*s': the alias must be a name "
					       "of letters, digits and _",
					       (int)(end - name), name);
		if ((*alias = dup_text(a, (size_t)(end - a))) == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	if (kind == SLOP_COUNT)
		return SL_OK;
	if (kind == SLOP_COUNT_IF) {
		if (f->arg_len == 0)
			return sl_config_error(stage, key, err,
					       "count_if(): the condition is empty");
		if (!SL_HOST_HAS(expr_compile_text))
			return sl_config_error(stage, key, err,
					       "count_if needs a newer sluice");
		f->cond = sl_expr_compile_text(stage, key, f->arg, f->arg_len,
					       err);
		return f->cond != NULL ? SL_OK : SL_ERR;
	}
	rc = slop_path_parse(&f->field, f->arg, f->arg_len, &why);
	if (rc == -2)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (rc != 0)
		return sl_config_error(stage, key, err, "%s(): %s", f->name, why);
	return SL_OK;
}

/* Output fields the key and the window take. */
static int reserved(const char *name)
{
	return strcmp(name, "key") == 0 || strcmp(name, "window_start") == 0 ||
	       strcmp(name, "window_end") == 0;
}

/* Name every output, refuse clashes, and take the fingerprint. */
static int name_outputs(slop_aggs *aggs, char **aliases, const sl_stage *stage,
			const char *key, sl_error *err)
{
	size_t i, j;
	int nth = 0;
	uint32_t h = 2166136261u;

	for (i = 0; i < aggs->count; i++) {
		slop_agg *f = &aggs->fn[i];
		uint8_t kind = (uint8_t)f->kind;

		if (f->kind == SLOP_COUNT_IF)
			nth++;
		f->out = aliases[i] != NULL ? aliases[i] :
			default_name(f, aggs->count, nth);
		aliases[i] = NULL;
		if (f->out == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		if (reserved(f->out))
			return sl_config_error(stage, key, err,
					       "'%s' is the name of a field every "
					       "output has: choose another alias",
					       f->out);
		for (j = 0; j < i; j++)
			if (strcmp(aggs->fn[j].out, f->out) == 0)
				return sl_config_error(stage, key, err,
						       "two results named '%s': "
						       "name one otherwise with "
						       "`as NAME`", f->out);
		h = hash(h, &kind, 1);
		h = hash(h, f->arg != NULL ? f->arg : "", f->arg_len);
		h = hash(h, "", 1);
	}
	aggs->fingerprint = h;
	return SL_OK;
}

int slop_aggs_open(slop_aggs *aggs, const sl_stage *stage, const char *key,
		   size_t extra, sl_error *err)
{
	const char *text = sl_option(stage, key), *p, *end, *stop;
	char **aliases = NULL;
	size_t n = 1, i;
	int rc = SL_OK;

	memset(aggs, 0, sizeof *aggs);
	aggs->extra = extra;
	if (text == NULL)
		return sl_config_error(stage, key, err, "required: %s", FUNCTIONS);
	end = text + strlen(text);
	for (p = text; p < end; p = stop + 1) {
		if ((stop = item_end(p, end)) == NULL)
			return sl_config_error(stage, key, err,
					       "a quote or parenthesis does not "
					       "close");
		if (stop == end)
			break;
		n++;
	}
	aggs->fn = calloc(n, sizeof *aggs->fn);
	aggs->in = calloc(n, sizeof *aggs->in);
	aliases = calloc(n, sizeof *aliases);
	if (aggs->fn == NULL || aggs->in == NULL || aliases == NULL) {
		free(aliases);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	for (p = text; rc == SL_OK && aggs->count < n; p = stop + 1) {
		stop = item_end(p, end);
		rc = parse_item(&aggs->fn[aggs->count], p, stop, stage, key,
				&aliases[aggs->count], err);
		aggs->count++;
	}
	if (rc == SL_OK)
		rc = name_outputs(aggs, aliases, stage, key, err);
	for (i = 0; i < n; i++)
		free(aliases[i]);
	free(aliases);
	return rc;
}

void slop_aggs_close(slop_aggs *aggs)
{
	size_t i;

	for (i = 0; i < aggs->count; i++) {
		slop_path_free(&aggs->fn[i].field);
		sl_expr_free(aggs->fn[i].cond);
		free(aggs->fn[i].out);
	}
	free(aggs->fn);
	free(aggs->in);
	memset(aggs, 0, sizeof *aggs);
}
