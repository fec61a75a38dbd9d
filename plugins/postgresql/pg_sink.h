/*
 * pg_sink.h - the postgresql sink's parts: each record's decoded value becomes a
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
 * go to the stage's errors policy; the others are kept.  That is how
 * a careful sink sends, batch by batch.  Otherwise the batches of a
 * cycle stream into one COPY left open until the flush (pg_stream.c); a
 * row refused there makes the job start again from its last commit with
 * this sink careful, to find the row.
 *
 * Exactly-once (delivery = exactly-once): flush only makes sure the kept
 * rows are on the server, in the open transaction; txn_commit writes the
 * sources' positions into the table of positions in that transaction
 * (pg_positions.c) and commits both, and txn_position tells a source
 * where the table says a partition goes on.
 */
#ifndef SL_PG_SINK_H
#define SL_PG_SINK_H

#include "pg_internal.h"

#define COPY_CHUNK (1u << 20)
#define TEMP_TABLE "pg_temp.sluice_rows"
/* Batches upserted through the temporary table after one whose direct
 * COPY met a row already there: keys come back in streams that update. */
#define DIRECT_WAIT 16

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
	int careful;       /* a COPY per batch, its refused rows found at once */
	const char *streaming; /* the COPY left open across batches, or NULL */
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

/* pg_session.c: the connection, its transaction, what it keeps. */
pg_state *pg_sink_state(pg_sink *k);
void pg_sink_disconnect(pg_sink *k);
int pg_sink_failed(pg_sink *k, PGresult *res, const char *doing, sl_error *err);
int pg_sink_exec(pg_sink *k, const char *sql, const char *doing, sl_error *err);
int pg_sink_begin(pg_sink *k, sl_error *err);
int pg_sink_connect(pg_sink *k, sl_error *err);
void pg_sink_forget(pg_sink *k);
int pg_sink_send_state(pg_sink *k, sl_error *err);
int pg_sink_ready(pg_sink *k, sl_error *err);

/* pg_send.c: a batch's rows, one COPY each, refused rows found. */
int pg_sink_send_rows(pg_sink *k, const char *data, size_t len, sl_error *err);
int pg_sink_encode_row(pg_sink *k, const sl_batch *batch, const sl_record *rec,
		       sl_error *err);
int pg_sink_send_batch(pg_sink *k, const sl_batch *batch, size_t n,
		       sl_error *err);
int pg_sink_grow_rows(pg_sink *k, size_t need);

/* pg_stream.c: batches streamed into one COPY until the flush. */
int pg_sink_careful_before(const sl_stage *stage);
int pg_sink_refused_unknown(pg_sink *k, sl_error *err);
int pg_sink_stream(pg_sink *k, const char *data, size_t len, sl_error *err);
int pg_sink_end_stream(pg_sink *k, sl_error *err);

/* pg_txn.c: exactly-once, the sink's transaction hooks. */
int pg_txn_begin(void *self, sl_error *err);
int pg_txn_commit(void *self, const sl_txn *txn, sl_error *err);
int pg_txn_abort(void *self, sl_error *err);
int pg_txn_position(void *self, const char *source, const char *topic,
		    int32_t partition, int64_t *next_offset, sl_error *err);

/* pg_sink.c */
int pg_sink_again(pg_sink *k, int was_up, sl_error *err);
int pg_flush(void *self, int timeout_ms, sl_error *err);

#endif /* SL_PG_SINK_H */
