/*
 * pg_sink.c - the postgresql sink (pg_sink.h says how it works): its
 * options and SQL made at open, write and flush, and its class.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_sink.h"

static int write_once(pg_sink *k, const sl_batch *batch, sl_error *err)
{
	size_t n = 0;
	uint32_t i;
	int rc = SL_OK, stop = 0;
	sl_error record_err;

	if (pg_sink_ready(k, err) != SL_OK)
		return SL_ERR;
	k->rows.len = 0;
	k->accepted.len = 0;
	if (pg_sink_grow_rows(k, batch->count) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; i < batch->count; i++) {
		k->starts[n] = k->rows.len;
		rc = pg_sink_encode_row(k, batch, &batch->records[i], &record_err);
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
	if (n > 0 && !k->careful) {
		if (pg_sink_begin(k, err) != SL_OK ||
		    pg_sink_stream(k, k->rows.data, k->starts[n], err) != SL_OK)
			return SL_ERR; /* retriable: the same call sends again */
		if (pg_text_append(&k->pending, k->rows.data, k->starts[n]) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		if (stop)
			*err = record_err;
		return stop ? SL_ERR : SL_OK;
	}
	if (n > 0 && (pg_sink_begin(k, err) != SL_OK ||
		      pg_sink_send_batch(k, batch, n, err) != SL_OK)) {
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

static int flush_once(pg_sink *k, sl_error *err)
{
	PGresult *res;

	if (k->conn == NULL && k->pending.len == 0)
		return SL_OK;
	if (pg_sink_ready(k, err) != SL_OK || pg_sink_end_stream(k, err) != SL_OK)
		return SL_ERR;
	/* exactly-once: the rows commit with their positions, in txn_commit */
	if (k->eos)
		return SL_OK;
	if (pg_sink_state(k) != NULL && pg_sink_state(k)->changes.len > 0 &&
	    (pg_sink_begin(k, err) != SL_OK || pg_sink_send_state(k, err) != SL_OK))
		return SL_ERR;
	if (!k->in_txn)
		return SL_OK;
	res = PQexec(k->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_sink_failed(k, res, "committing", err);
	/* COMMIT of a transaction in error answers ROLLBACK */
	if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		PQclear(res);
		pg_sink_disconnect(k);
		return sl_error_set(err, SL_ERR_RUNTIME, "PostgreSQL rolled the "
				    "transaction back instead of committing it");
	}
	PQclear(res);
	k->in_txn = 0;
	pg_sink_forget(k);
	return SL_OK;
}

/*
 * A connection that was up and broke during the call (the server
 * restarted, or ended the session) is made again at once, once: the
 * rows kept since the last COMMIT go again and the call goes on.  A
 * server still down fails the call with SL_ERR_RETRIABLE, everything
 * kept, for the engine to call again later.
 */
int pg_sink_again(pg_sink *k, int was_up, sl_error *err)
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
	return pg_sink_again(k, was_up, err) ? write_once(k, batch, err) : SL_ERR;
}

int pg_flush(void *self, int timeout_ms, sl_error *err)
{
	pg_sink *k = self;
	int was_up = k->conn != NULL;

	(void)timeout_ms;
	if (flush_once(k, err) == SL_OK)
		return SL_OK;
	return pg_sink_again(k, was_up, err) ? flush_once(k, err) : SL_ERR;
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
	pg_sink_disconnect(k);
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
	if (pg_sink_exec(k, "BEGIN", "checking key.columns", err) != SL_OK)
		return SL_ERR;
	why.kind = SL_ERR_NONE;
	if (pg_sink_exec(k, k->apply_sql, "checking key.columns", &why) != SL_OK) {
		if (why.kind == SL_ERR_RETRIABLE) {
			*err = why;
			return SL_ERR;
		}
		return sl_config_error(k->stage, "key.columns", err,
				       "cannot be the conflict target on table "
				       "%s: %s", k->opt.table, k->why);
	}
	return pg_sink_exec(k, "ROLLBACK", "checking key.columns", err);
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
	if (compile_columns(k, err) != SL_OK || pg_sink_connect(k, err) != SL_OK)
		goto fail;
	if ((k->table = pg_quote_table(k->conn, k->opt.table)) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "cannot quote table name: %s",
			     PQerrorMessage(k->conn));
		goto fail;
	}
	if (choose_columns(k, err) != SL_OK || build_sql(k, err) != SL_OK)
		goto fail;
	if (k->temp_sql != NULL &&
	    pg_sink_exec(k, k->temp_sql, "creating the temporary table of upserts",
		 err) != SL_OK)
		goto fail;
	if (check_target(k, err) != SL_OK)
		goto fail;
	k->careful = pg_sink_careful_before(stage);
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
