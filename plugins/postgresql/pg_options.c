/*
 * pg_options.c - the postgresql sink's options, read the same way by
 * `check` (sluice validate) and `open`, so the two cannot disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

static void free_names(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static int add_name(char ***names, size_t *count, const char *p, size_t len)
{
	char **n = realloc(*names, (*count + 1) * sizeof *n);

	if (n == NULL)
		return -1;
	*names = n;
	if ((n[*count] = malloc(len + 1)) == NULL)
		return -1;
	memcpy(n[*count], p, len);
	n[*count][len] = '\0';
	(*count)++;
	return 0;
}

/* A list option as names; the descriptor refused empty items already. */
static int split_list(const char *text, char ***names, size_t *count)
{
	const char *p = text;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len;

		if (end == NULL)
			end = p + strlen(p);
		while (*p == ' ' || *p == '\t')
			p++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (add_name(names, count, p, len) != 0)
			return -1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int add_column(void *ctx, const char *key, const char *value)
{
	pg_options *o = ctx;

	(void)value;
	return add_name(&o->columns, &o->column_count, key + 7,
			strlen(key + 7)) != 0;
}

static int has_name(char *const *names, size_t count, const char *name)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* Parse without connecting: a malformed conninfo is the job file's
 * fault.  libpq's message quotes the text it stumbled on, which may be
 * the password: it is shown only when the string names none. */
static int check_conninfo(const sl_stage *stage, const char *conninfo,
			  sl_error *err)
{
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &why);
	char msg[512];

	if (opts != NULL) {
		PQconninfoFree(opts);
		return SL_OK;
	}
	if (why == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	msg[0] = '\0';
	if (strstr(conninfo, "password") == NULL) {
		size_t n;

		snprintf(msg, sizeof msg, ": %s", why);
		n = strlen(msg);
		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
	}
	PQfreemem(why);
	return sl_config_error(stage, "conninfo", err,
			       "not a libpq connection string%s", msg);
}

/* Not TABLE or SCHEMA.TABLE. */
static int bad_table_name(const char *t)
{
	const char *dot = strchr(t, '.');

	return t[0] == '\0' || t[0] == '.' || t[strlen(t) - 1] == '.' ||
	       (dot != NULL && dot != strrchr(t, '.'));
}

int pg_options_read(const sl_stage *stage, pg_options *o, sl_error *err)
{
	const char *mode = sl_option(stage, "mode");
	const char *keys = sl_option(stage, "key.columns");
	size_t i;

	memset(o, 0, sizeof *o);
	o->conninfo = sl_option(stage, "conninfo");
	o->table = sl_option(stage, "table");
	o->upsert = mode != NULL && strcmp(mode, "upsert") == 0;
	o->offsets_table = sl_option(stage, "offsets.table");
	if (o->offsets_table == NULL)
		o->offsets_table = "sluice_offsets";
	o->state_table = sl_option(stage, "state.table");
	if (o->state_table == NULL)
		o->state_table = "sluice_state";
	if (o->conninfo == NULL || o->table == NULL)
		return sl_error_set(err, SL_ERR_CONFIG, "conninfo and table are required");
	if (check_conninfo(stage, o->conninfo, err) != SL_OK)
		return SL_ERR;
	if (bad_table_name(o->table))
		return sl_config_error(stage, "table", err,
				       "expected TABLE or SCHEMA.TABLE");
	if (bad_table_name(o->offsets_table))
		return sl_config_error(stage, "offsets.table", err,
				       "expected TABLE or SCHEMA.TABLE");
	if (bad_table_name(o->state_table))
		return sl_config_error(stage, "state.table", err,
				       "expected TABLE or SCHEMA.TABLE");
	if ((keys != NULL && split_list(keys, &o->keys, &o->key_count) != 0) ||
	    sl_option_each(stage, "column.", add_column, o) != 0) {
		pg_options_free(o);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	if (o->upsert && o->key_count == 0) {
		pg_options_free(o);
		return sl_config_error(stage, "mode", err,
				       "upsert needs key.columns, the columns of "
				       "the table's primary key or a unique "
				       "constraint");
	}
	if (!o->upsert && o->key_count > 0) {
		pg_options_free(o);
		return sl_config_error(stage, "key.columns", err,
				       "is upsert's conflict target: set mode = "
				       "upsert, or remove it");
	}
	for (i = 0; i < o->key_count; i++) {
		if (has_name(o->keys, i, o->keys[i])) {
			sl_config_error(stage, "key.columns", err,
					"names column %s twice", o->keys[i]);
			pg_options_free(o);
			return SL_ERR;
		}
		/* without column.*, the table's columns are learnt at open */
		if (o->column_count > 0 &&
		    !has_name(o->columns, o->column_count, o->keys[i])) {
			sl_config_error(stage, "key.columns", err,
					"names %s, which no column.%s option "
					"writes", o->keys[i], o->keys[i]);
			pg_options_free(o);
			return SL_ERR;
		}
	}
	return SL_OK;
}

void pg_options_free(pg_options *o)
{
	free_names(o->keys, o->key_count);
	free_names(o->columns, o->column_count);
	o->keys = o->columns = NULL;
	o->key_count = o->column_count = 0;
}
