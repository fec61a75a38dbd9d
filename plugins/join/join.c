/*
 * join.c - the join operator: each record gets the latest value of its
 * key in a table, a compacted Kafka topic read whole at open and followed
 * afterwards (join_reader.c), held in memory (join_table.c).
 *
 * The record's key, as keyed operators group by it (its text: a string
 * as is, a number in decimal, plugins/lib/groupkey.h), is looked up
 * among the table's raw key bytes.  The table keeps the raw value bytes
 * of each key; they are decoded with table.format when a record finds
 * them, into the batch's arena, so a bad table value is an error of the
 * records that meet it, under `errors`.
 *
 * The table is the operator's state: it is restored from its own topic
 * at every open, never copied to a changelog.  With table.path it is
 * read from a file instead, once (join_file.h): how `sluice test` gives
 * a join the table rows of a case, with no broker.  Every instance holds the
 * whole table (global = true); a table split by partition, beside
 * co-partitioned streams, is not there yet, and check says so.
 */
#include <stdlib.h>
#include <string.h>

#include <sluice/plugin.h>

#include "../json/json_internal.h"
#include "../lib/groupkey.h"
#include "join_file.h"
#include "join_reader.h"
#include "join_table.h"

enum table_format { FORMAT_JSON, FORMAT_STRING, FORMAT_BYTES };

typedef struct join {
	sl_stage *stage;
	int inner;
	enum table_format format;
	const char *as;
	const char *path;  /* table.path: the table from a file, no topic */
	join_table table;
	join_reader reader;
} join;

/* The options, read and checked: what check and open share. */
static int read_options(join *j, const sl_stage *stage, sl_error *err)
{
	const char *topic = sl_option(stage, "table.topic");
	const char *type = sl_option(stage, "type");
	const char *format = sl_option(stage, "table.format");
	const char *servers = sl_option(stage, "bootstrap.servers");
	const char *global = sl_option(stage, "global");

	j->path = sl_option(stage, "table.path");
	if (j->path != NULL && *j->path == '\0')
		return sl_config_error(stage, "table.path", err, "names no file");
	if (j->path != NULL)
		topic = servers = "-"; /* neither is read */
	if (topic == NULL || *topic == '\0')
		return sl_config_error(stage, "table.topic", err,
				       "names no topic: the compacted topic "
				       "holding the table is required");
	if (servers == NULL || *servers == '\0')
		return sl_config_error(stage, "bootstrap.servers", err,
				       "names no broker (host:port, ...)");
	if (type == NULL || strcmp(type, "inner") == 0)
		j->inner = 1;
	else if (strcmp(type, "left") == 0)
		j->inner = 0;
	else
		return sl_config_error(stage, "type", err,
				       "'%s': expected inner or left", type);
	if (format == NULL || strcmp(format, "json") == 0)
		j->format = FORMAT_JSON;
	else if (strcmp(format, "string") == 0)
		j->format = FORMAT_STRING;
	else if (strcmp(format, "bytes") == 0)
		j->format = FORMAT_BYTES;
	else
		return sl_config_error(stage, "table.format", err,
				       "'%s': expected json, string or bytes",
				       format);
	if (global != NULL && !sl_option_bool(stage, "global"))
		return sl_config_error(stage, "global", err,
				       "only global tables are supported yet "
				       "(every instance reads the whole table "
				       "topic); a table split by partition "
				       "needs co-partitioned streams, which "
				       "join does not arrange");
	j->as = sl_option(stage, "as");
	if (j->as == NULL)
		j->as = "table";
	if (*j->as == '\0')
		return sl_config_error(stage, "as", err,
				       "names no field for the table's value");
	return SL_OK;
}

static int join_check(const sl_stage *stage, sl_error *err)
{
	join j;

	memset(&j, 0, sizeof j);
	return read_options(&j, stage, err);
}

static void join_close(void *self)
{
	join *j = self;

	if (j == NULL)
		return;
	join_reader_close(&j->reader);
	sl_log(j->stage, SL_LOG_INFO, "table %s at the end: %zu key(s), "
	       "%zu byte(s) in memory", j->path != NULL ? j->path :
	       sl_option(j->stage, "table.topic"), j->table.keys, j->table.bytes);
	join_table_free(&j->table);
	free(j);
}

/* table.path into the table; its rows split at table.key.separator
 * (\t: a tab, as the file plugin reads key.separator). */
static int read_file(join *j, sl_error *err)
{
	const char *text = sl_option(j->stage, "table.key.separator");
	char sep[64];
	size_t n = 0;

	for (text = text ? text : "\\t"; *text && n + 1 < sizeof sep; text++) {
		if (text[0] == '\\' && text[1] == 't') {
			sep[n++] = '\t';
			text++;
		} else {
			sep[n++] = *text;
		}
	}
	sep[n] = '\0';
	if (n == 0 || *text != '\0')
		return sl_config_error(j->stage, "table.key.separator", err,
				       "is empty or longer than %zu bytes",
				       sizeof sep - 1);
	return join_file_read(j->path, sep, &j->table, err);
}

