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
	const char *state_table;   /* keyed state of the job's store */
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
/* Text with COPY's escapes; bytes as bytea's hex form.  0 or -1. */
int pg_escaped_append(pg_text *t, const char *s, size_t len);
int pg_bytes_append(pg_text *t, const uint8_t *p, size_t len);

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

/* @p res (cleared) as an error saying what was being done: retriable
 * when the connection or the server failed. */
int pg_failed(PGconn *conn, PGresult *res, const char *doing, sl_error *err);

/* CREATE TABLE @p quoted_table (@p columns) when missing, instances
 * racing to do it or not; @p what names it in errors. */
int pg_create_table(PGconn *conn, const char *quoted_table, const char *columns,
		    const char *what, sl_error *err);

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

/*
 * Keyed state (pg_state.c): one table, (job, stage, partition, key) ->
 * value, changed in the sink's transaction.  The changes since the last
 * COMMIT are kept as COPY text, sent again after a lost connection.
 */
typedef struct pg_state {
	char *table;      /* quoted; NULL until a store prepared it */
	char *apply_sql;  /* the kept changes -> the table */
	pg_text changes;
	uint64_t seq;     /* order of changes, the last one of a key wins */
	int temp_ready;   /* the connection has its temporary table */
} pg_state;

/* The table (created when missing) and the SQL that writes it. */
int pg_state_init(pg_state *st, PGconn *conn, const char *table,
		  const char *job, sl_error *err);
/* Check (or record) the partition count of @p stage's state. */
int pg_state_prepare(PGconn *conn, const pg_state *st, const char *job,
		     const char *stage, int32_t partitions, sl_error *err);
/* Keep one change (@p value NULL: a deletion).  0, or -1 out of memory. */
int pg_state_add(pg_state *st, const char *stage, int32_t partition,
		 const void *key, size_t klen, const void *value, size_t vlen);
/* The kept changes into the table, in the open transaction. */
int pg_state_send(PGconn *conn, pg_state *st, sl_error *err);
/* After a COMMIT (written) or an abort (the engine writes them again). */
void pg_state_forget(pg_state *st);
/* A new connection: its temporary table is made at the first send. */
void pg_state_connected(pg_state *st);
/* The committed state of @p partitions of @p stage, entry by entry. */
int pg_state_read(PGconn *conn, const pg_state *st, const char *job,
		  const char *stage, const int32_t *partitions, size_t count,
		  int (*apply)(void *ctx, int32_t partition, const void *key,
			       size_t klen, const void *value, size_t vlen),
		  void *ctx, sl_error *err);
void pg_state_free(pg_state *st);

/*
 * What a job's postgresql sink and store share (pg_store.c): the state
 * a store writes goes into the transaction of the first sink of the job
 * with the same conninfo, its carrier.
 */
typedef struct pg_shared {
	char *job;
	char *conninfo;
	int refs;
	void *carrier;    /* the sink that sends the state, or NULL */
	int (*flush)(void *carrier, int timeout_ms, sl_error *err);
	pg_state state;
	struct pg_shared *next;
} pg_shared;

extern const sl_store_class pg_store_class;

pg_shared *pg_shared_get(const char *job, const char *conninfo);
void pg_shared_put(pg_shared *sh);

/* A new connection to @p conninfo (SL_ERR_RETRIABLE when it cannot be
 * made: the message says why, without the password). */
PGconn *pg_connect(const char *conninfo, sl_error *err);

#endif /* SL_PG_INTERNAL_H */
