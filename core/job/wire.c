/*
 * wire.c - who reads from whom in a job, in what order, and what cannot
 * run (cycles, stages nobody reads, fan-outs that multiply).
 *
 * Wiring rule.  A stage without `from` reads from the nearest stage above
 * it in the file that produces records: a source or an operator, never a
 * sink.  So a source followed by two sinks fans out to both, which is what
 * a user who lists "where the records go" under a source expects, and a
 * sink placed between two operators does not cut the chain.  `from = a, b`
 * overrides the rule (fan-in).  Sources take no `from`.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/check.h"
#include "base/job_limits.h"

/* ---- wiring ---------------------------------------------------------------- */

/*
 * Every check below takes time linear in the job (stages plus `from`
 * items), give or take a logarithm: a job at the stage limit validates
 * at once.
 */

/* Who reads from whom, both ways, and what the walks below need. */
typedef struct graph {
	size_t *start;    /* readers of stage i: reader[start[i] .. start[i+1]) */
	size_t *reader;
	size_t *listed;   /* wire_from: the stage + 1 whose list named it last */
} graph;

static size_t index_of(const sl_job *job, const sl_job_stage *st)
{
	return (size_t)(st - job->stages);
}

static void wiring_problem_from(sl_check *c, const sl_job_stage *st,
				const sl_job_option *o, const char *name,
				size_t len, const char *why)
{
	sl_check_problem(c, st->name, o, "from: '%.*s' %s", (int)len, name, why);
	c->wiring_problems++;
}

/* Why `from` cannot name @p len bytes at @p name: no such stage, and
 * which readable stage it likely meant. */
static const char *no_stage(const sl_job *job, const sl_job_stage *st,
			    const char *name, size_t len, char *buf, size_t size)
{
	sl_suggest near;
	size_t i;
	char word[64];

	snprintf(buf, size, "names no stage in this job");
	if (len >= sizeof word)
		return buf;
	memcpy(word, name, len);
	word[len] = '\0';
	sl_suggest_init(&near, word);
	for (i = 0; i < job->stage_count; i++)
		if (&job->stages[i] != st &&
		    (job->stages[i].kind & (SL_KIND_SOURCE | SL_KIND_OPERATOR)))
			sl_suggest_consider(&near, job->stages[i].name);
	if (sl_suggest_best(&near) != NULL)
		snprintf(buf, size, "names no stage in this job; did you mean "
			 "'%s'?", sl_suggest_best(&near));
	return buf;
}

/* The stages named by `from = a, b`; -1 when out of memory. */
static int wire_from(sl_check *c, graph *g, sl_job_stage *st, const sl_job_option *o)
{
	char why[160];
	const char *p = o->value, *end, *a, *b;
	size_t items = 1, self = index_of(c->job, st);
	sl_job_stage *in;

	for (a = p; (a = strchr(a, ',')) != NULL; a++)
		items++;
	if ((st->inputs = calloc(items, sizeof *st->inputs)) == NULL)
		return -1;
	for (;; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		for (a = p; a < end && isspace((unsigned char)*a); a++)
			;
		for (b = end; b > a && isspace((unsigned char)b[-1]); b--)
			;
		in = sl_job_stage_named(c->job, a, (size_t)(b - a));
		if (a == b)
			c->wiring_problems++; /* reported as an empty list item */
		else if (in == NULL)
			wiring_problem_from(c, st, o, a, (size_t)(b - a),
					    no_stage(c->job, st, a, (size_t)(b - a),
						     why, sizeof why));
		else if (in->kind == SL_KIND_SINK || in->kind == SL_KIND_STORE)
			wiring_problem_from(c, st, o, a, (size_t)(b - a),
					    in->kind == SL_KIND_SINK ?
					    "is a sink; sinks produce no records "
					    "to read" : "is a store; it keeps state, "
					    "it produces no records");
		else if (g->listed[index_of(c->job, in)] == self + 1)
			wiring_problem_from(c, st, o, a, (size_t)(b - a),
					    "is listed twice");
		else {
			g->listed[index_of(c->job, in)] = self + 1;
			st->inputs[st->input_count++] = in;
		}
		if (*end == '\0')
			return 0;
	}
}

