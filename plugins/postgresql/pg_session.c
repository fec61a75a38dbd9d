/*
 * pg_session.c - the postgresql sink's connection: made again when lost, with
 * the rows kept since the last COMMIT sent again; its transaction; and
 * the store's state changes it carries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_sink.h"

/* The keyed state to send with this sink's rows: the job's store
 * writes into the transaction of one sink only. */
pg_state *pg_sink_state(pg_sink *k)
{
	return k->shared->carrier == k ? &k->shared->state : NULL;
}

void pg_sink_disconnect(pg_sink *k)
{
	if (k->conn != NULL)
		PQfinish(k->conn);
	k->conn = NULL;
	k->in_txn = 0;
	k->streaming = NULL;
}

/*
 * A failed result as an error of the right kind: SL_ERR_RECORD for the
 * row's fault (k->why says what), SL_ERR_RETRIABLE (the connection is
 * dropped, to be made again) or SL_ERR_RUNTIME.
 */
int pg_sink_failed(pg_sink *k, PGresult *res, const char *doing, sl_error *err)
{
	enum pg_fault f = pg_fault_of(k->conn, res);

	pg_describe(res, k->conn, k->why, sizeof k->why);
	pg_redact(k->opt.conninfo, k->why);
	PQclear(res);
	if (f == PG_FAULT_ROW)
		return sl_error_set(err, SL_ERR_RECORD, "%s", k->why);
	if (f == PG_FAULT_RETRY) {
		pg_sink_disconnect(k);
		return sl_error_set(err, SL_ERR_RETRIABLE,
				    "PostgreSQL failed while %s: %s (the rows "
				    "not yet committed are kept and sent again)",
				    doing, k->why);
	}
	return sl_error_set(err, SL_ERR_RUNTIME, "PostgreSQL failed while %s: %s",
			    doing, k->why);
}

int pg_sink_exec(pg_sink *k, const char *sql, const char *doing, sl_error *err)
{
	PGresult *res = PQexec(k->conn, sql);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		PQclear(res);
		return SL_OK;
	}
	return pg_sink_failed(k, res, doing, err);
}

int pg_sink_begin(pg_sink *k, sl_error *err)
{
	if (k->in_txn)
		return SL_OK;
	if (pg_sink_exec(k, "BEGIN", "beginning a transaction", err) != SL_OK)
		return SL_ERR;
	k->in_txn = 1;
	return SL_OK;
}

int pg_sink_connect(pg_sink *k, sl_error *err)
{
	if ((k->conn = pg_connect(k->opt.conninfo, err)) == NULL)
		return SL_ERR;
	k->in_txn = 0;
	pg_state_connected(&k->shared->state);
	if (k->temp_sql != NULL &&
	    pg_sink_exec(k, k->temp_sql, "creating the temporary table of upserts",
		 err) != SL_OK)
		return SL_ERR;
	return SL_OK;
}

/* What was sent since the last COMMIT: committed, or gone with its
 * transaction (the engine reads its records again). */
void pg_sink_forget(pg_sink *k)
{
	k->pending.len = 0;
	if (pg_sink_state(k) != NULL)
		pg_state_forget(pg_sink_state(k));
}

/* The store's changes, in the open transaction. */
int pg_sink_send_state(pg_sink *k, sl_error *err)
{
	if (pg_state_send(k->conn, pg_sink_state(k), err) == SL_OK)
		return SL_OK;
	if (err->kind == SL_ERR_RETRIABLE)
		pg_sink_disconnect(k);
	return SL_ERR;
}

/*
 * Connected, in a transaction that holds every row kept since the last
 * COMMIT: after a lost connection, those rows are sent again.
 */
int pg_sink_ready(pg_sink *k, sl_error *err)
{
	if (k->conn != NULL)
		return SL_OK;
	if (pg_sink_connect(k, err) != SL_OK)
		return SL_ERR;
	if (k->pending.len == 0)
		return SL_OK;
	sl_log(k->stage, SL_LOG_INFO, "reconnected; sending again the %zu "
	       "bytes of rows not yet committed", k->pending.len);
	if (pg_sink_begin(k, err) != SL_OK ||
	    pg_sink_send_rows(k, k->pending.data, k->pending.len, err) != SL_OK) {
		if (err->kind == SL_ERR_RECORD)
			return pg_sink_refused_unknown(k, err);
		return SL_ERR;
	}
	return SL_OK;
}
