/*
 * pg_state.c - keyed state in a table of the database (state.table),
 * written in the transaction of the sink's rows.
 *
 * One table holds the state of every stateful stage of every job:
 * (job, stage, partition, key) -> value.  The changes of a commit are
 * kept here as COPY text until the sink's transaction commits them: a
 * lost connection resends them with the rows, an aborted transaction
 * forgets them (the engine reads the state back and processes its
 * records again).  The row of partition -1 holds how many partitions the
 * stage's state was written with: keys follow their input partition, so
 * a stage whose input changed its partition count cannot use the rows.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/decimal.h>

#include "pg_internal.h"

#define CHANGES "pg_temp.sluice_state_changes"

void pg_state_connected(pg_state *st)
{
	st->temp_ready = 0;
}

int pg_state_add(pg_state *st, const char *stage, int32_t partition,
		 const void *key, size_t klen, const void *value, size_t vlen)
{
	char num[SL_DECIMAL_MAX + 2];
	size_t start = st->changes.len, n;
	int bad;

	num[0] = '\t';
	n = 1 + sl_decimal_i64(num + 1, partition);
	num[n++] = '\t';
	bad = pg_escaped_append(&st->changes, stage, strlen(stage)) != 0 ||
	      pg_text_append(&st->changes, num, n) != 0 ||
	      pg_bytes_append(&st->changes, key, klen) != 0 ||
	      pg_text_append(&st->changes, "\t", 1) != 0 ||
	      (value != NULL ? pg_bytes_append(&st->changes, value, vlen)
			     : pg_text_append(&st->changes, "\\N", 2)) != 0;
	num[0] = '\t';
	n = 1 + sl_decimal_u64(num + 1, st->seq);
	num[n++] = '\n';
	if (bad || pg_text_append(&st->changes, num, n) != 0) {
		st->changes.len = start;
		return -1;
	}
	st->seq++;
	return 0;
}

void pg_state_forget(pg_state *st)
{
	st->changes.len = 0;
	st->seq = 0;
}

static int exec(PGconn *conn, const char *sql, const char *doing, sl_error *err)
{
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK) {
		PQclear(res);
		return SL_OK;
	}
	return pg_failed(conn, res, doing, err);
}

static int copy_changes(PGconn *conn, const pg_state *st, sl_error *err)
{
	PGresult *res = PQexec(conn, "COPY " CHANGES " FROM STDIN"), *bad = NULL;
	int ok;

	if (PQresultStatus(res) != PGRES_COPY_IN)
		return pg_failed(conn, res, "sending keyed state", err);
	PQclear(res);
	ok = PQputCopyData(conn, st->changes.data, (int)st->changes.len) == 1;
	if (PQputCopyEnd(conn, NULL) != 1)
		ok = 0;
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && bad == NULL)
			bad = res;
		else
			PQclear(res);
	}
	if (bad != NULL || !ok)
		return pg_failed(conn, bad, "sending keyed state", err);
	return SL_OK;
}

int pg_state_send(PGconn *conn, pg_state *st, sl_error *err)
{
	if (st->changes.len == 0)
		return SL_OK;
	if (!st->temp_ready) {
		if (exec(conn, "CREATE TEMP TABLE sluice_state_changes (stage text, "
			 "partition int, key bytea, value bytea, seq bigint) "
			 "ON COMMIT DELETE ROWS", "preparing keyed state", err) != SL_OK)
			return SL_ERR;
		st->temp_ready = 1;
	}
	if (copy_changes(conn, st, err) != SL_OK)
		return SL_ERR;
	/* the last change of a key wins; a NULL value deletes it */
	return exec(conn, st->apply_sql, "writing keyed state", err);
}

/* @p fmt with its four %s: table, job, table, job. */
static char *apply_sql(const char *fmt, const char *table, const char *job)
{
	size_t len = strlen(fmt) + 2 * (strlen(table) + strlen(job)) + 1;
	char *s = malloc(len);

	if (s != NULL)
		snprintf(s, len, fmt, table, job, table, job);
	return s;
}