static int wire_stage(sl_check *c, graph *g, size_t index)
{
	sl_job_stage *st = &c->job->stages[index];
	const sl_job_option *from = sl_job_stage_option(st, "from");

	if (st->kind == SL_KIND_SOURCE || st->kind == SL_KIND_STORE)
		return 0; /* a `from` there was reported with the options */
	if (from != NULL)
		return wire_from(c, g, st, from);
	/* the nearest stage above that produces records */
	for (; index-- > 0;)
		if (c->job->stages[index].kind & (SL_KIND_SOURCE | SL_KIND_OPERATOR))
			break;
	if (index == (size_t)-1) {
		sl_diag_at(&c->in, st->line, "%s '%s' has no input: there is no source or "
			"operator above it; move it below one or add from = NAME",
			sl_kind_name(st->kind), st->name);
		c->wiring_problems++;
		return 0;
	}
	if ((st->inputs = malloc(sizeof *st->inputs)) == NULL)
		return -1;
	st->inputs[st->input_count++] = &c->job->stages[index];
	return 0;
}

/* Fill g->start and g->reader from the stages' inputs; -1 when out of memory. */
static int find_readers(const sl_job *job, graph *g)
{
	size_t n = job->stage_count, i, k, edges = 0, *at;

	g->start = calloc(n + 1, sizeof *g->start);
	for (i = 0; i < n; i++)
		edges += job->stages[i].input_count;
	g->reader = calloc(edges ? edges : 1, sizeof *g->reader);
	at = calloc(n + 1, sizeof *at);
	if (g->start == NULL || g->reader == NULL || at == NULL) {
		free(at);
		return -1;
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < job->stages[i].input_count; k++)
			g->start[index_of(job, job->stages[i].inputs[k]) + 1]++;
	for (i = 0; i < n; i++)
		at[i + 1] = g->start[i + 1] += g->start[i];
	for (i = 0; i < n; i++)
		for (k = 0; k < job->stages[i].input_count; k++)
			g->reader[at[index_of(job, job->stages[i].inputs[k])]++] = i;
	free(at);
	return 0;
}

/* ---- cycles ---------------------------------------------------------- */

typedef struct walk {
	sl_check *c;
	size_t *stack;        /* stage indices, following inputs upstream */
	size_t *next;         /* per stack entry: the next input to follow */
	size_t *reported_to;  /* per stack entry: reported stages up to it */
	size_t depth;
	unsigned char *color; /* 0 unseen, 1 on the stack, 2 done */
	size_t *at;           /* where a stage with color 1 is on the stack */
	unsigned char *reported;
} walk;

/* Report the cycle stack[from .. depth) once, in the direction data flows. */
static void report_cycle(walk *w, size_t from)
{
	sl_job *job = w->c->job;
	const sl_job_stage *at = NULL, *st;
	const sl_job_option *o;
	char text[2048];
	size_t i, k, n, start, len = 0;

	/* a stage of it is in a cycle reported already: once is enough */
	if (w->reported_to[w->depth - 1] > (from ? w->reported_to[from - 1] : 0))
		return;
	for (i = from; i < w->depth; i++) {
		st = &job->stages[w->stack[i]];
		w->reported[w->stack[i]] = 1;
		w->reported_to[i] = (from ? w->reported_to[from - 1] : 0) + i - from + 1;
		if (sl_job_stage_option(st, "from") != NULL && (at == NULL || st < at))
			at = st;
	}
	if (at == NULL)
		at = &job->stages[w->stack[from]];
	o = sl_job_stage_option(at, "from");
	w->c->wiring_problems++;
	if (w->depth - from == 1) {
		sl_check_problem(w->c, at->name, o, "stage '%s' reads from itself",
			    at->name);
		return;
	}
	/*
	 * The stack follows inputs upstream, so records flow from stack[i+1]
	 * to stack[i], and from stack[from] to the top.  Start at @p at.
	 */
	n = w->depth - from;
	for (start = from; w->stack[start] != index_of(job, at); start++)
		;
	text[0] = '\0';
	for (k = 0; k <= n && len < sizeof text; k++) {
		i = from + (start - from + n - k % n) % n;
		snprintf(text + len, sizeof text - len, "%s%s", k ? " -> " : "",
			 job->stages[w->stack[i]].name);
		len = strlen(text);
	}
	sl_check_problem(w->c, at->name, o, "the stages form a cycle: %s", text);
}

