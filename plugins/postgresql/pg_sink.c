/*
 * pg_sink.c - the postgresql sink: each record's decoded value becomes a
 * row of one table, sent with COPY (mode = insert).  Upsert sends a
 * batch the same way, into the table, when none of its keys is there
 * yet; else COPY into a temporary table and one INSERT ... ON CONFLICT
 * DO UPDATE, the last row of a key winning.
 *
 * At-least-once: rows go to the server as they are written, inside one
 * transaction that flush commits; the engine commits input positions
 * only after that.  Until the COMMIT succeeds the sink keeps the rows as
 * COPY text, so that a lost connection loses nothing: the call fails with
 * SL_ERR_RETRIABLE, and the same call made again reconnects, sends the
 * kept rows again in a new transaction and goes on.  Under upsert a
 * replay (after a crash, or a COMMIT whose outcome was lost with the
 * connection) updates rows to what they already are.
 *
 * A row the server refuses (a value its column's type does not take, a
 * NOT NULL or CHECK constraint) is the record's fault: the transaction
 * begins again with the rows taken before, and the batch is sent again
 * in halves, each inside a savepoint, down to the rows at fault, which
 * go to the stage's errors policy; the others are kept.
 *
 * Exactly-once (delivery = exactly-once): flush only makes sure the kept
 * rows are on the server, in the open transaction; txn_commit writes the
 * sources' positions into the table of positions in that transaction
 * (pg_positions.c) and commits both, and txn_position tells a source
 * where the table says a partition goes on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

#define COPY_CHUNK (1u << 20)
#define TEMP_TABLE "pg_temp.sluice_rows"

typedef struct pg_sink {
	sl_stage *stage;
	pg_options opt;
	PGconn *conn;
	int in_txn;
	char *table;       /* quoted */
	char **cols;       /* the columns a row writes */
	size_t col_count;
	int own_cols;      /* cols came from the table, not the options */
	sl_expr **exprs;   /* per column with column.*, else NULL */
	char *temp_sql;    /* upsert: the session's temporary table */
	char *copy_sql;
	char *apply_sql;   /* upsert: temporary table -> table */
	pg_text pending;   /* rows sent since the last COMMIT */
	char *direct_sql;  /* upsert: COPY straight into the table */
	unsigned direct_wait; /* upsert: batches to go before trying it again */
	/* one write's rows */
	pg_text rows;
	pg_text accepted;
	size_t *starts;    /* row i is rows.data[starts[i] .. starts[i + 1]) */
	uint32_t *recs;    /* and came from batch->records[recs[i]] */
	size_t row_cap;
	char why[700];     /* the server's words on the last failure */
	int eos;           /* delivery = exactly-once */
	pg_positions pos;  /* exactly-once: the positions' table */
	pg_shared *shared; /* with the job's store (pg_store.c) */
} pg_sink;

/* The keyed state to send with this sink's rows: the job's store
 * writes into the transaction of one sink only. */
static pg_state *carried(pg_sink *k)
{
	return k->shared->carrier == k ? &k->shared->state : NULL;
}

static void disconnect(pg_sink *k)
{
	if (k->conn != NULL)
		PQfinish(k->conn);
	k->conn = NULL;
	k->in_txn = 0;
}

/*
 * A failed result as an error of the right kind: SL_ERR_RECORD for the
 * row's fault (k->why says what), SL_ERR_RETRIABLE (the connection is
 * dropped, to be made again) or SL_ERR_RUNTIME.
 */
static int failed(pg_sink *k, PGresult *res, const char *doing, sl_error *err)
{
	enum pg_fault f = pg_fault_of(k->conn, res);

	pg_describe(res, k->conn, k->why, sizeof k->why);
	pg_redact(k->opt.conninfo, k->why);
	PQclear(res);
	if (f == PG_FAULT_ROW)
		return sl_error_set(err, SL_ERR_RECORD, "%s", k->why);
	if (f == PG_FAULT_RETRY) {
		disconnect(k);
		return sl_error_set(err, SL_ERR_RETRIABLE,
				    "PostgreSQL failed while %s: %s (the rows "
				    "not yet committed are kept and sent again)",
				    doing, k->why);
	}
	return sl_error_set(err, SL_ERR_RUNTIME, "PostgreSQL failed while %s: %s",
			    doing, k->why);
}