static int join_open(sl_stage *stage, void **self, sl_error *err)
{
	join *j = calloc(1, sizeof *j);

	if (j == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	j->stage = stage;
	if (read_options(j, stage, err) != SL_OK ||
	    (j->path != NULL ? read_file(j, err) :
	     join_reader_open(&j->reader, stage, sl_option(stage, "table.topic"),
			      &j->table, err)) != SL_OK) {
		join_table_free(&j->table);
		free(j);
		return SL_ERR;
	}
	*self = j;
	return SL_OK;
}

/* A table value, decoded into @p arena.  SL_OK or SL_ERR. */
static int decode(const join *j, const join_row *row, sl_arena *arena,
		  sl_value *out, sl_error *err)
{
	const uint8_t *v = row->data + row->klen;
	const char *s;

	switch (j->format) {
	case FORMAT_JSON:
		return json_decode_jansson(v, row->vlen, arena, out, err);
	case FORMAT_STRING:
		if (sl_utf8_invalid_at(v, row->vlen) != row->vlen)
			return sl_error_set(err, SL_ERR_RECORD,
					    "not UTF-8 (table.format = string)");
		s = sl_arena_strndup(arena, v, row->vlen);
		if (s == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		*out = sl_value_string(s, row->vlen);
		return SL_OK;
	case FORMAT_BYTES:
		*out = sl_value_bytes(v, row->vlen);
		return SL_OK;
	}
	return sl_error_set(err, SL_ERR_RUNTIME, "unknown table.format");
}

/*
 * The stream value with the table's value (or null) under `as`: a new
 * object in the arena, a member of that name replaced in place.
 * 1 done, 0 out of memory.
 */
static int enrich(const join *j, sl_record *r, const sl_value *found,
		  sl_arena *arena)
{
	const sl_value *in = r->value;
	size_t alen = strlen(j->as), i, n = in->len;
	sl_value *out = sl_arena_alloc(arena, sizeof *out);
	sl_member *m;

	if (sl_value_member_n(in, j->as, alen) == NULL)
		n++;
	m = sl_arena_alloc(arena, n * sizeof *m);
	if (out == NULL || m == NULL)
		return 0;
	for (i = 0; i < in->len; i++)
		m[i] = in->as.members[i];
	if (n > in->len) {
		m[n - 1].key = j->as;
		m[n - 1].key_len = (uint32_t)alen;
		m[n - 1].value = *found;
	} else {
		for (i = 0; i < n; i++)
			if (m[i].key_len == alen && memcmp(m[i].key, j->as, alen) == 0)
				m[i].value = *found;
	}
	out->type = SL_TOBJECT;
	out->len = (uint32_t)n;
	out->as.members = m;
	sl_record_set_value(r, out);
	return 1;
}

/* One record: SL_OK kept, SL_SKIP dropped or failed under `errors`,
 * SL_ERR. */
static int join_one(join *j, sl_batch *batch, sl_record *r, sl_error *err)
{
	const char *key;
	size_t klen;
	const join_row *row;
	sl_value found = sl_value_null();
	sl_error why;
	int rc;

	if (r->value == NULL || r->value->type != SL_TOBJECT)
		rc = sl_record_error(j->stage, r, err, "the value is not an "
				     "object: join adds the table's value to it "
				     "as field '%s'", j->as);
	else if (slop_group_key(r->key, batch->arena, &key, &klen) != 0)
		rc = sl_record_error(j->stage, r, err,
				     "the key cannot be written as text");
	else if ((row = join_table_get(&j->table, key, klen)) == NULL &&
		 j->inner) {
		sl_metric_add(j->stage, "unmatched", 1);
		return SL_SKIP;
	} else if (row != NULL &&
		   decode(j, row, batch->arena, &found, &why) != SL_OK) {
		if (why.kind != SL_ERR_RECORD) {
			*err = why;
			return SL_ERR;
		}
		rc = sl_record_error(j->stage, r, err, "the table's value for "
				     "key '%.*s' (table.format): %s", (int)klen,
				     key, why.message);
	} else if (!enrich(j, r, &found, batch->arena))
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	else {
		if (row == NULL)
			sl_metric_add(j->stage, "unmatched", 1);
		return SL_OK;
	}
	return rc == SL_ERR ? SL_ERR : SL_SKIP;
}

static int join_process(void *self, sl_batch *batch, sl_error *err)
{
	join *j = self;
	uint32_t i, kept = 0;
	int rc = SL_OK;

	/* table updates that came meanwhile apply to the records that follow */
	if (j->path == NULL && join_reader_poll(&j->reader, err) != SL_OK)
		return SL_ERR;
	for (i = 0; i < batch->count; i++) {
		sl_record *r = &batch->records[i];

		rc = join_one(j, batch, r, err);
		if (rc == SL_ERR)
			break;
		if (rc == SL_OK) {
			if (kept != i)
				batch->records[kept] = *r;
			kept++;
		}
		rc = SL_OK;
	}
	batch->count = kept;
	return rc;
}

/* Between batches the table follows its topic too: memory and the lag
 * of the table do not wait for the next stream record. */
static int join_tick(void *self, int64_t now_ms, sl_batch *out, sl_error *err)
{
	join *j = self;

	(void)now_ms;
	(void)out;
	return j->path != NULL ? SL_OK : join_reader_poll(&j->reader, err);
}

/* Designated: the class grows at the end. */
static const sl_operator_class join_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = join_open,
	.process = join_process,
	.tick = join_tick,
	.close = join_close,
	.check = join_check,
};

SL_PLUGIN("join", .op = &join_op,
	  .host_needs = SL_HOST_SIZE_WITH(utf8_invalid_at))
