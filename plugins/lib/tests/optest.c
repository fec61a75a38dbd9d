/*
 * optest.c - the operator test driver (see optest.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/json_write.h"
#include "optest.h"
#include "runtime/engine.h"
#include "runtime/event_time.h"
#include "runtime/state_host.h"
#include "state/state.h"

static void new_batch(optest *t)
{
	memset(&t->batch, 0, sizeof t->batch);
	t->batch.arena = t->arena;
	t->batch.grow = sl_arena_batch_grow;
	t->batch.engine = &t->engine;
}

int64_t optest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const sl_plugin *optest_load_plugin(const char *name, sl_registry *reg,
				    sl_loader **loader)
{
	char *roots[2] = { TOP_BUILDDIR "/plugins", TOP_SRCDIR "/plugins" };
	const sl_descriptor *d;
	const sl_plugin *p;
	sl_diag diag = { 0 };
	sl_error err;

	*loader = sl_loader_new(&sl_core_host);
	if (*loader == NULL || sl_registry_load(reg, roots, 2, &diag) != 0) {
		fprintf(stderr, "optest: out of memory\n");
		exit(99);
	}
	sl_diag_free(&diag);
	d = sl_registry_find(reg, name);
	if (d == NULL) {
		fprintf(stderr, "optest: no plugin '%s' under %s\n", name, roots[0]);
		exit(99);
	}
	if (sl_loader_get(*loader, reg, d, &p, &err) != SL_OK) {
		fprintf(stderr, "optest: cannot load '%s': %s\n", name, err.message);
		exit(99);
	}
	return p;
}

int optest_open(optest *t, const char *plugin, const char *const *options,
		int errors)
{
	const sl_plugin *p;
	size_t i;

	memset(t, 0, sizeof *t);
	t->arena = sl_arena_new();
	if (t->arena == NULL) {
		fprintf(stderr, "optest: out of memory\n");
		exit(99);
	}
	p = optest_load_plugin(plugin, &t->reg, &t->loader);
	if (p->op == NULL) {
		fprintf(stderr, "optest: '%s' is not an operator\n", plugin);
		exit(99);
	}
	t->op = p->op;
	t->job.path = "job.ini";
	t->job.name = "test";
	t->def.name = "op";
	t->def.kind = SL_KIND_OPERATOR;
	t->def.line = 2;
	t->def.plugin = sl_registry_find(&t->reg, plugin);
	sl_stage_settings_init(&t->def.settings);
	t->def.settings.errors = errors;
	for (i = 0; options != NULL && options[i] != NULL; i++) {
		const char *eq = strchr(options[i], '=');

		if (i == OPTEST_MAX_OPTIONS || eq == NULL) {
			fprintf(stderr, "optest: bad option '%s'\n", options[i]);
			exit(99);
		}
		t->options[i].key = strndup(options[i], (size_t)(eq - options[i]));
		t->options[i].value = strdup(eq + 1);
		t->options[i].line = (int)i + 3;
	}
	t->def.options = t->options;
	t->def.option_count = i;
	t->engine.job = &t->job;
	t->engine.stages = &t->stage;
	t->engine.stage_count = 1;
	t->engine.arena = t->arena;
	t->stage.def = &t->def;
	t->stage.engine = &t->engine;
	t->stage.kind = SL_KIND_OPERATOR;
	t->stage.plugin = p;
	new_batch(t);
	if (t->op->open(&t->stage, &t->self, &t->err) != SL_OK) {
		optest_close(t);
		return SL_ERR;
	}
	t->stage.opened = 1;
	return SL_OK;
}

/* jansson's tree to an sl_value in the arena (strings copied). */
static int convert(sl_arena *a, json_t *j, sl_value *out)
{
	size_t i, n;
	const char *k;
	json_t *v;

	*out = sl_value_null();
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		n = json_object_size(j);
		out->type = SL_TOBJECT;
		out->len = (uint32_t)n;
		out->as.members = sl_arena_alloc(a, (n ? n : 1) * sizeof(sl_member));
		i = 0;
		json_object_foreach(j, k, v) {
			sl_member *m = &out->as.members[i++];
			m->key = sl_arena_strndup(a, k, strlen(k));
			m->key_len = (uint32_t)strlen(k);
			convert(a, v, &m->value);
		}
		return 0;
	case JSON_ARRAY:
		n = json_array_size(j);
		out->type = SL_TARRAY;
		out->len = (uint32_t)n;
		out->as.items = sl_arena_alloc(a, (n ? n : 1) * sizeof(sl_value));
		for (i = 0; i < n; i++)
			convert(a, json_array_get(j, i), &out->as.items[i]);
		return 0;
	case JSON_STRING:
		*out = sl_value_string(sl_arena_strndup(a, json_string_value(j),
							json_string_length(j)),
				       json_string_length(j));
		return 0;
	case JSON_INTEGER:
		*out = sl_value_int(json_integer_value(j));
		return 0;
	case JSON_REAL:
		*out = sl_value_double(json_real_value(j));
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		*out = sl_value_bool(json_is_true(j));
		return 0;
	default:
		return 0;
	}
}

