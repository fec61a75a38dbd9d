/*
 * plan.c - split a job where a keyed stage needs its input repartitioned.
 *
 * A keyed stage (capability `keyed`) keeps state per record key, and that
 * state is partitioned like the stage's input: each instance of the job
 * holds the keys of the partitions it reads.  That is right when every
 * record of a key comes from one partition: a partitioned source whose
 * producers partition by the key (Kafka's do), with no stage in between
 * that replaces the key.  When a stage between a partitioned source and a
 * keyed stage sets the key (capability `sets-key`), the planner splits the
 * job at the keyed stage, as Kafka Streams does: an added sink writes the
 * records, keyed by the new key, to the internal topic
 * JOB-STAGE-repartition, and an added source reads it back, in the same
 * consumer group, into the keyed stage.  Both use the plugin of the
 * partitioned source (which must have capability `repartition`); options
 * they do not set come from a template stage of the job file, so they
 * reach the same cluster with the same settings.  Every instance runs
 * every part of the job.
 *
 * Unpartitioned sources (files, generators) are read by one instance, so
 * their records need no hop; a key-setting stage whose key expression is
 * `key` itself changes nothing.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/stage.h>

#include "base/record_codec.h"
#include "job/plan.h"
#include "plugin/hop_formats.h"

#define HOP_SINK_SUFFIX ".repartition-out"
#define HOP_SOURCE_SUFFIX ".repartition-in"

void sl_plan_topic(const sl_job *job, const sl_job_stage *stage,
		   const char *suffix, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%s-%s", job->name, stage->name, suffix);
}

static int has_cap(const sl_job_stage *st, unsigned cap)
{
	return st->plugin != NULL && (st->plugin->capabilities & cap);
}

static int is_bare_key(const char *text)
{
	while (isspace((unsigned char)*text))
		text++;
	if (strncmp(text, "key", 3) != 0)
		return 0;
	for (text += 3; isspace((unsigned char)*text); text++)
		;
	return *text == '\0';
}

/* Whether records leave @p st keyed as they came in. */
static int keeps_key(const sl_job_stage *st)
{
	size_t i;

	if (st->kind != SL_KIND_OPERATOR || !has_cap(st, SL_CAP_SETS_KEY))
		return 1;
	for (i = 0; i < st->option_count; i++) {
		const sl_opt_desc *d = sl_descriptor_option(st->plugin, st->kind,
							    st->options[i].key);

		if (d != NULL && d->type == SL_OPT_EXPR &&
		    is_bare_key(st->options[i].value))
			return 1;
	}
	return 0;
}

static void number_stages(sl_job *job)
{
	size_t i;

	for (i = 0; i < job->order_count; i++)
		job->order[i]->order_index = i;
}

/* One step of a walk upstream: a stage, and whether a stage between it
 * and where the walk began replaced the key. */
typedef struct step {
	const sl_job_stage *stage;
	int rekeyed;
} step;

/*
 * Walk upstream from @p from; return the first source for which @p want
 * says yes, given whether the key was replaced on the way (NULL if none).
 * -1 in *oom when out of memory.
 */
static const sl_job_stage *walk_up(const sl_job *job, const sl_job_stage *from,
				   int (*want)(const sl_job_stage *, int),
				   int *oom)
{
	size_t n = job->order_count, top = 0, i;
	step *stack = malloc((2 * n + 1) * sizeof *stack);
	unsigned char *seen = calloc(n + 1, 1);
	const sl_job_stage *found = NULL;

	if (stack == NULL || seen == NULL) {
		free(stack);
		free(seen);
		*oom = -1;
		return NULL;
	}
	stack[top++] = (step){ from, 0 };
	while (top > 0 && found == NULL) {
		step s = stack[--top];
		int rekeyed = s.rekeyed;

		if (s.stage->kind == SL_KIND_SOURCE) {
			if (want(s.stage, rekeyed))
				found = s.stage;
			continue;
		}
		if (s.stage != from && !keeps_key(s.stage))
			rekeyed = 1;
		for (i = 0; i < s.stage->input_count; i++) {
			const sl_job_stage *in = s.stage->inputs[i];
			unsigned char bit = rekeyed ? 2 : 1;

			if (seen[in->order_index] & bit)
				continue;
			seen[in->order_index] |= bit;
			stack[top++] = (step){ in, rekeyed };
		}
	}
	free(stack);
	free(seen);
	return found;
}

