/*
 * csv.c - an example format plugin: one CSV line per record (RFC 4180).
 *
 * With `csv.columns = a, b, c` on the source, a line decodes into an
 * object {"a": .., "b": .., "c": ..} of strings (CSV has no types) and a
 * line with another number of fields is a per-record error; without it,
 * into an array of strings.  Encoding writes an object's members in
 * column order (a missing one as an empty field), or all of them in
 * their order without columns, an array's items, or a single value as
 * one field.  Strings are written as they are, null as an empty field,
 * anything else as its JSON text (as the json format would write it).
 *
 * Quoting follows RFC 4180: a field holding a comma, a double quote, CR
 * or LF is written between double quotes, with each quote doubled.
 * Reading is as strict: a quote inside an unquoted field, text after a
 * closing quote or a missing closing quote is an error, because guessing
 * would silently shift columns.  A record's trailing CRLF or LF is not
 * part of its last field.
 */
#define _POSIX_C_SOURCE 200809L /* -std=c99 hides strdup */
#include <stdlib.h>
#include <string.h>
#include <sluice/plugin.h>

typedef struct csv {
	char *text;      /* the columns option, cut into names in place */
	char **names;    /* NULL: no columns, lines decode into arrays */
	uint32_t *lens;
	uint32_t count;
} csv;

static void csv_close(void *self)
{
	csv *c = self;

	if (c == NULL)
		return;
	free(c->text);
	free(c->names);
	free(c->lens);
	free(c);
}

/*
 * Cut the list "a, b ,c" into trimmed names (the descriptor's type, list,
 * already refused empty ones); a name given twice is a config error.
 */
