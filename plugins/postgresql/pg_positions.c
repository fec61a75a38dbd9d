/*
 * pg_positions.c - exactly-once: the input's positions in a table of the
 * database (offsets.table), written in the transaction of the rows.
 *
 * Each instance of a job remembers, per partition, the next offset it
 * last saw in the table (read when the source was assigned the
 * partition, or committed by itself since).  A commit moves a row only
 * from that value (UPDATE ... WHERE next_offset = expected, or INSERT of
 * a row that must not exist yet): when another instance moved it first,
 * the row does not match, and the transaction must not commit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

int pg_positions_prepare(PGconn *conn, pg_positions *p, sl_error *err)
{
	return pg_create_table(conn, p->table, "job text NOT NULL, "
		"source text NOT NULL, topic text NOT NULL, partition int NOT NULL, "
		"next_offset bigint NOT NULL, "
		"PRIMARY KEY (job, source, topic, partition)",
		"the table of positions", err);
}

static pg_position *find(pg_positions *p, const char *source, const char *topic,
			 int32_t partition)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (p->list[i].partition == partition &&
		    strcmp(p->list[i].topic, topic) == 0 &&
		    strcmp(p->list[i].source, source) == 0)
			return &p->list[i];
	return NULL;
}

static pg_position *add(pg_positions *p, const char *source, const char *topic,
			int32_t partition)
{
	pg_position *at = find(p, source, topic, partition), *grown;

	if (at != NULL)
		return at;
	if ((grown = realloc(p->list, (p->count + 1) * sizeof *grown)) == NULL)
		return NULL;
	p->list = grown;
	at = &p->list[p->count];
	memset(at, 0, sizeof *at);
	at->partition = partition;
	if ((at->source = strdup(source)) == NULL ||
	    (at->topic = strdup(topic)) == NULL) {
		free(at->source);
		return NULL;
	}
	p->count++;
	return at;
}

/* The stored next offset of one partition: 1 (in *@p next), 0 (no row),
 * or SL_ERR. */
