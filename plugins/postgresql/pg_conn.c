/*
 * pg_conn.c - what the sink asks the server besides rows: the table's
 * columns, identifiers quoted by libpq, and what a failure means.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

char *pg_quote_table(PGconn *conn, const char *table)
{
	const char *dot = strchr(table, '.');
	char *schema = NULL, *name, *out;
	size_t len;

	if (dot != NULL) {
		if ((schema = PQescapeIdentifier(conn, table, (size_t)(dot - table))) == NULL)
			return NULL;
		table = dot + 1;
	}
	if ((name = PQescapeIdentifier(conn, table, strlen(table))) == NULL) {
		PQfreemem(schema);
		return NULL;
	}
	len = strlen(name) + (schema ? strlen(schema) + 1 : 0) + 1;
	if ((out = malloc(len)) != NULL)
		snprintf(out, len, "%s%s%s", schema ? schema : "",
			 schema ? "." : "", name);
	PQfreemem(schema);
	PQfreemem(name);
	return out;
}

char *pg_quote_list(PGconn *conn, char *const *names, size_t count,
		    const char *prefix, const char *suffix)
{
	pg_text t = { NULL, 0, 0 };
	size_t i;

	if (pg_text_append(&t, "", 1) != 0)
		return NULL;
	t.len = 0;
	for (i = 0; i < count; i++) {
		char *q = PQescapeIdentifier(conn, names[i], strlen(names[i]));
		int bad = q == NULL ||
			(i > 0 && pg_text_append(&t, ", ", 2) != 0) ||
			pg_text_append(&t, prefix, strlen(prefix)) != 0 ||
			pg_text_append(&t, q, strlen(q)) != 0 ||
			pg_text_append(&t, suffix, strlen(suffix)) != 0;

		PQfreemem(q);
		if (bad) {
			pg_text_free(&t);
			return NULL;
		}
	}
	if (pg_text_append(&t, "", 1) != 0) {
		pg_text_free(&t);
		return NULL;
	}
	return t.data;
}

char **pg_table_columns(PGconn *conn, const char *quoted_table,
			size_t *count, sl_error *err)
{
	static const char sql[] =
		"SELECT attname FROM pg_catalog.pg_attribute "
		"WHERE attrelid = $1::regclass AND attnum > 0 "
		"AND NOT attisdropped AND attgenerated = '' "
		"AND attidentity <> 'a' ORDER BY attnum";
	const char *params[1] = { quoted_table };
	PGresult *res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
	char **names = NULL, why[600];
	int i, n;

	*count = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_describe(res, conn, why, sizeof why);
		sl_error_set(err, pg_fault_of(conn, res) == PG_FAULT_RETRY ?
			     SL_ERR_RETRIABLE : SL_ERR_RUNTIME,
			     "cannot read the columns of table %s: %s",
			     quoted_table, why);
		PQclear(res);
		return NULL;
	}
	n = PQntuples(res);
	if (n == 0 || (names = calloc((size_t)n, sizeof *names)) == NULL) {
		PQclear(res);
		if (n == 0)
			sl_error_set(err, SL_ERR_RUNTIME, "table %s has no column "
				     "a row can write", quoted_table);
		else
			sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		if ((names[i] = strdup(PQgetvalue(res, i, 0))) == NULL)
			break;
	PQclear(res);
	if (i < n) {
		while (i-- > 0)
			free(names[i]);
		free(names);
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	*count = (size_t)n;
	return names;
}

enum pg_fault pg_fault_of(PGconn *conn, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn) == CONNECTION_BAD || state == NULL)
		return PG_FAULT_RETRY;
	/* 22: data exception (a value the column's type refuses); 23: a
	 * constraint (NOT NULL, CHECK, UNIQUE, foreign key) */
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
		return PG_FAULT_ROW;
	/* 08: connection; 57P0x: shutdown, crash, starting up; 53: out of
	 * resources; 40001/40P01: serialization failure, deadlock */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0 ||
	    strncmp(state, "53", 2) == 0 || strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0)
		return PG_FAULT_RETRY;
	return PG_FAULT_JOB;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