static int split_columns(csv *c, sl_stage *stage, sl_error *err)
{
	char *p = c->text, *end;
	uint32_t i, max = 1;

	for (end = p; *end; end++)
		max += *end == ',';
	c->names = calloc(max, sizeof *c->names);
	c->lens = calloc(max, sizeof *c->lens);
	if (c->names == NULL || c->lens == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (;; p = end + 1) {
		char *a = p, *b;

		end = p + strcspn(p, ",");
		while (a < end && (*a == ' ' || *a == '\t'))
			a++;
		for (b = end; b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
			;
		for (i = 0; i < c->count; i++)
			if (c->lens[i] == (uint32_t)(b - a) &&
			    memcmp(c->names[i], a, c->lens[i]) == 0)
				return sl_config_error(stage, "columns", err,
						       "column '%.*s' is named twice",
						       (int)(b - a), a);
		c->names[c->count] = a;
		c->lens[c->count++] = (uint32_t)(b - a);
		if (*end == '\0')
			return SL_OK;
	}
}

/* Formats read their options in open: csv.columns on the stage. */
static int csv_open(sl_stage *stage, void **self, sl_error *err)
{
	const char *columns = sl_option(stage, "columns");
	csv *c = calloc(1, sizeof *c);

	if (c == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (columns != NULL) {
		int rc = (c->text = strdup(columns)) == NULL
			 ? sl_error_set(err, SL_ERR_RUNTIME, "out of memory")
			 : split_columns(c, stage, err);

		if (rc != SL_OK) { /* close is not called when open fails */
			csv_close(c);
			return rc;
		}
	}
	*self = c;
	return SL_OK;
}

static const char out_of_memory[] = "out of memory";

/*
 * Read the field at *@p p into @p out and leave *@p p at the comma or
 * the end after it.  NULL, or what is wrong with the field (or
 * out_of_memory, which is not the record's fault).
 */
static const char *read_field(const char **p, const char *end,
			      sl_arena *arena, sl_value *out)
{
	const char *s = *p, *q;
	size_t quotes = 0;
	char *copy, *w;

	if (s == end || *s != '"') {
		q = memchr(s, ',', (size_t)(end - s));
		*p = q ? q : end;
		if (memchr(s, '"', (size_t)(*p - s)) != NULL)
			return "a double quote in a field that is not quoted";
		*out = sl_value_string(s, (size_t)(*p - s));
		return NULL;
	}
	/* quoted: find the closing quote, counting the doubled ones */
	for (q = ++s;; q += 2, quotes++) {
		q = memchr(q, '"', (size_t)(end - q));
		if (q == NULL)
			return "no closing double quote";
		if (q + 1 == end || q[1] != '"')
			break;
	}
	*p = q + 1;
	if (*p != end && **p != ',')
		return "text after the closing double quote";
	if (quotes == 0) {
		*out = sl_value_string(s, (size_t)(q - s));
		return NULL;
	}
	if ((copy = sl_arena_alloc(arena, (size_t)(q - s) - quotes + 1)) == NULL)
		return out_of_memory;
	for (w = copy; s < q; s++) {
		*w++ = *s;
		s += *s == '"'; /* the second of a doubled quote */
	}
	*out = sl_value_string(copy, (size_t)(w - copy));
	return NULL;
}

static int csv_decode(void *self, const uint8_t *data, size_t len,
		      sl_arena *arena, sl_value *out, sl_error *err)
{
	csv *c = self;
	const char *p = (const char *)data, *end, *why;
	uint32_t n = 0, max = 1, i;
	sl_value *fields;
	sl_member *m;

	if (len > UINT32_MAX)
		return sl_error_set(err, SL_ERR_RECORD, "line too long");
	if (len > 0 && p[len - 1] == '\n')
		len--;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	end = p + len;
	for (i = 0; i < len; i++)
		max += p[i] == ',';
	if ((fields = sl_arena_alloc(arena, max * sizeof *fields)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (;; p++) {
		if ((why = read_field(&p, end, arena, &fields[n++])) != NULL)
			return sl_error_set(err, why == out_of_memory ?
					    SL_ERR_RUNTIME : SL_ERR_RECORD,
					    "field %u: %s", n, why);
		if (p == end)
			break;
	}
	if (c->names == NULL) {
		out->type = SL_TARRAY;
		out->len = n;
		out->as.items = fields;
		return SL_OK;
	}
	if (n != c->count)
		return sl_error_set(err, SL_ERR_RECORD, "%u fields, but %u columns",
				    n, c->count);
	/* member names point into the instance, which outlives every batch */
	if ((m = sl_arena_alloc(arena, n * sizeof *m)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; i < n; i++) {
		m[i].key = c->names[i];
		m[i].key_len = c->lens[i];
		m[i].value = fields[i];
	}
	out->type = SL_TOBJECT;
	out->len = n;
	out->as.members = m;
	return SL_OK;
}

/* Strings are length-bounded, not NUL-terminated: no strcspn here. */
static int needs_quotes(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

/* Append @p len bytes of field text, quoted when RFC 4180 requires it. */
static int put_text(sl_buf *out, const char *s, size_t len)
{
	const char *q;

	if (!needs_quotes(s, len))
		return sl_buf_append(out, s, len);
	if (sl_buf_append(out, "\"", 1) != 0)
		return -1;
	while ((q = memchr(s, '"', len)) != NULL) {
		size_t n = (size_t)(q - s) + 1; /* up to and with the quote */

		if (sl_buf_append(out, s, n) != 0 || sl_buf_append(out, "\"", 1) != 0)
			return -1;
		s += n;
		len -= n;
	}
	if (sl_buf_append(out, s, len) != 0)
		return -1;
	return sl_buf_append(out, "\"", 1);
}

/* One field: a string as it is, null empty, anything else as JSON text. */
static int put_field(sl_buf *out, const sl_value *v, sl_error *err)
{
	sl_buf json = { NULL, 0, 0, out->arena };
	int rc = 0;

	if (v == NULL || v->type == SL_TNULL)
		return SL_OK;
	if (v->type == SL_TSTRING)
		rc = put_text(out, v->as.s, v->len);
	else if ((rc = sl_value_to_json(v, &json)) == 0)
		rc = put_text(out, (const char *)json.data, json.len);
	if (rc == -2)
		return sl_error_set(err, SL_ERR_RECORD, "cannot write NaN or "
				    "Infinity");
	if (rc != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	return SL_OK;
}

static int csv_encode(void *self, const sl_value *value, sl_buf *out,
		      sl_error *err)
{
	csv *c = self;
	uint32_t i, n = 1;
	int rc = SL_OK;

	if (value->type == SL_TOBJECT && c->names != NULL)
		n = c->count;
	else if (value->type == SL_TOBJECT || value->type == SL_TARRAY)
		n = value->len;
	for (i = 0; i < n && rc == SL_OK; i++) {
		const sl_value *v = value;

		if (i > 0 && sl_buf_append(out, ",", 1) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		if (value->type == SL_TOBJECT && c->names != NULL)
			v = sl_value_member_n(value, c->names[i], c->lens[i]);
		else if (value->type == SL_TOBJECT)
			v = &value->as.members[i].value;
		else if (value->type == SL_TARRAY)
			v = &value->as.items[i];
		rc = put_field(out, v, err);
	}
	return rc;
}

static const sl_format_class csv_format = {
	.struct_size = sizeof(sl_format_class),
	.open = csv_open,
	.decode = csv_decode,
	.encode = csv_encode,
	.close = csv_close,
};

SL_PLUGIN("csv", .format = &csv_format)
