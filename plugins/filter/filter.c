/*
 * filter.c - keep the records for which `where` is true.
 *
 * False and null (a comparison with a missing field) drop the record; any
 * other result is a mistake in the job (`where = user_id`), reported as a
 * per-record error rather than guessed at.  Dropped records are counted
 * in the "filtered" metric, so nothing disappears unaccounted.
 */
#include <stdlib.h>

#include <sluice/plugin.h>

typedef struct filter {
	sl_stage *stage;
	sl_expr *where;
} filter;

static int filter_open(sl_stage *stage, void **self, sl_error *err)
{
	filter *f = calloc(1, sizeof *f);

	if (f == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	f->stage = stage;
	f->where = sl_expr_compile(stage, "where", err);
	if (f->where == NULL) {
		free(f);
		return SL_ERR;
	}
	*self = f;
	return SL_OK;
}

static int filter_process(void *self, sl_batch *batch, sl_error *err)
{
	filter *f = self;
	uint32_t i, kept = 0;
	int64_t dropped = 0;
	int rc = SL_OK;

	for (i = 0; i < batch->count; i++) {
		sl_record *r = &batch->records[i];
		sl_value v;
		sl_error why;

		if (sl_expr_eval(f->where, r, batch->arena, &v, &why) != SL_OK) {
			if (why.kind != SL_ERR_RECORD) {
				*err = why;
				rc = SL_ERR;
				break;
			}
			rc = sl_record_error(f->stage, r, err, "where: %s",
					     why.message);
		} else if (v.type == SL_TBOOL || v.type == SL_TNULL) {
			rc = SL_OK;
			if (v.type == SL_TBOOL && v.as.b) {
				if (kept != i)
					batch->records[kept] = *r;
				kept++;
			} else {
				dropped++;
			}
			continue;
		} else {
			rc = sl_record_error(f->stage, r, err,
					     "where: the condition is %s, not "
					     "true or false", sl_type_name(v.type));
		}
		if (rc == SL_ERR)
			break;
		rc = SL_OK; /* skipped: counted by the host */
	}
	batch->count = kept;
	if (dropped)
		sl_metric_add(f->stage, "filtered", dropped);
	return rc;
}

static void filter_close(void *self)
{
	filter *f = self;

	if (f == NULL)
		return;
	sl_expr_free(f->where);
	free(f);
}

/* Designated: the class grows at the end. */
static const sl_operator_class filter_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = filter_open,
	.process = filter_process,
	.close = filter_close,
};

SL_PLUGIN("filter", .op = &filter_op)
