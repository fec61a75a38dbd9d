/*
 * pg_send.c - a batch's rows to the postgresql server: encoded as COPY text,
 * one COPY per batch (upsert: straight into the table when it can),
 * and the rows the server refuses found and given to the errors policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_sink.h"


/* One COPY of @p len bytes of rows, by @p sql. */
static int copy_in(pg_sink *k, const char *sql, const char *data, size_t len,
		   sl_error *err)
{
	PGresult *res = PQexec(k->conn, sql), *bad = NULL;
	size_t off;
	int ok = 1;

	if (PQresultStatus(res) != PGRES_COPY_IN)
		return pg_sink_failed(k, res, "starting COPY", err);
	PQclear(res);
	for (off = 0; ok && off < len; off += COPY_CHUNK) {
		size_t n = len - off < COPY_CHUNK ? len - off : COPY_CHUNK;

		ok = PQputCopyData(k->conn, data + off, (int)n) == 1;
	}
	if (PQputCopyEnd(k->conn, NULL) != 1)
		ok = 0;
	/* every result is read, or the connection stays busy */
	while ((res = PQgetResult(k->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && bad == NULL)
			bad = res;
		else
			PQclear(res);
	}
	if (bad != NULL || !ok || PQstatus(k->conn) == CONNECTION_BAD)
		return pg_sink_failed(k, bad, "sending rows with COPY", err);
	return SL_OK;
}

/*
 * Upsert, when no row of the batch is in the table yet (the common case
 * of new keys): one COPY into the table, the server's bulk path, in a
 * savepoint.  1 done, 0 not (rolled back: a key was there, or a row was
 * refused, which the temporary table's way sorts out), SL_ERR.
 */
static int upsert_directly(pg_sink *k, const char *data, size_t len,
			   sl_error *err)
{
	sl_error sub;

	if (k->direct_wait > 0) {
		k->direct_wait--;
		return 0;
	}
	if (pg_sink_exec(k, "SAVEPOINT sluice_direct", "setting a savepoint", err) != SL_OK)
		return SL_ERR;
	if (copy_in(k, k->direct_sql, data, len, &sub) == SL_OK)
		return pg_sink_exec(k, "RELEASE SAVEPOINT sluice_direct",
			    "releasing a savepoint", err) == SL_OK ? 1 : SL_ERR;
	if (sub.kind != SL_ERR_RECORD) {
		*err = sub;
		return SL_ERR;
	}
	k->direct_wait = DIRECT_WAIT;
	if (pg_sink_exec(k, "ROLLBACK TO SAVEPOINT sluice_direct; RELEASE SAVEPOINT "
		 "sluice_direct", "rolling back to a savepoint", err) != SL_OK)
		return SL_ERR;
	return 0;
}

/* Rows in the table: COPY (insert), or upserted. */
int pg_sink_send_rows(pg_sink *k, const char *data, size_t len, sl_error *err)
{
	int rc;

	if (k->apply_sql == NULL)
		return copy_in(k, k->copy_sql, data, len, err);
	if ((rc = upsert_directly(k, data, len, err)) != 0)
		return rc == 1 ? SL_OK : SL_ERR;
	if (copy_in(k, k->copy_sql, data, len, err) != SL_OK)
		return SL_ERR;
	return pg_sink_exec(k, k->apply_sql, "upserting rows", err);
}

/* The row of @p rec as COPY text at the end of k->rows.  SL_OK, SL_SKIP
 * (the record went to the errors policy), or SL_ERR. */
int pg_sink_encode_row(pg_sink *k, const sl_batch *batch, const sl_record *rec,
		      sl_error *err)
{
	size_t start = k->rows.len, i;
	int rc;

	if (k->exprs == NULL && (rec->value == NULL || rec->value->type != SL_TOBJECT))
		return sl_record_error(k->stage, rec, err,
				       "the value is %s, not an object whose "
				       "fields are the columns (a json format "
				       "on the source, or column.NAME options)",
				       rec->value ? sl_type_name(rec->value->type)
						  : "missing");
	for (i = 0; i < k->col_count; i++) {
		sl_value v, *field = &v;
		const sl_value *use;
		sl_error why;

		if (i > 0 && pg_text_append(&k->rows, "\t", 1) != 0)
			goto oom;
		if (k->exprs != NULL) {
			why.kind = SL_ERR_NONE;
			if (sl_expr_eval(k->exprs[i], rec, batch->arena, field,
					 &why) != SL_OK) {
				k->rows.len = start;
				if (why.kind != SL_ERR_RECORD) {
					*err = why;
					return SL_ERR;
				}
				return sl_record_error(k->stage, rec, err,
						       "column.%s: %s", k->cols[i],
						       why.message);
			}
			use = field;
		} else {
			use = sl_value_member(rec->value, k->cols[i]);
		}
		rc = pg_field_append(&k->rows, use, batch->arena);
		if (rc == -2) {
			k->rows.len = start;
			return sl_record_error(k->stage, rec, err,
					       "column %s: a NaN or infinite "
					       "number has no JSON text", k->cols[i]);
		}
		if (rc != 0)
			goto oom;
	}
	if (pg_text_append(&k->rows, "\n", 1) != 0)
		goto oom;
	return SL_OK;
oom:
	k->rows.len = start;
	return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
}

/*
 * Send rows [lo, hi) inside a savepoint; when the server refuses one of
 * them, halve until the refused rows stand alone, and give each to the
 * errors policy.  SL_OK (what was taken is in k->accepted), or SL_ERR.
 */
static int send_range(pg_sink *k, const sl_batch *batch, size_t lo, size_t hi,
		      sl_error *err)
{
	size_t from = k->starts[lo], to = k->starts[hi], mid;
	sl_error sub;

	if (pg_sink_exec(k, "SAVEPOINT sluice_rows", "setting a savepoint", err) != SL_OK)
		return SL_ERR;
	if (pg_sink_send_rows(k, k->rows.data + from, to - from, &sub) == SL_OK) {
		if (pg_sink_exec(k, "RELEASE SAVEPOINT sluice_rows",
			 "releasing a savepoint", err) != SL_OK)
			return SL_ERR;
		if (pg_text_append(&k->accepted, k->rows.data + from, to - from) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return SL_OK;
	}
	if (sub.kind != SL_ERR_RECORD) {
		*err = sub;
		return SL_ERR;
	}
	if (pg_sink_exec(k, "ROLLBACK TO SAVEPOINT sluice_rows; RELEASE SAVEPOINT sluice_rows",
		 "rolling back to a savepoint", err) != SL_OK)
		return SL_ERR;
	if (hi - lo == 1) {
		int rc = sl_record_error(k->stage, &batch->records[k->recs[lo]],
					 err, "table %s refused the row: %s",
					 k->opt.table, sub.message);
		return rc == SL_SKIP ? SL_OK : SL_ERR;
	}
	mid = lo + (hi - lo) / 2;
	if (send_range(k, batch, lo, mid, err) != SL_OK)
		return SL_ERR;
	return send_range(k, batch, mid, hi, err);
}

/*
 * The batch in one COPY, without a savepoint: a subtransaction per batch
 * would slow every statement of a transaction that has more than 64 of
 * them.  When the server refuses the batch the transaction is lost, so
 * it begins again with the rows kept since the last COMMIT, and the
 * batch goes again in halves (send_range) to find the rows at fault.
 */
int pg_sink_send_batch(pg_sink *k, const sl_batch *batch, size_t n, sl_error *err)
{
	sl_error sub;

	if (pg_sink_send_rows(k, k->rows.data, k->starts[n], &sub) == SL_OK) {
		if (pg_text_append(&k->accepted, k->rows.data, k->starts[n]) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return SL_OK;
	}
	if (sub.kind != SL_ERR_RECORD) {
		*err = sub;
		return SL_ERR;
	}
	if (pg_sink_exec(k, "ROLLBACK", "rolling back a refused batch", err) != SL_OK)
		return SL_ERR;
	k->in_txn = 0;
	if (pg_sink_begin(k, err) != SL_OK)
		return SL_ERR;
	if (k->pending.len > 0 &&
	    pg_sink_send_rows(k, k->pending.data, k->pending.len, err) != SL_OK) {
		if (err->kind == SL_ERR_RECORD)
			err->kind = SL_ERR_RUNTIME; /* taken before: not the record's */
		return SL_ERR;
	}
	return send_range(k, batch, 0, n, err);
}

int pg_sink_grow_rows(pg_sink *k, size_t need)
{
	size_t cap = k->row_cap ? k->row_cap : 256;
	size_t *s;
	uint32_t *r;

	if (need < k->row_cap)
		return 0;
	while (cap <= need)
		cap *= 2;
	if ((s = realloc(k->starts, (cap + 1) * sizeof *s)) == NULL)
		return -1;
	k->starts = s;
	if ((r = realloc(k->recs, cap * sizeof *r)) == NULL)
		return -1;
	k->recs = r;
	k->row_cap = cap;
	return 0;
}