static int partitioned_and_rekeyed(const sl_job_stage *source, int rekeyed)
{
	return rekeyed && has_cap(source, SL_CAP_PARTITIONED);
}

static int partitioned(const sl_job_stage *source, int rekeyed)
{
	(void)rekeyed;
	return has_cap(source, SL_CAP_PARTITIONED);
}

const sl_job_stage *sl_plan_partitioned_source(const sl_job_stage *stage)
{
	while (stage != NULL && stage->role != SL_ROLE_JOB)
		stage = stage->template_of;
	return stage;
}

/* ---- adding a hop ----------------------------------------------------------- */

static sl_job_stage *new_stage(const sl_job_stage *k, const char *suffix,
			       unsigned kind, int role)
{
	sl_job_stage *st = calloc(1, sizeof *st);
	size_t n = strlen(k->name) + strlen(suffix) + 1;

	if (st == NULL || (st->name = malloc(n)) == NULL) {
		free(st);
		return NULL;
	}
	snprintf(st->name, n, "%s%s", k->name, suffix);
	st->kind = kind;
	st->line = k->line;
	st->role = role;
	sl_stage_settings_init(&st->settings);
	st->serves = k;
	return st;
}

/* The keyed stage's per-record policy also covers its hop's sink, which
 * meets the same records first. */
static int copy_policy(sl_job_stage *to, const sl_job_stage *k)
{
	static const char *const keys[] = { "errors", "dead-letter.topic" };
	size_t i;

	to->settings.errors = k->settings.errors;
	to->settings.dead_letter_topic = k->settings.dead_letter_topic;
	to->options = calloc(2, sizeof *to->options);
	if (to->options == NULL)
		return -1;
	for (i = 0; i < 2; i++) {
		const sl_job_option *o = sl_job_stage_option(k, keys[i]);
		sl_job_option *c = &to->options[to->option_count];

		if (o == NULL)
			continue;
		c->key = strdup(o->key);
		c->value = strdup(o->value);
		c->line = o->line;
		c->desc = o->desc;
		c->parsed = o->parsed;
		to->option_count++;
		if (c->key == NULL || c->value == NULL)
			return -1;
	}
	return 0;
}

static int remember(sl_job *job, sl_job_stage *st)
{
	sl_job_stage **grown = realloc(job->added,
				       (job->added_count + 1) * sizeof *grown);

	if (grown == NULL)
		return -1;
	job->added = grown;
	job->added[job->added_count++] = st;
	return 0;
}

/* The job file's first sink of @p plugin, else @p source: where the hop's
 * sink takes its settings, so that it can share that sink's producer. */
static const sl_job_stage *sink_template(const sl_job *job,
					 const sl_job_stage *source)
{
	size_t i;

	for (i = 0; i < job->stage_count; i++)
		if (job->stages[i].kind == SL_KIND_SINK &&
		    job->stages[i].plugin == source->plugin)
			return &job->stages[i];
	return source;
}

/* Put @p sink and @p source just before @p k in the order. */
static int reorder(sl_job *job, sl_job_stage *k, sl_job_stage *sink,
		   sl_job_stage *source)
{
	sl_job_stage **order = malloc((job->order_count + 2) * sizeof *order);
	size_t i, n = 0;

	if (order == NULL)
		return -1;
	for (i = 0; i < job->order_count; i++) {
		if (job->order[i] == k) {
			order[n++] = sink;
			order[n++] = source;
		}
		order[n++] = job->order[i];
	}
	free(job->order);
	job->order = order;
	job->order_count = n;
	number_stages(job);
	return 0;
}

static int add_hop(sl_job *job, sl_job_stage *k, const sl_job_stage *from)
{
	sl_job_stage *sink, *source;
	char topic[1024];

	sink = new_stage(k, HOP_SINK_SUFFIX, SL_KIND_SINK, SL_ROLE_REPARTITION_SINK);
	source = new_stage(k, HOP_SOURCE_SUFFIX, SL_KIND_SOURCE,
			   SL_ROLE_REPARTITION_SOURCE);
	if (sink == NULL || source == NULL || remember(job, sink) != 0) {
		free(sink);
		free(source);
		return -1;
	}
	if (remember(job, source) != 0) {
		free(source);
		return -1;
	}
	sl_plan_topic(job, k, "repartition", topic, sizeof topic);
	if ((sink->storage = strdup(topic)) == NULL ||
	    (source->storage = strdup(topic)) == NULL || copy_policy(sink, k) != 0)
		return -1;
	sink->plugin = source->plugin = from->plugin;
	sink->format = source->format = &sl_hop_value_format;
	sink->key_format = source->key_format = &sl_hop_key_format;
	sink->template_of = sink_template(job, from);
	source->template_of = from;
	sink->partitions = source->partitions =
		(int32_t)k->settings.repartition_partitions;
	/* the sink takes the keyed stage's inputs, the stage reads the hop */
	sink->inputs = k->inputs;
	sink->input_count = k->input_count;
	k->inputs = malloc(sizeof *k->inputs);
	if (k->inputs == NULL) {
		k->input_count = 0;
		return -1;
	}
	k->inputs[0] = source;
	k->input_count = 1;
	return reorder(job, k, sink, source);
}