int pg_state_init(pg_state *st, PGconn *conn, const char *table,
		  const char *job, sl_error *err)
{
	char *lit;

	if (st->table != NULL)
		return SL_OK;
	if ((st->table = pg_quote_table(conn, table)) == NULL ||
	    (lit = PQescapeLiteral(conn, job, strlen(job))) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot quote %s: %s",
				    table, PQerrorMessage(conn));
	st->apply_sql = apply_sql(
		"WITH c AS (SELECT DISTINCT ON (stage, partition, key) stage, "
		"partition, key, value FROM " CHANGES " ORDER BY stage, partition, "
		"key, seq DESC), d AS (DELETE FROM %s s USING c WHERE c.value IS "
		"NULL AND s.job = %s AND s.stage = c.stage AND s.partition = "
		"c.partition AND s.key = c.key) INSERT INTO %s (job, stage, "
		"partition, key, value) SELECT %s, stage, partition, key, value "
		"FROM c WHERE value IS NOT NULL ON CONFLICT (job, stage, partition, "
		"key) DO UPDATE SET value = EXCLUDED.value", st->table, lit);
	PQfreemem(lit);
	if (st->apply_sql == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	return pg_create_table(conn, st->table, "job text NOT NULL, stage text "
			       "NOT NULL, partition int NOT NULL, key bytea NOT "
			       "NULL, value bytea NOT NULL, PRIMARY KEY (job, "
			       "stage, partition, key)", "the table of keyed state",
			       err);
}

int pg_state_prepare(PGconn *conn, const pg_state *st, const char *job,
		     const char *stage, int32_t partitions, sl_error *err)
{
	char sql[700], count[16];
	const char *params[3] = { job, stage, count };
	PGresult *res;
	long had;

	snprintf(count, sizeof count, "%d", (int)partitions);
	snprintf(sql, sizeof sql, "INSERT INTO %.400s (job, stage, partition, key, "
		 "value) VALUES ($1, $2, -1, '\\x', convert_to($3, 'UTF8')) "
		 "ON CONFLICT DO NOTHING", st->table);
	res = PQexecParams(conn, sql, 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_failed(conn, res, "recording the state's partitions", err);
	PQclear(res);
	snprintf(sql, sizeof sql, "SELECT convert_from(value, 'UTF8') FROM %.400s "
		 "WHERE job = $1 AND stage = $2 AND partition = -1", st->table);
	res = PQexecParams(conn, sql, 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_failed(conn, res, "reading the state's partitions", err);
	had = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : -1;
	PQclear(res);
	if (had == partitions)
		return SL_OK;
	return sl_error_set(err, SL_ERR_CONFIG, "the keyed state of stage '%s' in "
			    "%s was written for %ld input partitions, and the "
			    "input has %d now: a key's state would be looked for "
			    "in another partition.  Delete it to start empty "
			    "(DELETE FROM %s WHERE job = '%s' AND stage = '%s')",
			    stage, st->table, had, (int)partitions, st->table,
			    job, stage);
}

/* "{0,1,2}" */
static char *int_array(const int32_t *v, size_t count)
{
	char *s = malloc(count * 12 + 3), *at;
	size_t i;

	if (s == NULL)
		return NULL;
	at = s;
	*at++ = '{';
	for (i = 0; i < count; i++)
		at += sprintf(at, "%s%d", i ? "," : "", (int)v[i]);
	*at++ = '}';
	*at = '\0';
	return s;
}

static int32_t int4_at(const PGresult *res, int col)
{
	uint32_t net;

	memcpy(&net, PQgetvalue(res, 0, col), sizeof net);
	return (int32_t)ntohl(net);
}

int pg_state_read(PGconn *conn, const pg_state *st, const char *job,
		  const char *stage, const int32_t *partitions, size_t count,
		  int (*apply)(void *ctx, int32_t partition, const void *key,
			       size_t klen, const void *value, size_t vlen),
		  void *ctx, sl_error *err)
{
	char sql[600], *list = int_array(partitions, count);
	const char *params[3] = { job, stage, list };
	PGresult *res, *bad = NULL;
	int stopped = 0;

	if (list == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	snprintf(sql, sizeof sql, "SELECT partition, key, value FROM %.400s "
		 "WHERE job = $1 AND stage = $2 AND partition = ANY ($3::int[])",
		 st->table);
	/* binary results: bytea as its bytes; a row at a time, so that a
	 * large state is not held twice */
	if (!PQsendQueryParams(conn, sql, 3, NULL, params, NULL, NULL, 1) ||
	    !PQsetSingleRowMode(conn)) {
		free(list);
		return pg_failed(conn, NULL, "reading keyed state", err);
	}
	free(list);
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) == PGRES_SINGLE_TUPLE && !stopped &&
		    bad == NULL) {
			stopped = apply(ctx, int4_at(res, 0), PQgetvalue(res, 0, 1),
					(size_t)PQgetlength(res, 0, 1),
					PQgetvalue(res, 0, 2),
					(size_t)PQgetlength(res, 0, 2)) != 0;
			PQclear(res);
		} else if (PQresultStatus(res) != PGRES_TUPLES_OK &&
			   PQresultStatus(res) != PGRES_SINGLE_TUPLE && bad == NULL) {
			bad = res;
		} else {
			PQclear(res);
		}
	}
	if (bad != NULL)
		return pg_failed(conn, bad, "reading keyed state", err);
	if (stopped)
		return sl_error_set(err, SL_ERR_RUNTIME, "stage '%s': restoring its "
				    "keyed state from %s stopped", stage, st->table);
	return SL_OK;
}

void pg_state_free(pg_state *st)
{
	free(st->table);
	free(st->apply_sql);
	pg_text_free(&st->changes);
	memset(st, 0, sizeof *st);
}