static int exec(pg_sink *k, const char *sql, const char *doing, sl_error *err)
{
	PGresult *res = PQexec(k->conn, sql);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		PQclear(res);
		return SL_OK;
	}
	return failed(k, res, doing, err);
}

/* One COPY of @p len bytes of rows, by @p sql. */
static int copy_in(pg_sink *k, const char *sql, const char *data, size_t len,
		   sl_error *err)
{
	PGresult *res = PQexec(k->conn, sql), *bad = NULL;
	size_t off;
	int ok = 1;

	if (PQresultStatus(res) != PGRES_COPY_IN)
		return failed(k, res, "starting COPY", err);
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
		return failed(k, bad, "sending rows with COPY", err);
	return SL_OK;
}

/* Batches upserted through the temporary table after one whose direct
 * COPY met a row already there: keys come back in streams that update. */
#define DIRECT_WAIT 16

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
	if (exec(k, "SAVEPOINT sluice_direct", "setting a savepoint", err) != SL_OK)
		return SL_ERR;
	if (copy_in(k, k->direct_sql, data, len, &sub) == SL_OK)
		return exec(k, "RELEASE SAVEPOINT sluice_direct",
			    "releasing a savepoint", err) == SL_OK ? 1 : SL_ERR;
	if (sub.kind != SL_ERR_RECORD) {
		*err = sub;
		return SL_ERR;
	}
	k->direct_wait = DIRECT_WAIT;
	if (exec(k, "ROLLBACK TO SAVEPOINT sluice_direct; RELEASE SAVEPOINT "
		 "sluice_direct", "rolling back to a savepoint", err) != SL_OK)
		return SL_ERR;
	return 0;
}

/* Rows in the table: COPY (insert), or upserted. */
static int send_rows(pg_sink *k, const char *data, size_t len, sl_error *err)
{
	int rc;

	if (k->apply_sql == NULL)
		return copy_in(k, k->copy_sql, data, len, err);
	if ((rc = upsert_directly(k, data, len, err)) != 0)
		return rc == 1 ? SL_OK : SL_ERR;
	if (copy_in(k, k->copy_sql, data, len, err) != SL_OK)
		return SL_ERR;
	return exec(k, k->apply_sql, "upserting rows", err);
}

static int begin(pg_sink *k, sl_error *err)
{
	if (k->in_txn)
		return SL_OK;
	if (exec(k, "BEGIN", "beginning a transaction", err) != SL_OK)
		return SL_ERR;
	k->in_txn = 1;
	return SL_OK;
}

static int connect_server(pg_sink *k, sl_error *err)
{
	if ((k->conn = pg_connect(k->opt.conninfo, err)) == NULL)
		return SL_ERR;
	k->in_txn = 0;
	pg_state_connected(&k->shared->state);
	if (k->temp_sql != NULL &&
	    exec(k, k->temp_sql, "creating the temporary table of upserts",
		 err) != SL_OK)
		return SL_ERR;
	return SL_OK;
}

/*
 * Connected, in a transaction that holds every row kept since the last
 * COMMIT: after a lost connection, those rows are sent again.
 */
static int ready(pg_sink *k, sl_error *err)
{
	if (k->conn != NULL)
		return SL_OK;
	if (connect_server(k, err) != SL_OK)
		return SL_ERR;
	if (k->pending.len == 0)
		return SL_OK;
	sl_log(k->stage, SL_LOG_INFO, "reconnected; sending again the %zu "
	       "bytes of rows not yet committed", k->pending.len);
	if (begin(k, err) != SL_OK ||
	    send_rows(k, k->pending.data, k->pending.len, err) != SL_OK) {
		if (err->kind == SL_ERR_RECORD)
			err->kind = SL_ERR_RUNTIME; /* taken before: not the record's */
		return SL_ERR;
	}
	return SL_OK;
}

/* The row of @p rec as COPY text at the end of k->rows.  SL_OK, SL_SKIP
 * (the record went to the errors policy), or SL_ERR. */