/*
 * A job with keyed state that names no [store] keeps it in a store of
 * the plugin of its first sink that provides one, with that sink's
 * settings (so that it can share the sink's producer and transaction).
 */
static int add_default_store(sl_job *job)
{
	const sl_job_stage *sink = NULL;
	sl_job_stage *store, **order;
	size_t i;
	int keyed = 0;

	for (i = 0; i < job->stage_count; i++) {
		const sl_job_stage *st = &job->stages[i];

		if (st->kind == SL_KIND_STORE)
			return 0;
		keyed |= st->kind == SL_KIND_OPERATOR && has_cap(st, SL_CAP_KEYED);
		if (sink == NULL && st->kind == SL_KIND_SINK && st->plugin != NULL &&
		    (st->plugin->kinds & SL_KIND_STORE))
			sink = st;
	}
	if (!keyed || sink == NULL)
		return 0;
	if ((store = new_stage(sink, ".store", SL_KIND_STORE, SL_ROLE_JOB)) == NULL)
		return -1;
	store->serves = NULL;
	store->plugin = sink->plugin;
	store->template_of = sink;
	if (remember(job, store) != 0) {
		free(store->name);
		free(store);
		return -1;
	}
	if ((order = realloc(job->order, (job->order_count + 1) * sizeof *order)) == NULL)
		return -1;
	job->order = order;
	job->order[job->order_count++] = store;
	number_stages(job);
	return 0;
}

int sl_plan_job(sl_job *job, sl_diag *notes)
{
	size_t i;
	int oom = 0;

	if (add_default_store(job) != 0)
		return -1;
	number_stages(job);
	/* in order, so a hop upstream exists before a later stage's walk */
	for (i = 0; i < job->order_count; i++) {
		sl_job_stage *k = job->order[i];
		const sl_job_stage *from;

		if (k->kind != SL_KIND_OPERATOR || !has_cap(k, SL_CAP_KEYED))
			continue;
		from = walk_up(job, k, partitioned_and_rekeyed, &oom);
		if (oom)
			return -1;
		if (from == NULL)
			continue;
		if (!has_cap(from, SL_CAP_REPARTITION)) {
			if (notes != NULL)
				sl_diag_add(notes, job->path, k->line, "stage '%s' "
					"groups by a key that the partitions of "
					"source '%s' are not keyed by, and plugin "
					"'%s' cannot carry a repartition topic: run "
					"a single instance of this job", k->name,
					from->name, from->plugin->name);
			continue;
		}
		if (add_hop(job, k, from) != 0)
			return -1;
		/* the order grew by two in front of k */
		i += 2;
	}
	return 0;
}

/* ---- describing the plan ---------------------------------------------------- */