static sl_value *decode(optest *t, const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
	sl_value *v = sl_arena_alloc(t->arena, sizeof *v);

	if (j == NULL) {
		fprintf(stderr, "optest: bad JSON in test: %s: %s\n", text, jerr.text);
		exit(99);
	}
	convert(t->arena, j, v);
	json_decref(j);
	return v;
}

void optest_add(optest *t, const char *value, const char *key, int64_t ts,
		const char *source, int32_t partition)
{
	sl_record *r = sl_batch_push(&t->batch);

	r->value = decode(t, value);
	r->key = key != NULL ? decode(t, key) : NULL;
	r->timestamp = ts;
	r->origin.stage = source;
	r->origin.partition = partition;
	r->origin.offset = (int64_t)t->batch.count - 1;
}

/* Render the batch's records into t->out, then start a new batch. */
static void render(optest *t)
{
	size_t n = 0;
	uint32_t i;

	t->out[0] = '\0';
	for (i = 0; i < t->batch.count; i++) {
		const sl_record *r = &t->batch.records[i];
		sl_buf k = { NULL, 0, 0, t->arena }, v = { NULL, 0, 0, t->arena };

		if (r->key != NULL)
			sl_json_write(r->key, &k);
		if (r->value != NULL)
			sl_json_write(r->value, &v);
		n += (size_t)snprintf(t->out + n, sizeof t->out - n, "%.*s %.*s\n",
				      r->key ? (int)k.len : 1,
				      r->key ? (const char *)k.data : "-",
				      r->value ? (int)v.len : 1,
				      r->value ? (const char *)v.data : "-");
		if (n >= sizeof t->out)
			break;
	}
	sl_arena_reset(t->arena);
	new_batch(t);
}

/* The state partition the engine gives records of input @p partition. */
static void set_partition(optest *t, int32_t partition)
{
	size_t i;

	for (i = 0; i < t->stage.state.count; i++)
		sl_store_set_partition(t->stage.state.stores[i], partition < 0 ? 0 : partition);
}

/*
 * As the engine does, a stateful operator sees one input partition at a
 * time, so what it stores belongs to that partition: the batch goes
 * through in runs of one partition, their outputs in one batch.  A run
 * that says SL_MORE asks for a tick after the batch: its outputs follow,
 * and its SL_MORE is returned (more to come from optest_tick).
 */
int optest_process(optest *t)
{
	sl_batch all = t->batch, run, out;
	uint32_t start, end, i;
	int rc = SL_OK, more = 0;

	memset(&t->err, 0, sizeof t->err);
	memset(&out, 0, sizeof out);
	out.arena = t->arena;
	out.grow = sl_arena_batch_grow;
	out.engine = &t->engine;
	for (start = 0; start < all.count && rc == SL_OK; start = end) {
		for (end = start + 1; end < all.count; end++)
			if (all.records[end].origin.partition !=
			    all.records[start].origin.partition)
				break;
		run = all;
		run.records = all.records + start;
		run.count = run.capacity = end - start;
		/* the run's records are copies: outputs may grow its array */
		run.records = sl_arena_alloc(t->arena, run.count * sizeof *run.records);
		memcpy(run.records, all.records + start, run.count * sizeof *run.records);
		set_partition(t, all.records[start].origin.partition);
		rc = t->op->process(t->self, &run, &t->err);
		if (rc == SL_MORE)
			more = 1, rc = SL_OK;
		for (i = 0; i < run.count; i++)
			*sl_batch_push(&out) = run.records[i];
	}
	if (more && rc == SL_OK && t->op->tick != NULL)
		rc = t->op->tick(t->self, optest_now(), &out, &t->err);
	t->batch = out;
	render(t);
	return rc;
}

int optest_tick(optest *t, int64_t now)
{
	int rc = SL_OK;

	memset(&t->err, 0, sizeof t->err);
	if (t->op->tick != NULL)
		rc = t->op->tick(t->self, now, &t->batch, &t->err);
	render(t);
	return rc;
}

int optest_finish(optest *t)
{
	int rc = SL_OK;

	memset(&t->err, 0, sizeof t->err);
	if (t->op->finish != NULL)
		rc = t->op->finish(t->self, &t->batch, &t->err);
	render(t);
	return rc;
}

int optest_one(optest *t, const char *json)
{
	optest_add(t, json, NULL, -1, "src", -1);
	return optest_process(t);
}

int64_t optest_metric(const optest *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->stage.metric_count; i++)
		if (strcmp(t->stage.metrics[i].name, name) == 0)
			return t->stage.metrics[i].value;
	return 0;
}

void optest_close(optest *t)
{
	sl_error err;
	size_t i;

	if (t->stage.opened && t->op->close != NULL)
		t->op->close(t->self);
	sl_state_host_close_all(&t->stage);
	sl_engine_watermark_close(&t->stage);
	for (i = 0; i < t->stage.metric_count; i++)
		free(t->stage.metrics[i].name);
	free(t->stage.metrics);
	for (i = 0; i < t->def.option_count; i++) {
		free(t->options[i].key);
		free(t->options[i].value);
	}
	if (t->loader != NULL)
		sl_loader_free(t->loader);
	sl_registry_free(&t->reg);
	sl_arena_free(t->arena);
	err = t->err; /* what a failed open said stays readable */
	memset(t, 0, sizeof *t);
	t->err = err;
}