static int select_one(PGconn *conn, const pg_positions *p, const char *source,
		      const char *topic, int32_t partition, int64_t *next,
		      sl_error *err)
{
	char sql[600], part[16];
	const char *params[4];
	PGresult *res;
	int found;

	snprintf(sql, sizeof sql, "SELECT next_offset FROM %.400s WHERE job = $1 "
		 "AND source = $2 AND topic = $3 AND partition = $4::int", p->table);
	snprintf(part, sizeof part, "%d", (int)partition);
	params[0] = p->job;
	params[1] = source;
	params[2] = topic;
	params[3] = part;
	res = PQexecParams(conn, sql, 4, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_failed(conn, res, "reading the stored positions", err);
	found = PQntuples(res) > 0;
	if (found)
		*next = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return found;
}

int pg_positions_read(PGconn *conn, pg_positions *p, const char *source,
		      const char *topic, int32_t partition, int64_t *next,
		      sl_error *err)
{
	pg_position *at;
	int found = select_one(conn, p, source, topic, partition, next, err);

	if (found < 0)
		return SL_ERR;
	if ((at = add(p, source, topic, partition)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	at->stored = found;
	at->next = found ? *next : 0;
	at->fresh = 1;
	return found;
}

/* Move one row from what this instance expects to @p next: 1 when it
 * matched, 0 when another instance moved it, SL_ERR. */
static int move_one(PGconn *conn, const pg_positions *p, const pg_position *at,
		    const char *source, int64_t next, sl_error *err)
{
	char sql[700], part[16], to[32], from[32];
	const char *params[6];
	PGresult *res;
	int n;

	snprintf(part, sizeof part, "%d", (int)at->partition);
	snprintf(to, sizeof to, "%" PRId64, next);
	snprintf(from, sizeof from, "%" PRId64, at->next);
	params[0] = p->job;
	params[1] = source;
	params[2] = at->topic;
	params[3] = part;
	params[4] = to;
	params[5] = from;
	if (at->stored)
		snprintf(sql, sizeof sql, "UPDATE %.400s SET next_offset = $5::bigint "
			 "WHERE job = $1 AND source = $2 AND topic = $3 AND "
			 "partition = $4::int AND next_offset = $6::bigint", p->table);
	else
		snprintf(sql, sizeof sql, "INSERT INTO %.400s (job, source, topic, "
			 "partition, next_offset) VALUES ($1, $2, $3, $4::int, "
			 "$5::bigint) ON CONFLICT DO NOTHING", p->table);
	res = PQexecParams(conn, sql, at->stored ? 6 : 5, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_failed(conn, res, "writing the positions", err);
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	return n == 1;
}

int pg_positions_write(PGconn *conn, pg_positions *p, const sl_txn *txn,
		       char *conflict, size_t size, sl_error *err)
{
	size_t i, j;

	conflict[0] = '\0';
	for (i = 0; i < txn->source_count; i++)
		for (j = 0; j < txn->sources[i].count; j++) {
			const sl_position *pos = &txn->sources[i].positions[j];
			pg_position *at;
			int rc;

			if (pos->topic == NULL)
				continue;
			/* a partition the source did not ask about: its row
			 * must not exist yet */
			if ((at = find(p, txn->sources[i].stage, pos->topic,
				       pos->partition)) == NULL &&
			    (at = add(p, txn->sources[i].stage, pos->topic,
				      pos->partition)) == NULL)
				return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			/* nothing read from it since: no row of it in the
			 * transaction */
			if (at->stored && pos->next_offset == at->next)
				continue;
			if (at->stored && pos->next_offset < at->next) {
				snprintf(conflict, size, "topic %s partition %d: the "
					 "transaction ends at offset %" PRId64 ", before "
					 "%" PRId64 " stored", pos->topic,
					 (int)pos->partition, pos->next_offset, at->next);
				return SL_OK;
			}
			rc = move_one(conn, p, at, txn->sources[i].stage,
				      pos->next_offset, err);
			if (rc < 0)
				return SL_ERR;
			if (rc == 0) {
				snprintf(conflict, size, "topic %s partition %d: "
					 "another instance of job %s moved its stored "
					 "position past %s%" PRId64, pos->topic,
					 (int)pos->partition, p->job,
					 at->stored ? "offset " : "no row, offset ",
					 at->stored ? at->next : (int64_t)0);
				return SL_OK;
			}
		}
	return SL_OK;
}

void pg_positions_committed(pg_positions *p, const sl_txn *txn)
{
	size_t i, j;

	for (i = 0; i < txn->source_count; i++)
		for (j = 0; j < txn->sources[i].count; j++) {
			const sl_position *pos = &txn->sources[i].positions[j];
			pg_position *at = pos->topic == NULL ? NULL :
				find(p, txn->sources[i].stage, pos->topic,
				     pos->partition);

			if (at == NULL)
				continue;
			at->next = pos->next_offset;
			at->stored = 1;
			at->fresh = 0;
		}
}

int pg_positions_resolve(PGconn *conn, pg_positions *p, const sl_txn *txn,
			 sl_error *err)
{
	size_t i, j;
	int moved = 0, stayed = 0;

	for (i = 0; i < txn->source_count; i++)
		for (j = 0; j < txn->sources[i].count; j++) {
			const sl_position *pos = &txn->sources[i].positions[j];
			pg_position *at = pos->topic == NULL ? NULL :
				find(p, txn->sources[i].stage, pos->topic,
				     pos->partition);
			int64_t now = 0;
			int found;

			if (at == NULL || (at->stored && pos->next_offset == at->next))
				continue;
			found = select_one(conn, p, txn->sources[i].stage,
					   pos->topic, pos->partition, &now, err);
			if (found < 0)
				return SL_ERR;
			if (found && now == pos->next_offset)
				moved++;
			else if (found == at->stored && (!found || now == at->next))
				stayed++;
			else
				return 2; /* neither: another instance moved it */
		}
	if (moved > 0)
		return stayed == 0 ? 1 : 2;
	return 0;
}

int pg_positions_fresh(const pg_positions *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (p->list[i].fresh)
			return 1;
	return 0;
}

void pg_positions_free(pg_positions *p)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		free(p->list[i].source);
		free(p->list[i].topic);
	}
	free(p->list);
	free(p->table);
	p->list = NULL;
	p->count = 0;
	p->table = NULL;
}
