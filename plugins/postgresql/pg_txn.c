/*
 * pg_txn.c - exactly-once: the postgresql sink's transaction hooks, its rows
 * and the input's positions committed together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_sink.h"

int pg_txn_begin(void *self, sl_error *err)
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

	pg_sink_forget(k);
	if (pg_sink_connect(k, &sub) != SL_OK)
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
	pg_sink_disconnect(k);
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
		pg_sink_forget(k);
		err->kind = SL_ERR_ABORTABLE;
	}
	return SL_ERR;
}

/* The rows on the server (sent again on a new connection) and the
 * positions moved, in the open transaction. */
static int before_commit(pg_sink *k, const sl_txn *txn, char *conflict,
			 size_t size, sl_error *err)
{
	if (pg_sink_ready(k, err) != SL_OK || pg_sink_end_stream(k, err) != SL_OK ||
	    pg_sink_begin(k, err) != SL_OK)
		return SL_ERR;
	if (pg_sink_state(k) != NULL && pg_sink_send_state(k, err) != SL_OK)
		return SL_ERR;
	if (pg_positions_write(k->conn, &k->pos, txn, conflict, size, err) == SL_OK)
		return SL_OK;
	if (err->kind == SL_ERR_RETRIABLE)
		pg_sink_disconnect(k);
	return SL_ERR;
}

int pg_txn_commit(void *self, const sl_txn *txn, sl_error *err)
{
	pg_sink *k = self;
	char conflict[600];
	PGresult *res;
	sl_error why;
	int was_up = k->conn != NULL;

	if (before_commit(k, txn, conflict, sizeof conflict, &why) != SL_OK &&
	    (!pg_sink_again(k, was_up, &why) ||
	     before_commit(k, txn, conflict, sizeof conflict, &why) != SL_OK))
		return not_committed(k, &why, err);
	if (conflict[0] != '\0') {
		if (pg_sink_exec(k, "ROLLBACK", "rolling back", &why) == SL_OK)
			k->in_txn = 0;
		pg_sink_forget(k);
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
		pg_sink_forget(k);
		if (!committed)
			return sl_error_set(err, SL_ERR_ABORTABLE, "PostgreSQL rolled "
					    "the transaction back instead of "
					    "committing it");
		pg_positions_committed(&k->pos, txn);
			return SL_OK;
	}
	if (pg_fault_of(k->conn, res) != PG_FAULT_RETRY) {
		pg_sink_failed(k, res, "committing", err);
		err->kind = SL_ERR_RUNTIME;
		return SL_ERR;
	}
	pg_sink_failed(k, res, "committing", &why); /* and disconnected */
	return resolve(k, txn, &why, err);
}

int pg_txn_abort(void *self, sl_error *err)
{
	pg_sink *k = self;
	sl_error ignored;

	/* a COPY still open: the session goes, and the transaction with it */
	if (k->streaming != NULL)
		pg_sink_disconnect(k);
	if (k->conn != NULL && k->in_txn &&
	    pg_sink_exec(k, "ROLLBACK", "rolling back", &ignored) != SL_OK)
		pg_sink_disconnect(k);
	k->in_txn = 0;
	pg_sink_forget(k);
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

int pg_txn_position(void *self, const char *source, const char *topic,
			   int32_t partition, int64_t *next_offset, sl_error *err)
{
	pg_sink *k = self;
	int rc;

	if (pg_sink_ready(k, err) != SL_OK || pg_sink_end_stream(k, err) != SL_OK)
		return SL_ERR;
	rc = pg_positions_read(k->conn, &k->pos, source, topic, partition,
			       next_offset, err);
	if (rc < 0 && PQstatus(k->conn) == CONNECTION_BAD)
		pg_sink_disconnect(k);
	if (rc == 1)
		sl_log(k->stage, SL_LOG_DEBUG, "topic %s partition %d: stored "
		       "next offset %lld", topic, (int)partition,
		       (long long)*next_offset);
	return rc;
}