static size_t root(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

/* "as many partitions as ..." for the input of @p st into @p buf. */
static void input_partitions(const sl_job *job, const sl_job_stage *st,
			     char *buf, size_t size)
{
	const sl_job_stage *from;
	char topic[1024];
	int oom = 0;

	if (st->input_count == 1 &&
	    st->inputs[0]->role == SL_ROLE_REPARTITION_SOURCE) {
		sl_plan_topic(job, st, "repartition", topic, sizeof topic);
		snprintf(buf, size, "as many as %s", topic);
		return;
	}
	from = walk_up(job, st, partitioned, &oom);
	if (from != NULL)
		snprintf(buf, size, "as many as the input of source '%s'",
			 from->name);
	else
		snprintf(buf, size, "1 (unpartitioned input)");
}

/*
 * Parts are what hops cut apart: stages joined by the records they pass,
 * except that a sink, where records leave the job, joins nothing (it is
 * listed in every part that writes to it).
 */
static void print_parts(const sl_job *job, FILE *out)
{
	size_t n = job->order_count, i, j, k, parts = 0;
	size_t *parent = malloc((n + 1) * sizeof *parent);
	unsigned char *printed = calloc(n + 1, 1);

	if (parent == NULL || printed == NULL) {
		free(parent);
		free(printed);
		return;
	}
	for (i = 0; i < n; i++)
		parent[i] = i;
	for (i = 0; i < n; i++)
		for (j = 0; job->order[i]->kind != SL_KIND_SINK &&
			    j < job->order[i]->input_count; j++)
			parent[root(parent, i)] =
				root(parent, job->order[i]->inputs[j]->order_index);
	for (i = 0; i < n; i++)
		parts += (job->order[i]->kind & (SL_KIND_SOURCE | SL_KIND_OPERATOR)) &&
			 root(parent, i) == i;
	fprintf(out, "plan: %zu part%s%s\n", parts, parts == 1 ? "" : "s",
		parts > 1 ? "; every instance runs every part" : "");
	for (i = 0, parts = 0; i < n; i++) {
		size_t r = root(parent, i);
		const char *sep = " ";

		if (!(job->order[i]->kind & (SL_KIND_SOURCE | SL_KIND_OPERATOR)) ||
		    printed[r])
			continue;
		printed[r] = 1;
		fprintf(out, "  part %zu:", ++parts);
		for (j = i; j < n; j++) {
			const sl_job_stage *st = job->order[j];
			int in_part = (st->kind & (SL_KIND_SOURCE | SL_KIND_OPERATOR)) &&
				      root(parent, j) == r;

			for (k = 0; !in_part && st->kind == SL_KIND_SINK &&
				    k < st->input_count; k++)
				in_part = root(parent, st->inputs[k]->order_index) == r;
			if (in_part) {
				fprintf(out, "%s%s", sep, st->name);
				sep = ", ";
			}
		}
		fprintf(out, "\n");
	}
	free(parent);
	free(printed);
}

/* The job's store, or NULL. */
static const sl_job_stage *store_of(const sl_job *job)
{
	size_t i;

	for (i = 0; i < job->order_count; i++)
		if (job->order[i]->kind == SL_KIND_STORE)
			return job->order[i];
	return NULL;
}

/* Where the keyed state of the job is kept, one line per keyed stage. */
static void print_state(const sl_job *job, FILE *out)
{
	const sl_job_stage *store = store_of(job);
	char parts[1100];
	size_t i;
	int any = 0;

	for (i = 0; i < job->order_count; i++) {
		const sl_job_stage *st = job->order[i];

		if (st->kind != SL_KIND_OPERATOR || !has_cap(st, SL_CAP_KEYED))
			continue;
		if (!any++)
			fprintf(out, "keyed state:\n");
		if (job->delivery == SL_DELIVERY_NONE || store == NULL) {
			fprintf(out, "  stage '%s': in memory only (%s)\n", st->name,
				store == NULL ? "no store, and no sink whose plugin "
				"provides one" : "delivery = none");
			continue;
		}
		input_partitions(job, st, parts, sizeof parts);
		fprintf(out, "  stage '%s': in store '%s' (plugin %s%s%s%s); "
			"partitions: %s\n", st->name, store->name,
			store->plugin->name,
			store->template_of ? ", with the settings of sink '" : "",
			store->template_of ? store->template_of->name : "",
			store->template_of ? "'" : "", parts);
	}
}

void sl_plan_print(const sl_job *job, FILE *out)
{
	char parts[1100];
	size_t i;
	int any = 0;

	print_parts(job, out);
	for (i = 0; i < job->order_count; i++) {
		const sl_job_stage *st = job->order[i];

		if (st->role == SL_ROLE_REPARTITION_SINK) {
			if (st->partitions > 0)
				snprintf(parts, sizeof parts, "%d (repartition.partitions)",
					 (int)st->partitions);
			else
				snprintf(parts, sizeof parts, "as many as the input of "
					 "source '%s'",
					 sl_plan_partitioned_source(st->serves->inputs[0])->name);
			fprintf(out, "%s  %s: repartition of stage '%s' by its key; "
				"partitions: %s\n", any++ ? "" : "internal topics:\n",
				st->storage, st->serves->name, parts);
		}
	}
	if (any)
		fprintf(out, "  every repartition topic: keys as text, values in "
			"sluice's binary record codec v%d\n",
			SL_RECORD_CODEC_VERSION);
	print_state(job, out);
}
