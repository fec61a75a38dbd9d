/*
 * uppercase.c - a complete example operator plugin, to copy and rename.
 *
 * It upper-cases ASCII letters of string values, or of one field of an
 * object value when `field` is set.  A record whose value (or field) is
 * not a string is a per-record error, handled by the stage's `errors`
 * policy.  Build: see the Makefile beside this file.
 */
#include <stdlib.h>
#include <string.h>
#include <sluice/plugin.h>

typedef struct uppercase {
	sl_stage *stage;
	const char *field; /* NULL: the whole value */
} uppercase;

static int up_open(sl_stage *stage, void **self, sl_error *err)
{
	uppercase *u = calloc(1, sizeof *u);

	if (u == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	u->stage = stage;
	u->field = sl_option(stage, "field");
	*self = u;
	return SL_OK;
}

/* A copy of string @p in with a-z raised, allocated from @p arena. */
static sl_value *upper_copy(const sl_value *in, sl_arena *arena)
{
	sl_value *out = sl_arena_alloc(arena, sizeof *out);
	char *s = sl_arena_alloc(arena, in->len + 1);
	uint32_t i;

	if (out == NULL || s == NULL)
		return NULL;
	for (i = 0; i < in->len; i++) {
		char c = in->as.s[i];
		s[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	*out = sl_value_string(s, in->len);
	return out;
}

/* The value with its member @p field replaced by @p repl (a new object). */
static sl_value *with_member(const sl_value *obj, const char *field,
			     const sl_value *repl, sl_arena *arena)
{
	sl_value *out = sl_arena_alloc(arena, sizeof *out);
	sl_member *m = sl_arena_alloc(arena, obj->len * sizeof *m);
	uint32_t i;

	if (out == NULL || m == NULL)
		return NULL;
	memcpy(m, obj->as.members, obj->len * sizeof *m);
	for (i = 0; i < obj->len; i++)
		if (m[i].key_len == strlen(field) &&
		    memcmp(m[i].key, field, m[i].key_len) == 0)
			m[i].value = *repl;
	*out = *obj;
	out->as.members = m;
	return out;
}

static int up_process(void *self, sl_batch *batch, sl_error *err)
{
	uppercase *u = self;
	uint32_t i, kept = 0;

	for (i = 0; i < batch->count; i++) {
		sl_record *r = &batch->records[i];
		const sl_value *target = u->field ?
			sl_value_member(r->value, u->field) : r->value;
		sl_value *up, *value;
		int rc;

		if (target == NULL || target->type != SL_TSTRING) {
			rc = sl_record_error(u->stage, r, err, "%s is %s, not a string",
					     u->field ? u->field : "the value",
					     target ? sl_type_name(target->type) : "missing");
			if (rc == SL_SKIP)
				continue;
			batch->count = kept; /* keep only what came before */
			return SL_ERR;
		}
		up = upper_copy(target, batch->arena);
		value = up && u->field ? with_member(r->value, u->field, up,
						     batch->arena) : up;
		if (value == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		sl_record_set_value(r, value);
		batch->records[kept++] = *r;
	}
	batch->count = kept;
	return SL_OK;
}

static void up_close(void *self)
{
	free(self);
}

static const sl_operator_class uppercase_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = up_open,
	.process = up_process,
	.close = up_close,
};

SL_PLUGIN("uppercase", .op = &uppercase_op)