static void push(walk *w, size_t st)
{
	w->color[st] = 1;
	w->at[st] = w->depth;
	w->stack[w->depth] = st;
	w->next[w->depth] = 0;
	w->reported_to[w->depth] = w->depth ? w->reported_to[w->depth - 1] : 0;
	w->depth++;
}

/* Depth-first along inputs from @p root, without recursion. */
static void visit(walk *w, size_t root)
{
	const sl_job *job = w->c->job;

	push(w, root);
	while (w->depth > 0) {
		size_t top = w->depth - 1;
		const sl_job_stage *st = &job->stages[w->stack[top]];
		size_t in;

		if (w->next[top] == st->input_count) {
			w->color[w->stack[top]] = 2;
			w->depth--;
			continue;
		}
		in = index_of(job, st->inputs[w->next[top]++]);
		if (w->color[in] == 1)
			report_cycle(w, w->at[in]);
		else if (w->color[in] == 0)
			push(w, in);
	}
}

static int report_cycles(sl_check *c, const unsigned char *placed)
{
	size_t n = c->job->stage_count, i;
	walk w = { c, NULL, NULL, NULL, 0, NULL, NULL, NULL };
	int rc = -1;

	w.stack = calloc(n, sizeof *w.stack);
	w.next = calloc(n, sizeof *w.next);
	w.reported_to = calloc(n, sizeof *w.reported_to);
	w.color = calloc(n, 1);
	w.at = calloc(n, sizeof *w.at);
	w.reported = calloc(n, 1);
	if (w.stack != NULL && w.next != NULL && w.reported_to != NULL &&
	    w.color != NULL && w.at != NULL && w.reported != NULL) {
		for (i = 0; i < n; i++)
			if (!placed[i] && w.color[i] == 0)
				visit(&w, i);
		rc = 0;
	}
	free(w.stack);
	free(w.next);
	free(w.reported_to);
	free(w.color);
	free(w.at);
	free(w.reported);
	return rc;
}

/* ---- order ------------------------------------------------------------ */

/* A min-heap of stage indices: the ready stage that comes first in the file. */
static void heap_push(size_t *heap, size_t *count, size_t v)
{
	size_t i = (*count)++;

	for (; i > 0 && heap[(i - 1) / 2] > v; i = (i - 1) / 2)
		heap[i] = heap[(i - 1) / 2];
	heap[i] = v;
}

static size_t heap_pop(size_t *heap, size_t *count)
{
	size_t top = heap[0], v = heap[--*count], i = 0, child;

	for (; (child = 2 * i + 1) < *count; i = child) {
		if (child + 1 < *count && heap[child + 1] < heap[child])
			child++;
		if (heap[child] >= v)
			break;
		heap[i] = heap[child];
	}
	heap[i] = v;
	return top;
}

/* Inputs before readers, file order among equals; cycles reported. */
static int order_stages(sl_check *c, const graph *g)
{
	sl_job *job = c->job;
	size_t n = job->stage_count, placed_count = 0, ready = 0, i, k;
	unsigned char *placed = calloc(n ? n : 1, 1);
	size_t *waiting = calloc(n ? n : 1, sizeof *waiting);
	size_t *heap = calloc(n ? n : 1, sizeof *heap);
	int rc = 0;

	job->order = calloc(n ? n : 1, sizeof *job->order);
	if (placed == NULL || waiting == NULL || heap == NULL || job->order == NULL) {
		rc = -1;
		goto out;
	}
	job->order_count = n;
	for (i = 0; i < n; i++)
		if ((waiting[i] = job->stages[i].input_count) == 0)
			heap_push(heap, &ready, i);
	while (ready > 0) {
		i = heap_pop(heap, &ready);
		placed[i] = 1;
		job->order[placed_count++] = &job->stages[i];
		for (k = g->start[i]; k < g->start[i + 1]; k++)
			if (--waiting[g->reader[k]] == 0)
				heap_push(heap, &ready, g->reader[k]);
	}
	if (placed_count < n)
		rc = report_cycles(c, placed);
	for (i = 0; i < n; i++) /* keep every stage in order, even when stuck */
		if (!placed[i])
			job->order[placed_count++] = &job->stages[i];
out:
	free(placed);
	free(waiting);
	free(heap);
	return rc;
}

