/*
 * map.c - rewrite each record's value: `value = expr` replaces it,
 * `set.FIELD = expr` sets fields, `drop = a, b` removes fields, in that
 * order.  Every expression sees the input record (set.* do not see each
 * other's results), so the order of the set.* lines does not matter.
 */
#include <stdlib.h>
#include <string.h>

#include "map.h"

typedef struct setter {
	const char *key;  /* the option, "set.a.b", for messages */
	slop_path path;
	sl_expr *expr;
} setter;

typedef struct map {
	sl_stage *stage;
	sl_expr *value;
	setter *sets;
	size_t set_count;
	slop_path *drops;
	size_t drop_count;
	sl_value *results; /* one per setter, reused for every record */
} map;

static void map_close(void *self)
{
	map *m = self;
	size_t i;

	if (m == NULL)
		return;
	sl_expr_free(m->value);
	for (i = 0; i < m->set_count; i++) {
		slop_path_free(&m->sets[i].path);
		sl_expr_free(m->sets[i].expr);
	}
	for (i = 0; i < m->drop_count; i++)
		slop_path_free(&m->drops[i]);
	free(m->sets);
	free(m->drops);
	free(m->results);
	free(m);
}

typedef struct open_ctx {
	map *m;
	sl_error *err;
} open_ctx;

/* One set.FIELD option. */
static int add_setter(void *ctx, const char *key, const char *value)
{
	open_ctx *oc = ctx;
	map *m = oc->m;
	setter *s = realloc(m->sets, (m->set_count + 1) * sizeof *s);
	const char *why = NULL;
	int rc;

	(void)value;
	if (s == NULL)
		return sl_error_set(oc->err, SL_ERR_RUNTIME, "out of memory");
	m->sets = s;
	s = &s[m->set_count];
	memset(s, 0, sizeof *s);
	s->key = key;
	rc = slop_path_parse(&s->path, key + 4, strlen(key + 4), &why);
	if (rc == -2)
		return sl_error_set(oc->err, SL_ERR_RUNTIME, "out of memory");
	if (rc != 0)
		return sl_config_error(m->stage, key, oc->err, "%s", why);
	m->set_count++;
	if (s->path.count == 0)
		return sl_config_error(m->stage, key, oc->err,
				       "use `value =` to replace the whole value");
	s->expr = sl_expr_compile(m->stage, key, oc->err);
	return s->expr == NULL ? SL_ERR : 0;
}

