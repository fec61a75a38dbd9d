/*
 * pg_stream.c - the postgresql sink's batches streamed into one COPY left open
 * until the flush, and what happens when the server refuses one of them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_sink.h"

/*
 * The jobs' sinks (job/stage) of this process that met a refused row
 * while streaming: opened again, they send batch by batch, for as long
 * as the process lives.  A refused row is rare; finding it again after
 * every restart would be slower than never streaming.
 */
static pthread_mutex_t careful_lock = PTHREAD_MUTEX_INITIALIZER;
static char **careful_sinks;
static size_t careful_count;

static int careful_name(const sl_stage *stage, char *out, size_t size)
{
	return snprintf(out, size, "%s/%s", sl_job_name(stage),
			sl_stage_name(stage)) < (int)size;
}

int pg_sink_careful_before(const sl_stage *stage)
{
	char name[600];
	size_t i;
	int found = 0;

	if (!careful_name(stage, name, sizeof name))
		return 1;
	pthread_mutex_lock(&careful_lock);
	for (i = 0; i < careful_count && !found; i++)
		found = strcmp(careful_sinks[i], name) == 0;
	pthread_mutex_unlock(&careful_lock);
	return found;
}

static void remember_careful(const sl_stage *stage)
{
	char name[600], **grown, *copy;

	if (pg_sink_careful_before(stage) || !careful_name(stage, name, sizeof name))
		return;
	pthread_mutex_lock(&careful_lock);
	grown = realloc(careful_sinks, (careful_count + 1) * sizeof *grown);
	if (grown != NULL) {
		careful_sinks = grown;
		if ((copy = strdup(name)) != NULL)
			careful_sinks[careful_count++] = copy;
	}
	pthread_mutex_unlock(&careful_lock);
}

/*
 * The server refused a row sent while streaming, or sent again after a
 * lost connection, whose record is gone: the transaction is lost, and
 * the job starts again from its last commit, this sink batch by batch,
 * so that the refused row is found with its record and goes to the
 * errors policy.
 */
int pg_sink_refused_unknown(pg_sink *k, sl_error *err)
{
	char why[SL_ERROR_MAX];

	snprintf(why, sizeof why, "%s", err->message);
	remember_careful(k->stage);
	k->careful = 1;
	pg_sink_disconnect(k);
	pg_sink_forget(k);
	return sl_error_set(err, SL_ERR_RESTART, "table %s refused a row sent "
			    "since the last commit (%s): the job starts again "
			    "from it, and this sink sends batch by batch to "
			    "find the row", k->opt.table, why);
}

/*
 * Streaming: unless the sink is careful, batches go into one COPY left
 * open until the flush, so that the server stores a batch while the
 * next one is read and decoded, and a cycle's rows cost one COPY instead
 * of one per batch (the server sets up each COPY for its largest batch).
 * The server's verdict on the rows comes at the flush; the rows are kept
 * as ever, and a refused one makes the job start again from its last
 * commit, batch by batch (pg_sink_refused_unknown).
 */
int pg_sink_stream(pg_sink *k, const char *data, size_t len, sl_error *err)
{
	size_t off;

	if (k->streaming == NULL) {
		const char *sql = k->apply_sql != NULL && k->direct_wait == 0 ?
			k->direct_sql : k->copy_sql;
		PGresult *res = PQexec(k->conn, sql);

		if (PQresultStatus(res) != PGRES_COPY_IN)
			return pg_sink_failed(k, res, "starting COPY", err);
		PQclear(res);
		k->streaming = sql;
	}
	for (off = 0; off < len; off += COPY_CHUNK) {
		size_t n = len - off < COPY_CHUNK ? len - off : COPY_CHUNK;

		if (PQputCopyData(k->conn, data + off, (int)n) != 1)
			return pg_sink_failed(k, NULL, "sending rows with COPY", err);
	}
	return SL_OK;
}

/* The streamed COPY ended, and its rows in the table (upserted, when
 * they went to the temporary table). */
int pg_sink_end_stream(pg_sink *k, sl_error *err)
{
	const char *sql = k->streaming;
	PGresult *res, *bad = NULL;
	int ok;
	sl_error sub;

	if (sql == NULL)
		return SL_OK;
	k->streaming = NULL;
	ok = PQputCopyEnd(k->conn, NULL) == 1;
	while ((res = PQgetResult(k->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && bad == NULL)
			bad = res;
		else
			PQclear(res);
	}
	if (bad == NULL && ok && PQstatus(k->conn) != CONNECTION_BAD) {
		if (k->direct_wait > 0)
			k->direct_wait--;
		if (sql != k->copy_sql || k->apply_sql == NULL)
			return SL_OK;
		return pg_sink_exec(k, k->apply_sql, "upserting rows", err);
	}
	if (pg_sink_failed(k, bad, "sending rows with COPY", &sub) == SL_OK ||
	    sub.kind != SL_ERR_RECORD) {
		*err = sub;
		return SL_ERR;
	}
	/* upsert met a key already there: the cycle's rows again, the
	 * temporary table's way */
	if (sql == k->direct_sql) {
		sl_log(k->stage, SL_LOG_DEBUG, "the streamed rows met a key "
		       "already in table %s: the cycle's rows go again, upserted",
		       k->opt.table);
		k->direct_wait = DIRECT_WAIT;
		if (pg_sink_exec(k, "ROLLBACK", "rolling back", err) != SL_OK)
			return SL_ERR;
		k->in_txn = 0;
		if (pg_sink_begin(k, err) != SL_OK)
			return SL_ERR;
		if (pg_sink_send_rows(k, k->pending.data, k->pending.len, &sub) == SL_OK)
			return SL_OK;
		if (sub.kind != SL_ERR_RECORD) {
			*err = sub;
			return SL_ERR;
		}
	}
	*err = sub;
	return pg_sink_refused_unknown(k, err);
}