static int encode_row(pg_sink *k, const sl_batch *batch, const sl_record *rec,
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

	if (exec(k, "SAVEPOINT sluice_rows", "setting a savepoint", err) != SL_OK)
		return SL_ERR;
	if (send_rows(k, k->rows.data + from, to - from, &sub) == SL_OK) {
		if (exec(k, "RELEASE SAVEPOINT sluice_rows",
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
	if (exec(k, "ROLLBACK TO SAVEPOINT sluice_rows; RELEASE SAVEPOINT sluice_rows",
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
static int send_batch(pg_sink *k, const sl_batch *batch, size_t n, sl_error *err)
{
	sl_error sub;

	if (send_rows(k, k->rows.data, k->starts[n], &sub) == SL_OK) {
		if (pg_text_append(&k->accepted, k->rows.data, k->starts[n]) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return SL_OK;
	}
	if (sub.kind != SL_ERR_RECORD) {
		*err = sub;
		return SL_ERR;
	}
	if (exec(k, "ROLLBACK", "rolling back a refused batch", err) != SL_OK)
		return SL_ERR;
	k->in_txn = 0;
	if (begin(k, err) != SL_OK)
		return SL_ERR;
	if (k->pending.len > 0 &&
	    send_rows(k, k->pending.data, k->pending.len, err) != SL_OK) {
		if (err->kind == SL_ERR_RECORD)
			err->kind = SL_ERR_RUNTIME; /* taken before: not the record's */
		return SL_ERR;
	}
	return send_range(k, batch, 0, n, err);
}

static int grow_rows(pg_sink *k, size_t need)
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

static int write_once(pg_sink *k, const sl_batch *batch, sl_error *err)
{
	size_t n = 0;
	uint32_t i;
	int rc = SL_OK, stop = 0;
	sl_error record_err;

	if (ready(k, err) != SL_OK)
		return SL_ERR;
	k->rows.len = 0;
	k->accepted.len = 0;
	if (grow_rows(k, batch->count) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; i < batch->count; i++) {
		k->starts[n] = k->rows.len;
		rc = encode_row(k, batch, &batch->records[i], &record_err);
		if (rc == SL_SKIP)
			continue;
		if (rc != SL_OK) {
			/* the rows before this record still go out */
			stop = 1;
			break;
		}
		k->recs[n++] = i;
	}
	k->starts[n] = k->rows.len;
	if (n > 0 && (begin(k, err) != SL_OK ||
		      send_batch(k, batch, n, err) != SL_OK)) {
		if (err->kind == SL_ERR_RETRIABLE)
			return SL_ERR; /* the same call, made again, resends */
		stop = 0;
		rc = SL_ERR;
	} else if (stop) {
		*err = record_err;
	}
	if (pg_text_append(&k->pending, k->accepted.data, k->accepted.len) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	return rc == SL_OK || rc == SL_SKIP ? SL_OK : SL_ERR;
}

/* What was sent since the last COMMIT: committed, or gone with its
 * transaction (the engine reads its records again). */
static void forget_rows(pg_sink *k)
{
	k->pending.len = 0;
	if (carried(k) != NULL)
		pg_state_forget(carried(k));
}

/* The store's changes, in the open transaction. */
static int send_state(pg_sink *k, sl_error *err)
{
	if (pg_state_send(k->conn, carried(k), err) == SL_OK)
		return SL_OK;
	if (err->kind == SL_ERR_RETRIABLE)
		disconnect(k);
	return SL_ERR;
}

static int flush_once(pg_sink *k, sl_error *err)
{
	PGresult *res;

	if (k->conn == NULL && k->pending.len == 0)
		return SL_OK;
	if (ready(k, err) != SL_OK)
		return SL_ERR;
	/* exactly-once: the rows commit with their positions, in txn_commit */
	if (k->eos)
		return SL_OK;
	if (carried(k) != NULL && carried(k)->changes.len > 0 &&
	    (begin(k, err) != SL_OK || send_state(k, err) != SL_OK))
		return SL_ERR;
	if (!k->in_txn)
		return SL_OK;
	res = PQexec(k->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return failed(k, res, "committing", err);
	/* COMMIT of a transaction in error answers ROLLBACK */
	if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		PQclear(res);
		disconnect(k);
		return sl_error_set(err, SL_ERR_RUNTIME, "PostgreSQL rolled the "
				    "transaction back instead of committing it");
	}
	PQclear(res);
	k->in_txn = 0;
	forget_rows(k);
	return SL_OK;
}

/*
 * A connection that was up and broke during the call (the server
 * restarted, or ended the session) is made again at once, once: the
 * rows kept since the last COMMIT go again and the call goes on.  A
 * server still down fails the call with SL_ERR_RETRIABLE, everything
 * kept, for the engine to call again later.
 */
static int again(pg_sink *k, int was_up, sl_error *err)
{
	if (!was_up || err->kind != SL_ERR_RETRIABLE)
		return 0;
	sl_log(k->stage, SL_LOG_WARN, "%s; reconnecting", err->message);
	return 1;
}

static int pg_write(void *self, const sl_batch *batch, sl_error *err)
{
	pg_sink *k = self;
	int was_up = k->conn != NULL;

	if (write_once(k, batch, err) == SL_OK)
		return SL_OK;
	return again(k, was_up, err) ? write_once(k, batch, err) : SL_ERR;
}

static int pg_flush(void *self, int timeout_ms, sl_error *err)
{
	pg_sink *k = self;
	int was_up = k->conn != NULL;

	(void)timeout_ms;
	if (flush_once(k, err) == SL_OK)
		return SL_OK;
	return again(k, was_up, err) ? flush_once(k, err) : SL_ERR;
}

static int pg_txn_begin(void *self, sl_error *err)
{
	(void)self;
	(void)err;
	return SL_OK; /* the transaction begins with its first row */
}

/*
 * The COMMIT's answer was lost with the connection: on a new one, the
 * table of positions says whether it happened.  When it cannot be told,
 * the engine aborts and reads again from its last commit; the instance
 * still expects the positions from before, so the next commit finds out
 * (a row that moved does not match, and the job starts again from the
 * table).
 */
static int resolve(pg_sink *k, const sl_txn *txn, const sl_error *why,
		   sl_error *err)
{
	sl_error sub;
	int rc;

	forget_rows(k);
	if (connect_server(k, &sub) != SL_OK)
		return sl_error_set(err, SL_ERR_ABORTABLE, "%s; whether the COMMIT "
				    "happened is not known (%s)", why->message,
				    sub.message);
	rc = pg_positions_resolve(k->conn, &k->pos, txn, &sub);
	if (rc == 1) {
		sl_log(k->stage, SL_LOG_WARN, "%s; the table of positions shows "
		       "that the COMMIT happened", why->message);
		pg_positions_committed(&k->pos, txn);
		return SL_OK;
	}
	if (rc == 0)
		return sl_error_set(err, SL_ERR_ABORTABLE, "%s; the table of "
				    "positions shows that the COMMIT did not "
				    "happen", why->message);
	if (rc == 2)
		return sl_error_set(err, SL_ERR_RESTART, "%s; another instance "
				    "moved the stored positions since: the job "
				    "starts again from them", why->message);
	disconnect(k);
	return sl_error_set(err, SL_ERR_ABORTABLE, "%s; whether the COMMIT "
			    "happened is not known (%s)", why->message, sub.message);
}

/* A failure before the COMMIT: nothing committed.  The connection's or
 * the server's aborts the transaction (the engine reads its records
 * again); any other stops the job. */
static int not_committed(pg_sink *k, sl_error *why, sl_error *err)
{
	*err = *why;
	if (why->kind == SL_ERR_RETRIABLE || why->kind == SL_ERR_RECORD) {
		forget_rows(k);
		err->kind = SL_ERR_ABORTABLE;
	}
	return SL_ERR;
}

/* The rows on the server (sent again on a new connection) and the
 * positions moved, in the open transaction. */
static int before_commit(pg_sink *k, const sl_txn *txn, char *conflict,
			 size_t size, sl_error *err)
{
	if (ready(k, err) != SL_OK || begin(k, err) != SL_OK)
		return SL_ERR;
	if (carried(k) != NULL && send_state(k, err) != SL_OK)
		return SL_ERR;
	if (pg_positions_write(k->conn, &k->pos, txn, conflict, size, err) == SL_OK)
		return SL_OK;
	if (err->kind == SL_ERR_RETRIABLE)
		disconnect(k);
	return SL_ERR;
}

static int pg_txn_commit(void *self, const sl_txn *txn, sl_error *err)
{
	pg_sink *k = self;
	char conflict[600];
	PGresult *res;
	sl_error why;
	int was_up = k->conn != NULL;

	if (before_commit(k, txn, conflict, sizeof conflict, &why) != SL_OK &&
	    (!again(k, was_up, &why) ||
	     before_commit(k, txn, conflict, sizeof conflict, &why) != SL_OK))
		return not_committed(k, &why, err);
	if (conflict[0] != '\0') {
		if (exec(k, "ROLLBACK", "rolling back", &why) == SL_OK)
			k->in_txn = 0;
		forget_rows(k);
		/* the engine's rewind would go back to its own last commit:
		 * opened again, the sources start where the table says */
		return sl_error_set(err, SL_ERR_RESTART, "%s: the transaction "
				    "was not committed, and the job starts again "
				    "from the stored positions", conflict);
	}
	res = PQexec(k->conn, "COMMIT");
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		int committed = strcmp(PQcmdStatus(res), "COMMIT") == 0;

		PQclear(res);
		k->in_txn = 0;
		forget_rows(k);
		if (!committed)
			return sl_error_set(err, SL_ERR_ABORTABLE, "PostgreSQL rolled "
					    "the transaction back instead of "
					    "committing it");
		pg_positions_committed(&k->pos, txn);
		return SL_OK;
	}
	if (pg_fault_of(k->conn, res) != PG_FAULT_RETRY) {
		failed(k, res, "committing", err);
		err->kind = SL_ERR_RUNTIME;
		return SL_ERR;
	}
	failed(k, res, "committing", &why); /* and disconnected */
	return resolve(k, txn, &why, err);
}

static int pg_txn_abort(void *self, sl_error *err)
{
	pg_sink *k = self;
	sl_error ignored;

	if (k->conn != NULL && k->in_txn &&
	    exec(k, "ROLLBACK", "rolling back", &ignored) != SL_OK)
		disconnect(k);
	k->in_txn = 0;
	forget_rows(k);
	/*
	 * The engine rewinds each source to the positions it committed
	 * itself; a partition this instance has not committed yet goes back
	 * to its Kafka group's offsets, which follow the table only for
	 * monitoring and may be behind it.  Opened again, the sources start
	 * where the table says.
	 */
	if (pg_positions_fresh(&k->pos))
		return sl_error_set(err, SL_ERR_RESTART, "the transaction was "
				    "aborted before this instance committed "
				    "every partition it was assigned: the job "
				    "starts again from the stored positions");
	return SL_OK;
}

static int pg_txn_position(void *self, const char *source, const char *topic,
			   int32_t partition, int64_t *next_offset, sl_error *err)
{
	pg_sink *k = self;
	int rc;

	if (ready(k, err) != SL_OK)
		return SL_ERR;
	rc = pg_positions_read(k->conn, &k->pos, source, topic, partition,
			       next_offset, err);
	if (rc < 0 && PQstatus(k->conn) == CONNECTION_BAD)
		disconnect(k);
	if (rc == 1)
		sl_log(k->stage, SL_LOG_DEBUG, "topic %s partition %d: stored "
		       "next offset %lld", topic, (int)partition,
		       (long long)*next_offset);
	return rc;
}

static void free_names(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static void pg_close(void *self)
{
	pg_sink *k = self;
	size_t i;

	if (k == NULL)
		return;
	disconnect(k);
	if (k->exprs != NULL)
		for (i = 0; i < k->col_count; i++)
			sl_expr_free(k->exprs[i]);
	free(k->exprs);
	if (k->own_cols)
		free_names(k->cols, k->col_count);
	free(k->table);
	free(k->temp_sql);
	free(k->copy_sql);
	free(k->apply_sql);
	free(k->direct_sql);
	pg_text_free(&k->pending);
	pg_text_free(&k->rows);
	pg_text_free(&k->accepted);
	free(k->starts);
	free(k->recs);
	pg_positions_free(&k->pos);
	if (k->shared != NULL && k->shared->carrier == k) {
		pg_state_forget(&k->shared->state);
		k->shared->carrier = NULL;
	}
	pg_shared_put(k->shared);
	pg_options_free(&k->opt);
	free(k);
}

static int has_name(char *const *names, size_t count, const char *name)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

static char *printf_dup(const char *fmt, ...) SL_PRINTF(1, 2);
static char *printf_dup(const char *fmt, ...)
{
	va_list ap;
	int len;
	char *s;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (s = malloc((size_t)len + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* "c" = EXCLUDED."c" for every column that is not a key. */
static char *update_list(pg_sink *k)
{
	pg_text t = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < k->col_count; i++) {
		char *q;
		int bad;

		if (has_name(k->opt.keys, k->opt.key_count, k->cols[i]))
			continue;
		if ((q = PQescapeIdentifier(k->conn, k->cols[i], strlen(k->cols[i]))) == NULL)
			break;
		bad = (t.len > 0 && pg_text_append(&t, ", ", 2) != 0) ||
		      pg_text_append(&t, q, strlen(q)) != 0 ||
		      pg_text_append(&t, " = EXCLUDED.", 12) != 0 ||
		      pg_text_append(&t, q, strlen(q)) != 0;
		PQfreemem(q);
		if (bad)
			break;
	}
	if (i < k->col_count || pg_text_append(&t, "", 1) != 0) {
		pg_text_free(&t);
		return NULL;
	}
	return t.data;
}

static int build_sql(pg_sink *k, sl_error *err)
{
	char *cols = pg_quote_list(k->conn, k->cols, k->col_count, "", "");
	char *keys = NULL, *set = NULL;
	int rc = SL_ERR;

	if (cols == NULL)
		goto out;
	if (!k->opt.upsert) {
		k->copy_sql = printf_dup("COPY %s (%s) FROM STDIN", k->table, cols);
		rc = k->copy_sql ? SL_OK : SL_ERR;
		goto out;
	}
	if ((keys = pg_quote_list(k->conn, k->opt.keys, k->opt.key_count, "", "")) == NULL ||
	    (set = update_list(k)) == NULL)
		goto out;
	/* the temporary table has the columns' types and no constraint: a
	 * refused value or constraint shows in the INSERT */
	k->temp_sql = printf_dup(
		"CREATE TEMP TABLE sluice_rows ON COMMIT DELETE ROWS AS "
		"SELECT %s FROM %s WITH NO DATA; "
		"ALTER TABLE " TEMP_TABLE " ADD COLUMN \"sluice.seq\" bigint "
		"GENERATED ALWAYS AS IDENTITY",
		cols, k->table);
	/* the rows in the order sent: the identity numbers them */
	k->copy_sql = printf_dup("COPY " TEMP_TABLE " (%s) FROM STDIN", cols);
	k->direct_sql = printf_dup("COPY %s (%s) FROM STDIN", k->table, cols);
	/* one row per key, the last written: ON CONFLICT DO UPDATE cannot
	 * touch a row twice in one statement.  TRUNCATE, not DELETE: the
	 * dead rows of a DELETE would be scanned by every later batch of
	 * the transaction (10 s instead of 8 for a million rows) */
	k->apply_sql = printf_dup(
		"INSERT INTO %s (%s) SELECT DISTINCT ON (%s) %s FROM " TEMP_TABLE
		" ORDER BY %s, \"sluice.seq\" DESC ON CONFLICT (%s) DO %s%s; "
		"TRUNCATE " TEMP_TABLE,
		k->table, cols, keys, cols, keys, keys,
		set[0] ? "UPDATE SET " : "NOTHING", set);
	rc = k->temp_sql && k->copy_sql && k->apply_sql && k->direct_sql ?
		SL_OK : SL_ERR;
out:
	free(cols);
	free(keys);
	free(set);
	return rc == SL_OK ? SL_OK : sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
}

/* The columns of the options, or of the table; every key among them. */
static int choose_columns(pg_sink *k, sl_error *err)
{
	size_t n, i;
	char **have = pg_table_columns(k->conn, k->table, &n, err);

	if (have == NULL)
		return SL_ERR;
	if (k->opt.column_count == 0) {
		k->cols = have;
		k->col_count = n;
		k->own_cols = 1;
	} else {
		for (i = 0; i < k->opt.column_count; i++)
			if (!has_name(have, n, k->opt.columns[i])) {
				char key[300];

				snprintf(key, sizeof key, "column.%s", k->opt.columns[i]);
				free_names(have, n);
				return sl_config_error(k->stage, key, err,
						       "table %s has no column %s",
						       k->opt.table, k->opt.columns[i]);
			}
		free_names(have, n);
		k->cols = k->opt.columns;
		k->col_count = k->opt.column_count;
	}
	for (i = 0; i < k->opt.key_count; i++)
		if (!has_name(k->cols, k->col_count, k->opt.keys[i]))
			return sl_config_error(k->stage, "key.columns", err,
					       "names %s, not a column of table %s",
					       k->opt.keys[i], k->opt.table);
	return SL_OK;
}

static int compile_columns(pg_sink *k, sl_error *err)
{
	size_t i;

	if (k->opt.column_count == 0)
		return SL_OK;
	if ((k->exprs = calloc(k->opt.column_count, sizeof *k->exprs)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; i < k->opt.column_count; i++) {
		char key[300];

		snprintf(key, sizeof key, "column.%s", k->opt.columns[i]);
		if ((k->exprs[i] = sl_expr_compile(k->stage, key, err)) == NULL)
			return SL_ERR;
	}
	return SL_OK;
}

/* Under upsert, the conflict target must match a unique index: asked
 * once, with no row, so that a mistake is refused before any record. */
static int check_target(pg_sink *k, sl_error *err)
{
	sl_error why;

	if (k->apply_sql == NULL)
		return SL_OK;
	if (exec(k, "BEGIN", "checking key.columns", err) != SL_OK)
		return SL_ERR;
	why.kind = SL_ERR_NONE;
	if (exec(k, k->apply_sql, "checking key.columns", &why) != SL_OK) {
		if (why.kind == SL_ERR_RETRIABLE) {
			*err = why;
			return SL_ERR;
		}
		return sl_config_error(k->stage, "key.columns", err,
				       "cannot be the conflict target on table "
				       "%s: %s", k->opt.table, k->why);
	}
	return exec(k, "ROLLBACK", "checking key.columns", err);
}

static int pg_open(sl_stage *stage, void **self, sl_error *err)
{
	pg_sink *k = calloc(1, sizeof *k);

	if (k == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	k->stage = stage;
	if (pg_options_read(stage, &k->opt, err) != SL_OK) {
		free(k);
		return SL_ERR;
	}
	if ((k->shared = pg_shared_get(sl_job_name(stage), k->opt.conninfo)) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		goto fail;
	}
	if (compile_columns(k, err) != SL_OK || connect_server(k, err) != SL_OK)
		goto fail;
	if ((k->table = pg_quote_table(k->conn, k->opt.table)) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "cannot quote table name: %s",
			     PQerrorMessage(k->conn));
		goto fail;
	}
	if (choose_columns(k, err) != SL_OK || build_sql(k, err) != SL_OK)
		goto fail;
	if (k->temp_sql != NULL &&
	    exec(k, k->temp_sql, "creating the temporary table of upserts",
		 err) != SL_OK)
		goto fail;
	if (check_target(k, err) != SL_OK)
		goto fail;
	k->eos = sl_job_delivery(stage) == SL_DELIVERY_EXACTLY_ONCE;
	if (k->eos) {
		k->pos.job = sl_job_name(stage);
		if ((k->pos.table = pg_quote_table(k->conn, k->opt.offsets_table)) == NULL) {
			sl_error_set(err, SL_ERR_RUNTIME, "cannot quote table "
				     "name: %s", PQerrorMessage(k->conn));
			goto fail;
		}
		if (pg_positions_prepare(k->conn, &k->pos, err) != SL_OK)
			goto fail;
	}
	if (k->shared->carrier == NULL) {
		k->shared->carrier = k;
		k->shared->flush = pg_flush;
	}
	sl_log(stage, SL_LOG_INFO, "writing %zu columns to table %s (%s)%s%s",
	       k->col_count, k->opt.table, k->opt.upsert ? "upsert" : "insert",
	       k->eos ? ", the input's positions to table " : "",
	       k->eos ? k->opt.offsets_table : "");
	*self = k;
	return SL_OK;
fail:
	pg_close(k);
	return SL_ERR;
}

static int pg_check(const sl_stage *stage, sl_error *err)
{
	pg_options o;

	if (pg_options_read(stage, &o, err) != SL_OK)
		return SL_ERR;
	pg_options_free(&o);
	return SL_OK;
}

static const sl_sink_class pg_sink_class = {
	.struct_size = sizeof(sl_sink_class),
	.open = pg_open,
	.write = pg_write,
	.flush = pg_flush,
	.close = pg_close,
	.check = pg_check,
	.txn_begin = pg_txn_begin,
	.txn_commit = pg_txn_commit,
	.txn_abort = pg_txn_abort,
	.txn_position = pg_txn_position,
};

SL_PLUGIN("postgresql", .sink = &pg_sink_class, .store = &pg_store_class)
