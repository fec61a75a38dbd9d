/*
 * pg_store.c - the postgresql plugin's state store (sluice/store.h).
 *
 * The keyed state of a job's stages is kept in a table of the database
 * (state.table, pg_state.c), changed in the transaction of the job's
 * postgresql sink that has the same conninfo: under exactly-once a
 * commit's state changes, rows and input positions commit together or
 * not at all, as Kafka's changelog, outputs and offsets do in one Kafka
 * transaction.  So the store writes nothing itself; it keeps the changes
 * for that sink, and uses a connection of its own only to make the table
 * and to read the committed state back.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

/* Stages of one process share by (job, conninfo): a job reopened in
 * place, or several jobs in one process, each find their own. */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static pg_shared *shared_list;

pg_shared *pg_shared_get(const char *job, const char *conninfo)
{
	pg_shared *sh;

	pthread_mutex_lock(&shared_lock);
	for (sh = shared_list; sh != NULL; sh = sh->next)
		if (strcmp(sh->job, job) == 0 && strcmp(sh->conninfo, conninfo) == 0)
			break;
	if (sh == NULL && (sh = calloc(1, sizeof *sh)) != NULL) {
		sh->job = strdup(job);
		sh->conninfo = strdup(conninfo);
		if (sh->job == NULL || sh->conninfo == NULL) {
			free(sh->job);
			free(sh->conninfo);
			free(sh);
			sh = NULL;
		} else {
			sh->next = shared_list;
			shared_list = sh;
		}
	}
	if (sh != NULL)
		sh->refs++;
	pthread_mutex_unlock(&shared_lock);
	return sh;
}

void pg_shared_put(pg_shared *sh)
{
	pg_shared **at;

	if (sh == NULL)
		return;
	pthread_mutex_lock(&shared_lock);
	if (--sh->refs == 0) {
		for (at = &shared_list; *at != sh; at = &(*at)->next)
			;
		*at = sh->next;
		pg_state_free(&sh->state);
		free(sh->job);
		free(sh->conninfo);
		free(sh);
	}
	pthread_mutex_unlock(&shared_lock);
}

typedef struct pg_store {
	sl_stage *stage;
	const char *table;   /* state.table, as written */
	pg_shared *shared;
	PGconn *conn;        /* the store's own: tables, and reads */
	char **owners;       /* the stages' names, the tables' handles */
	size_t owner_count;
} pg_store;

static void store_close(void *self)
{
	pg_store *s = self;
	size_t i;

	if (s == NULL)
		return;
	if (s->conn != NULL)
		PQfinish(s->conn);
	for (i = 0; i < s->owner_count; i++)
		free(s->owners[i]);
	free(s->owners);
	pg_shared_put(s->shared);
	free(s);
}

static int store_open(sl_stage *stage, void **self, sl_error *err)
{
	pg_store *s = calloc(1, sizeof *s);
	const char *conninfo = sl_option(stage, "conninfo");

	if (s == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	s->stage = stage;
	s->table = sl_option(stage, "state.table");
	if (s->table == NULL)
		s->table = "sluice_state";
	if (conninfo == NULL) {
		free(s);
		return sl_config_error(stage, "conninfo", err, "is required");
	}
	if ((s->shared = pg_shared_get(sl_job_name(stage), conninfo)) == NULL) {
		free(s);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	*self = s;
	return SL_OK;
}

/* Connected, to the sink that carries the state. */
static int ready(pg_store *s, sl_error *err)
{
	if (s->shared->carrier == NULL)
		return sl_error_set(err, SL_ERR_CONFIG, "store '%s' keeps keyed state "
				    "in the transaction of a postgresql sink with "
				    "the same conninfo, and the job has none",
				    sl_stage_name(s->stage));
	if (s->conn != NULL && PQstatus(s->conn) != CONNECTION_OK) {
		PQfinish(s->conn);
		s->conn = NULL;
	}
	if (s->conn == NULL &&
	    (s->conn = pg_connect(s->shared->conninfo, err)) == NULL)
		return SL_ERR;
	return pg_state_init(&s->shared->state, s->conn, s->table,
			     s->shared->job, err);
}

static int store_prepare(void *self, const char *owner, int32_t partitions,
			 void **table, sl_error *err)
{
	pg_store *s = self;
	char **grown, *name;

	if (ready(s, err) != SL_OK ||
	    pg_state_prepare(s->conn, &s->shared->state, s->shared->job, owner,
			     partitions, err) != SL_OK)
		return SL_ERR;
	grown = realloc(s->owners, (s->owner_count + 1) * sizeof *grown);
	if (grown == NULL || (name = strdup(owner)) == NULL) {
		if (grown != NULL)
			s->owners = grown;
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	s->owners = grown;
	s->owners[s->owner_count++] = name;
	*table = name;
	return SL_OK;
}

static int store_write(void *self, void *table, int32_t partition,
		       const void *key, size_t klen, const void *value,
		       size_t vlen, sl_error *err)
{
	pg_store *s = self;

	if (pg_state_add(&s->shared->state, table, partition, key, klen, value,
			 vlen) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	return SL_OK;
}

/* The carrier's flush commits the changes with its rows (under
 * exactly-once its transaction's commit does). */
static int store_flush(void *self, int timeout_ms, sl_error *err)
{
	pg_store *s = self;

	if (s->shared->carrier == NULL)
		return SL_OK;
	return s->shared->flush(s->shared->carrier, timeout_ms, err);
}

static int store_read(void *self, void *table, const int32_t *partitions,
		      size_t count,
		      int (*apply)(void *ctx, int32_t partition, const void *key,
				   size_t klen, const void *value, size_t vlen),
		      void *ctx, sl_error *err)
{
	pg_store *s = self;

	if (ready(s, err) != SL_OK)
		return SL_ERR;
	return pg_state_read(s->conn, &s->shared->state, s->shared->job, table,
			     partitions, count, apply, ctx, err);
}

static const char *store_table_name(void *self, void *table)
{
	pg_store *s = self;

	(void)table;
	return s->table;
}

const sl_store_class pg_store_class = {
	.struct_size = sizeof(sl_store_class),
	.open = store_open,
	.close = store_close,
	.prepare = store_prepare,
	.write = store_write,
	.flush = store_flush,
	.read = store_read,
	.table_name = store_table_name,
};