static int parse_drops(map *m, const char *text, sl_error *err)
{
	const char *p = text;

	while (*p != '\0') {
		const char *end = strchr(p, ','), *why = NULL;
		size_t len;
		slop_path *d;
		int rc;

		if (end == NULL)
			end = p + strlen(p);
		while (*p == ' ' || *p == '\t')
			p++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		d = realloc(m->drops, (m->drop_count + 1) * sizeof *d);
		if (d == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		m->drops = d;
		rc = slop_path_parse(&d[m->drop_count], p, len, &why);
		if (rc == -2)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		if (rc != 0)
			return sl_config_error(m->stage, "drop", err, "%s", why);
		if (d[m->drop_count++].count == 0)
			return sl_config_error(m->stage, "drop", err,
					       "cannot drop the whole value");
		p = *end == ',' ? end + 1 : end;
	}
	return SL_OK;
}

static int map_open(sl_stage *stage, void **self, sl_error *err)
{
	map *m = calloc(1, sizeof *m);
	open_ctx oc;
	const char *drop;

	if (m == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	m->stage = stage;
	oc.m = m;
	oc.err = err;
	if (sl_option(stage, "value") != NULL &&
	    (m->value = sl_expr_compile(stage, "value", err)) == NULL)
		goto fail;
	if (sl_option_each(stage, "set.", add_setter, &oc) != 0)
		goto fail;
	drop = sl_option(stage, "drop");
	if (drop != NULL && parse_drops(m, drop, err) != SL_OK)
		goto fail;
	if (m->value == NULL && m->set_count == 0 && m->drop_count == 0) {
		sl_config_error(stage, "plugin", err,
				"map needs `value =`, `set.FIELD =` or `drop =`");
		goto fail;
	}
	if (m->set_count > 0 &&
	    (m->results = calloc(m->set_count, sizeof *m->results)) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto fail;
	}
	*self = m;
	return SL_OK;
fail:
	map_close(m);
	return SL_ERR;
}

/* Evaluate one expression; SL_OK, SL_SKIP or SL_ERR as for the record. */
static int eval(map *m, sl_expr *x, const char *key, sl_record *r,
		sl_arena *arena, sl_value *out, sl_error *err)
{
	sl_error why;

	if (sl_expr_eval(x, r, arena, out, &why) == SL_OK)
		return SL_OK;
	if (why.kind != SL_ERR_RECORD) {
		*err = why;
		return SL_ERR;
	}
	return sl_record_error(m->stage, r, err, "%s: %s", key, why.message);
}

static int oom(sl_error *err)
{
	return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
}

/* The new value of @p r in @p out. */
static int rewrite(map *m, sl_record *r, sl_arena *arena, sl_value *out,
		   sl_error *err)
{
	size_t i;
	int rc;

	if (m->value != NULL) {
		if ((rc = eval(m, m->value, "value", r, arena, out, err)) != SL_OK)
			return rc;
	} else {
		*out = r->value != NULL ? *r->value : sl_value_null();
	}
	for (i = 0; i < m->set_count; i++)
		if ((rc = eval(m, m->sets[i].expr, m->sets[i].key, r, arena,
			       &m->results[i], err)) != SL_OK)
			return rc;
	for (i = 0; i < m->set_count; i++) {
		const setter *s = &m->sets[i];
		uint32_t depth = 0;

		rc = map_set_path(arena, out, s->path.names, s->path.count,
				  &m->results[i], out, &depth);
		if (rc == -1)
			return oom(err);
		if (rc == -2) {
			const sl_value *at = out;
			uint32_t k;

			for (k = 0; k < depth; k++)
				at = sl_value_member_n(at, s->path.names[k].name,
						       s->path.names[k].len);
			if (depth == 0)
				return sl_record_error(m->stage, r, err,
					"%s: the value is %s, not an object",
					s->key, sl_type_name(out->type));
			return sl_record_error(m->stage, r, err,
				"%s: field '%.*s' is %s, not an object",
				s->key, (int)(s->path.names[depth - 1].name +
					      s->path.names[depth - 1].len -
					      s->path.text),
				s->path.text,
				at != NULL ? sl_type_name(at->type) : "missing");
		}
	}
	for (i = 0; i < m->drop_count; i++)
		if (out->type == SL_TOBJECT &&
		    map_drop_path(arena, out, m->drops[i].names,
				  m->drops[i].count, out) != 0)
			return oom(err);
	return SL_OK;
}

static int map_process(void *self, sl_batch *batch, sl_error *err)
{
	map *m = self;
	uint32_t i, kept = 0;
	int rc = SL_OK;

	for (i = 0; i < batch->count; i++) {
		sl_record *r = &batch->records[i];
		sl_value *v = sl_arena_alloc(batch->arena, sizeof *v);

		if (v == NULL) {
			rc = oom(err);
			break;
		}
		rc = rewrite(m, r, batch->arena, v, err);
		if (rc == SL_ERR)
			break;
		if (rc == SL_SKIP) {
			rc = SL_OK;
			continue;
		}
		sl_record_set_value(r, v);
		if (kept != i)
			batch->records[kept] = *r;
		kept++;
	}
	batch->count = kept;
	return rc;
}

/* Designated: the class grows at the end. */
static const sl_operator_class map_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = map_open,
	.process = map_process,
	.close = map_close,
};

SL_PLUGIN("map", .op = &map_op)
