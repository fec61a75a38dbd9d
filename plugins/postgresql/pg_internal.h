/*
 * pg_internal.h - the postgresql sink's parts: its options (pg_options.c),
 * rows as COPY text (pg_rows.c), the connection and its SQL (pg_conn.c)
 * and the sink itself (pg_sink.c).
 */
#ifndef SL_PG_INTERNAL_H
#define SL_PG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>
#include <sluice/plugin.h>

/* The options as checked by `sluice validate` and read by open. */
typedef struct pg_options {
	const char *conninfo;
	const char *table;
	int upsert;
	char **keys;      /* key.columns */
	size_t key_count;
	char **columns;   /* the NAMEs of column.NAME, in file order */
	size_t column_count;
	const char *offsets_table; /* exactly-once: the positions' table */
} pg_options;

int pg_options_read(const sl_stage *stage, pg_options *o, sl_error *err);
void pg_options_free(pg_options *o);

/* A growing malloc'd buffer: rows outlive the batch they came from. */
typedef struct pg_text {
	char *data;
	size_t len;
	size_t cap;
} pg_text;

int pg_text_reserve(pg_text *t, size_t more);
int pg_text_append(pg_text *t, const void *p, size_t len);
void pg_text_free(pg_text *t);

/*
 * Append @p v as one field of a COPY text row (NULL: SQL NULL).  Arrays
 * and objects become their JSON text (for json/jsonb columns), bytes a
 * bytea hex literal.  0, -1 out of memory, -2 a number JSON cannot hold.
 */
int pg_field_append(pg_text *t, const sl_value *v, sl_arena *arena);

/* The table's columns a row may write (neither generated nor identity
 * ALWAYS), in table order; NULL with @p err on failure. */
char **pg_table_columns(PGconn *conn, const char *quoted_table,
			size_t *count, sl_error *err);

/* "schema"."table" or "table", quoted by the server's rules. */
char *pg_quote_table(PGconn *conn, const char *table);
/* @p names quoted and joined by ", ", with @p suffix after each. */
char *pg_quote_list(PGconn *conn, char *const *names, size_t count,
		    const char *prefix, const char *suffix);

/*
 * What a failed statement means for the sink: the row's fault (data or
 * constraint: the errors policy), the connection's or the server's
 * (reconnect and send again: SL_ERR_RETRIABLE), or the job's.
 */
enum pg_fault { PG_FAULT_ROW, PG_FAULT_RETRY, PG_FAULT_JOB };
enum pg_fault pg_fault_of(PGconn *conn, const PGresult *res);

/* The server's message with its table, column and constraint. */
void pg_describe(const PGresult *res, PGconn *conn, char *out, size_t size);

/* @p msg with every occurrence of the conninfo's password masked. */
void pg_redact(const char *conninfo, char *msg);

/*
 * Exactly-once (pg_positions.c): the input's positions, per job, source
 * stage, topic and partition, in a table written in the rows'
 * transaction.  Per partition, the next offset this instance expects
 * the table to hold: what it read there, or committed itself since.
 */
typedef struct pg_position {
	char *source;
	char *topic;
	int32_t partition;
	int64_t next;   /* the table's next_offset, when stored */
	int stored;     /* the table has a row (else a commit inserts one) */
	int fresh;      /* read from the table, not committed by this
			   instance since */
} pg_position;

typedef struct pg_positions {
	char *table;     /* quoted */
	const char *job;
	pg_position *list;
	size_t count;
} pg_positions;

/* CREATE TABLE IF NOT EXISTS, instances racing to do it or not. */
int pg_positions_prepare(PGconn *conn, pg_positions *p, sl_error *err);
/* The stored next offset of a partition, remembered as expected: 1 (in
 * *@p next), 0 (none), SL_ERR. */
int pg_positions_read(PGconn *conn, pg_positions *p, const char *source,
		      const char *topic, int32_t partition, int64_t *next,
		      sl_error *err);
/* In the open transaction, move every row of @p txn's positions from
 * what this instance expects.  SL_OK with @p conflict empty, or naming
 * the partition whose row another instance moved (the transaction must
 * not commit); SL_ERR on a failed statement. */
int pg_positions_write(PGconn *conn, pg_positions *p, const sl_txn *txn,
		       char *conflict, size_t size, sl_error *err);
/* @p txn committed: its positions are what the table now holds. */
void pg_positions_committed(pg_positions *p, const sl_txn *txn);
/* After a COMMIT whose answer was lost, on a new connection: 1 the
 * table holds @p txn's positions (it committed), 0 what it held before
 * (it did not), 2 neither (another instance moved a row), SL_ERR. */
int pg_positions_resolve(PGconn *conn, pg_positions *p, const sl_txn *txn,
			 sl_error *err);
/* Whether a partition was read from the table and not committed since. */
int pg_positions_fresh(const pg_positions *p);
void pg_positions_free(pg_positions *p);

#endif /* SL_PG_INTERNAL_H */