static void check_readers(sl_check *c, const graph *g)
{
	sl_job *job = c->job;
	size_t i;

	for (i = 0; i < job->stage_count; i++) {
		const sl_job_stage *st = &job->stages[i];

		if ((st->kind & (SL_KIND_SOURCE | SL_KIND_OPERATOR)) &&
		    g->start[i] == g->start[i + 1])
			sl_diag_at(&c->in, st->line, "nothing reads from %s '%s': add a sink "
				"below it or name it in a from =",
				sl_kind_name(st->kind), st->name);
	}
}

/*
 * A batch goes to every reader of the stage that made it, so below a
 * fan-out followed by a fan-in a stage runs once per path that reaches
 * it: a ladder of 40 diamonds is 2^40 runs per batch.  Count the runs
 * (readers before writers, saturating) and refuse what passes the limit.
 */
static int check_runs(sl_check *c, const graph *g)
{
	sl_job *job = c->job;
	size_t n = job->stage_count, i, k;
	uint64_t *runs = calloc(n + 1, sizeof *runs);

	if (runs == NULL)
		return -1;
	for (i = n; i-- > 0;) {
		size_t s = index_of(job, job->order[i]);

		for (k = g->start[s]; k < g->start[s + 1]; k++)
			runs[s] += 1 + runs[g->reader[k]];
		if (runs[s] > SL_JOB_MAX_RUNS)
			runs[s] = SL_JOB_MAX_RUNS + 1;
	}
	for (i = 0; i < n; i++)
		if (job->stages[i].kind == SL_KIND_SOURCE && runs[i] > SL_JOB_MAX_RUNS)
			sl_diag_at(&c->in, job->stages[i].line, "a batch of source '%s' would "
				"run more than %d stages, counting a stage once per "
				"path from the source (fan-out followed by fan-in "
				"runs it once per path); a job allows at most %d",
				job->stages[i].name, SL_JOB_MAX_RUNS, SL_JOB_MAX_RUNS);
	free(runs);
	return 0;
}

static const sl_job_stage *first_store(const sl_job *job)
{
	size_t i;

	for (i = 0; i < job->stage_count; i++)
		if (job->stages[i].kind == SL_KIND_STORE)
			return &job->stages[i];
	return NULL;
}

int sl_check_wire(sl_check *c)
{
	sl_job *job = c->job;
	size_t i, sources = 0, sinks = 0, store = 0;
	graph g = { NULL, NULL, NULL };
	int rc = -1;

	if ((g.listed = calloc(job->stage_count + 1, sizeof *g.listed)) == NULL)
		return -1;
	for (i = 0; i < job->stage_count; i++) {
		sources += job->stages[i].kind == SL_KIND_SOURCE;
		sinks += job->stages[i].kind == SL_KIND_SINK;
		if (job->stages[i].kind == SL_KIND_STORE && store++ > 0)
			sl_diag_at(&c->in, job->stages[i].line, "a second [store]: the keyed "
				"state of a job is kept by one store (the first is "
				"'%s')", first_store(job)->name);
		if (wire_stage(c, &g, i) != 0)
			goto out;
	}
	if (find_readers(job, &g) != 0 || order_stages(c, &g) != 0)
		goto out;
	rc = 0;
	/*
	 * A section the reader refused is the likelier cause of a job without
	 * a sink or of a stage nobody reads, so these only speak for files
	 * that read cleanly; a stage left unread is most often a typo in a
	 * from, so that one waits until the wiring is otherwise right.
	 */
	if (c->file_problems > 0)
		goto out;
	if (sources == 0)
		sl_diag_at(&c->in, 0, "the job has no source: add a [source NAME] section");
	if (sinks == 0)
		sl_diag_at(&c->in, 0, "the job has no sink: add a [sink NAME] section");
	if (c->wiring_problems == 0) {
		check_readers(c, &g);
		rc = check_runs(c, &g);
	}
out:
	free(g.start);
	free(g.reader);
	free(g.listed);
	return rc;
}