static const char *column_of_context(const PGresult *res)
{
	const char *ctx = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *at = ctx && strncmp(ctx, "COPY ", 5) == 0 ?
		strstr(ctx, ", column ") : NULL;

	return at ? at + 9 : NULL;
}

void pg_describe(const PGresult *res, PGconn *conn, char *out, size_t size)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
	const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	int colen = -1;
	size_t n;

	if (msg == NULL)
		msg = res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
							  : PQerrorMessage(conn);
	/* libpq's own messages go on with hints on further lines */
	snprintf(out, size, "%.*s", (int)strcspn(msg, "\n"), msg);
	trim(out);
	n = strlen(out);
	if (column != NULL)
		colen = (int)strlen(column);
	else if ((column = column_of_context(res)) != NULL)
		/* a value COPY could not read: the server names its column
		 * only in the context, "COPY t, line 1, column n: ..." */
		colen = (int)strcspn(column, ":");
	if (column != NULL && n < size)
		n += (size_t)snprintf(out + n, size - n, "; column %.*s",
				      colen, column);
	if (constraint != NULL && n < size)
		n += (size_t)snprintf(out + n, size - n, "; constraint %s",
				      constraint);
	if (state != NULL && n < size)
		snprintf(out + n, size - n, " (SQLSTATE %s)", state);
}

void pg_redact(const char *conninfo, char *msg)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL), *o;

	if (opts == NULL)
		return;
	for (o = opts; o->keyword != NULL; o++) {
		char *at = msg;
		size_t len;

		if (strcmp(o->keyword, "password") != 0 || o->val == NULL ||
		    (len = strlen(o->val)) == 0)
			continue;
		/* masked in place, so the message keeps its length */
		while ((at = strstr(at, o->val)) != NULL) {
			memset(at, '*', len);
			at += len;
		}
	}
	PQconninfoFree(opts);
}

int pg_failed(PGconn *conn, PGresult *res, const char *doing, sl_error *err)
{
	char why[600];
	int kind = pg_fault_of(conn, res) == PG_FAULT_RETRY ? SL_ERR_RETRIABLE
							      : SL_ERR_RUNTIME;

	pg_describe(res, conn, why, sizeof why);
	PQclear(res);
	return sl_error_set(err, kind, "PostgreSQL failed while %s: %s", doing, why);
}

int pg_create_table(PGconn *conn, const char *quoted_table, const char *columns,
		    const char *what, sl_error *err)
{
	char *sql, doing[200];
	PGresult *res;
	const char *state, *params[1];
	size_t len;
	int exists;

	/* asked first: IF NOT EXISTS alone has the server print a notice
	 * on every start */
	snprintf(doing, sizeof doing, "looking for %s", what);
	params[0] = quoted_table;
	res = PQexecParams(conn, "SELECT to_regclass($1) IS NOT NULL", 1, NULL,
			   params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_failed(conn, res, doing, err);
	exists = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (exists)
		return SL_OK;
	len = strlen(quoted_table) + strlen(columns) + 40;
	if ((sql = malloc(len)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	snprintf(sql, len, "CREATE TABLE IF NOT EXISTS %s (%s)", quoted_table,
		 columns);
	res = PQexec(conn, sql);
	free(sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return SL_OK;
	}
	/* instances creating it at the same time: one wins, the others see
	 * the catalog's unique violation (or "already exists") */
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state != NULL && (strcmp(state, "23505") == 0 ||
			      strcmp(state, "42P07") == 0)) {
		PQclear(res);
		return SL_OK;
	}
	snprintf(doing, sizeof doing, "creating %s", what);
	return pg_failed(conn, res, doing, err);
}

PGconn *pg_connect(const char *conninfo, sl_error *err)
{
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *values[] = { conninfo, "sluice", NULL };
	PGconn *conn = PQconnectdbParams(keys, values, 1);
	char msg[600];

	if (conn == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) == CONNECTION_OK)
		return conn;
	snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
	msg[strcspn(msg, "\n")] = '\0';
	pg_redact(conninfo, msg);
	PQfinish(conn);
	sl_error_set(err, SL_ERR_RETRIABLE, "cannot connect to PostgreSQL: %s", msg);
	return NULL;
}
