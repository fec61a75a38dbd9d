/*
 * join.c - the join operator: each record gets the latest value of its
 * key in a table, a compacted Kafka topic read at open (or as stream
 * partitions come, with global = false) and followed afterwards
 * (join_reader.c), held in memory (join_table.c).
 *
 * The record's key, as keyed operators group by it (its text: a string
 * as is, a number in decimal, plugins/lib/groupkey.h), is looked up
 * among the table's raw key bytes.  The table keeps the raw value bytes
 * of each key; the table.format plugin (opened through the host)
 * decodes them when a record finds them, into the batch's arena, so a
 * bad table value is an error of the records that meet it, under
 * `errors`.
 *
 * The table is the operator's state: it is restored from its own topic
 * at every open, never copied to a changelog.  With global = true (the
 * default) every instance holds the whole table; with global = false
 * the table topic must be co-partitioned with the stream, and an
 * instance holds the table partitions of the numbers of the stream
 * partitions it reads: the engine tells it (inputs_assigned) before any
 * record of a new stream partition comes, and the reader loads the
 * table partition then.  With table.path the table is read from a file
 * instead, once and whole (join_file.h): how `sluice test` gives a join
 * the table rows of a case, with no broker.
 */
#include <stdlib.h>
#include <string.h>

#include <sluice/plugin.h>

#include "../lib/groupkey.h"
#include "join_file.h"
#include "join_reader.h"
#include "join_table.h"

