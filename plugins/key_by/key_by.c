/*
 * key_by.c - set each record's key from a field or an expression.
 *
 * With `field`, the key points at the field's node in the value tree (the
 * batch owns both), so keying a record costs a lookup and nothing else.
 * A missing field gives a null key, as a missing field is null in
 * expressions; keyed operators group those under "null".
 */
#include <stdlib.h>
#include <string.h>

#include <sluice/plugin.h>

#include "../lib/fieldpath.h"

typedef struct key_by {
	sl_stage *stage;
	slop_path field;
	int has_field;
	sl_expr *expr;
} key_by;

static const sl_value null_key = { SL_TNULL, 0, { 0 } };

static void key_by_close(void *self)
{
	key_by *k = self;

	if (k == NULL)
		return;
	slop_path_free(&k->field);
	sl_expr_free(k->expr);
	free(k);
}

static int key_by_open(sl_stage *stage, void **self, sl_error *err)
{
	key_by *k = calloc(1, sizeof *k);
	const char *field = sl_option(stage, "field"), *why = NULL;
	int rc;

	if (k == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	k->stage = stage;
	if ((field == NULL) == (sl_option(stage, "expr") == NULL)) {
		sl_config_error(stage, field != NULL ? "expr" : "plugin", err,
				"key_by needs exactly one of `field =` and `expr =`");
		goto fail;
	}
	if (field != NULL) {
		rc = slop_path_parse(&k->field, field, strlen(field), &why);
		if (rc == -2) {
			sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			goto fail;
		}
		if (rc != 0) {
			sl_config_error(stage, "field", err, "%s", why);
			goto fail;
		}
		k->has_field = 1;
	} else if ((k->expr = sl_expr_compile(stage, "expr", err)) == NULL) {
		goto fail;
	}
	*self = k;
	return SL_OK;
fail:
	key_by_close(k);
	return SL_ERR;
}

static int key_by_process(void *self, sl_batch *batch, sl_error *err)
{
	key_by *k = self;
	uint32_t i, kept = 0;
	int rc = SL_OK;

	for (i = 0; i < batch->count; i++) {
		sl_record *r = &batch->records[i];
		const sl_value *key;

		if (k->has_field) {
			key = slop_path_get(&k->field, r->value);
			sl_record_set_key(r, key != NULL ? key : &null_key);
		} else {
			sl_value *v = sl_arena_alloc(batch->arena, sizeof *v);
			sl_error why;

			if (v == NULL) {
				rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
				break;
			}
			if (sl_expr_eval(k->expr, r, batch->arena, v, &why) != SL_OK) {
				if (why.kind != SL_ERR_RECORD) {
					*err = why;
					rc = SL_ERR;
					break;
				}
				rc = sl_record_error(k->stage, r, err, "expr: %s",
						     why.message);
				if (rc == SL_ERR)
					break;
				rc = SL_OK;
				continue;
			}
			sl_record_set_key(r, v);
		}
		if (kept != i)
			batch->records[kept] = *r;
		kept++;
	}
	batch->count = kept;
	return rc;
}

/* Designated: the class grows at the end. */
static const sl_operator_class key_by_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = key_by_open,
	.process = key_by_process,
	.close = key_by_close,
};

SL_PLUGIN("key_by", .op = &key_by_op)