typedef struct join {
	sl_stage *stage;
	int inner;
	int global;
	sl_format_use *format; /* table.format's plugin */
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
	/* the descriptor's enum: formats known to give what a field takes */
	if (format != NULL && strcmp(format, "json") != 0 &&
	    strcmp(format, "string") != 0 && strcmp(format, "bytes") != 0)
		return sl_config_error(stage, "table.format", err,
				       "'%s': expected json, string or bytes",
				       format);
	/* a table split like the stream is only right when both are
	 * partitioned by the key the same way, which nothing here can see:
	 * the whole table stays the default, right whatever the stream */
	j->global = sl_option(stage, "global") == NULL ||
		    sl_option_bool(stage, "global");
	/* a table from a file is read whole, whatever the stream holds */
	if (j->path != NULL)
		j->global = 1;
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
	sl_format_release(j->format);
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
	const char *format;

	if (j == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	j->stage = stage;
	format = sl_option(stage, "table.format");
	if (read_options(j, stage, err) != SL_OK ||
	    (j->format = sl_format_use(stage, format != NULL ? format : "json",
				       err)) == NULL ||
	    (j->path != NULL ? read_file(j, err) :
	     join_reader_open(&j->reader, stage, sl_option(stage, "table.topic"),
			      &j->table, !j->global, err)) != SL_OK) {
		sl_format_release(j->format);
		join_table_free(&j->table);
		free(j);
		return SL_ERR;
	}
	*self = j;
	return SL_OK;
}

/*
 * A table value, decoded into @p arena by the table.format plugin.  The
 * bytes are copied into the arena first: a format may point strings into
 * them, and the row may be replaced or dropped while the batch lives.
 * SL_OK or SL_ERR.
 */
static int decode(const join *j, const join_row *row, sl_arena *arena,
		  sl_value *out, sl_error *err)
{
	uint8_t *v = sl_arena_alloc(arena, row->vlen ? row->vlen : 1);

	if (v == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	memcpy(v, row->data + row->klen, row->vlen);
	return sl_format_decode(j->format, v, row->vlen, arena, out, err);
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
/* A record's key as the table is looked up by it (a NULL text: none). */
typedef struct lookup {
	const char *key;
	size_t klen;
	uint64_t hash;
} lookup;

/* Records looked up together: their keys are hashed and their slots and
 * rows fetched into the cache a step ahead of the lookups. */
#define LOOKAHEAD 32

static int join_one(join *j, sl_batch *batch, sl_record *r, const lookup *at,
		    sl_error *err)
{
	const char *key = at->key;
	size_t klen = at->klen;
	const join_row *row;
	sl_value found = sl_value_null();
	sl_error why;
	int rc;

	if (r->value == NULL || r->value->type != SL_TOBJECT)
		rc = sl_record_error(j->stage, r, err, "the value is not an "
				     "object: join adds the table's value to it "
				     "as field '%s'", j->as);
	else if (key == NULL)
		rc = sl_record_error(j->stage, r, err,
				     "the key cannot be written as text");
	else if ((row = join_table_get_hashed(&j->table, at->hash, key,
					      klen)) == NULL &&
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

/*
 * global = false: a record may only meet the table partition of its own
 * stream partition, and only if its key is the one it was partitioned
 * by.  Anything else would look up the wrong rows and pass as unmatched,
 * so it stops the job, saying why.
 */
static int check_split(const join *j, const sl_record *r, sl_error *err)
{
	int32_t p = r->origin.partition;

	if (r->flags & SL_RECORD_KEY_SET)
		return sl_error_set(err, SL_ERR_CONFIG, "global = false: a "
				    "stage before the join set the record's "
				    "key, so its stream partition (%d) no "
				    "longer follows its key: join on the key "
				    "the stream is partitioned by, or set "
				    "global = true", (int)p);
	if (p < 0 || p >= j->reader.nparts || j->reader.held[p] == 0)
		return sl_error_set(err, SL_ERR_CONFIG, "global = false: a "
				    "record of stream partition %d (%s), whose "
				    "table partition this instance was not "
				    "given: the join's input must come from a "
				    "partitioned source (kafka) co-partitioned "
				    "with the table, or set global = true",
				    (int)p, r->origin.topic != NULL ?
				    r->origin.topic : "no topic");
	return SL_OK;
}

/*
 * The keys of records @p from .. from + LOOKAHEAD - 1 into @p out, their
 * slots then their rows asked for: a table larger than the cache costs a
 * miss for the slot and one for the row of every lookup, and waiting for
 * them one record after another was a quarter of the join's CPU.
 */
static void look_ahead(const join *j, sl_batch *batch, uint32_t from,
		       lookup *out)
{
	uint32_t i, n = batch->count - from;

	if (n > LOOKAHEAD)
		n = LOOKAHEAD;
	for (i = 0; i < n; i++) {
		const sl_record *r = &batch->records[from + i];
		lookup *l = &out[i];

		l->key = NULL;
		if (r->value == NULL || r->value->type != SL_TOBJECT ||
		    slop_group_key(r->key, batch->arena, &l->key, &l->klen) != 0) {
			l->key = NULL;
			continue;
		}
		l->hash = join_table_hash(l->key, l->klen);
		join_table_prefetch(&j->table, l->hash, 0);
	}
	for (i = 0; i < n; i++)
		if (out[i].key != NULL)
			join_table_prefetch(&j->table, out[i].hash, 1);
}

static int join_process(void *self, sl_batch *batch, sl_error *err)
{
	join *j = self;
	uint32_t i, kept = 0;
	lookup ahead[LOOKAHEAD];
	int rc = SL_OK;

	/* table updates that came meanwhile apply to the records that follow */
	if (j->path == NULL && join_reader_poll(&j->reader, err) != SL_OK)
		return SL_ERR;
	for (i = 0; i < batch->count; i++) {
		sl_record *r = &batch->records[i];

		if (i % LOOKAHEAD == 0)
			look_ahead(j, batch, i, ahead);
		if (!j->global && check_split(j, r, err) != SL_OK) {
			rc = SL_ERR;
			break;
		}
		rc = join_one(j, batch, r, &ahead[i % LOOKAHEAD], err);
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

/* global = false: the stream partitions of these numbers came here; the
 * table partitions of the same numbers are read before their records. */
static int join_inputs_assigned(void *self, const sl_input *inputs,
				size_t count, sl_error *err)
{
	join *j = self;

	if (j->global)
		return SL_OK;
	return join_reader_take(&j->reader, inputs, count, err);
}

static void join_inputs_revoked(void *self, const sl_input *inputs,
				size_t count)
{
	join *j = self;

	if (!j->global)
		join_reader_drop(&j->reader, inputs, count);
}

/* Designated: the class grows at the end. */
static const sl_operator_class join_op = {
	.struct_size = sizeof(sl_operator_class),
	.open = join_open,
	.process = join_process,
	.tick = join_tick,
	.close = join_close,
	.check = join_check,
	.inputs_assigned = join_inputs_assigned,
	.inputs_revoked = join_inputs_revoked,
};

SL_PLUGIN("join", .op = &join_op,
	  .host_needs = SL_HOST_SIZE_WITH(format_release))
