/*
 * The commit cycle (runtime/commit.c, commit_pending.c), driven on a
 * job of fake sources and sinks that write every call into one log:
 * at-least-once flushes every sink before any source commits, and a
 * failure anywhere commits nothing; with sinks that can be marked, the
 * positions of the newest cycle whose writes are durable are committed;
 * under exactly-once the first sink owns the transaction, an abortable
 * failure aborts and rewinds the sources to what was committed, a
 * pipelined commit finishes before the next begins, and a partition lost
 * with uncommitted reads dooms the open transaction.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime/commit.h"
#include "runtime/stage.h"
#include "runtime/watermark.h"

/* ---- the call log -------------------------------------------------------- */

/* Every fake call, in order: "stage.call(args) ". */
static char calls[8192];

static void called(const char *fmt, ...)
{
	size_t n = strlen(calls);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(calls + n, sizeof calls - n, fmt, ap);
	va_end(ap);
	n = strlen(calls);
	snprintf(calls + n, sizeof calls - n, " ");
}

/* "in/0@3,in/1@8" */
static const char *list_of(const sl_position *p, size_t count)
{
	static char buf[1024];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < count && n < sizeof buf; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s/%d@%lld",
				      i ? "," : "", p[i].topic,
				      (int)p[i].partition,
				      (long long)p[i].next_offset);
	return buf;
}

/* ---- fake plugins ---------------------------------------------------------- */

/* One plugin instance: what it is called, and how it fails (an error
 * kind, 0: it does not). */
typedef struct fake {
	const char *name;
	sl_error_kind fail_flush, fail_commit, fail_txn_commit, fail_finish,
		      fail_abort, fail_rewind;
	int fail_durable;
	uint64_t marks;        /* sinks: marks taken */
	uint64_t durable_upto; /* ... marks up to it are durable */
} fake;

static int failed(sl_error *err, sl_error_kind kind, const fake *f,
		  const char *what)
{
	return sl_error_set(err, kind, "%s %s failed", f->name, what);
}

static int src_commit(void *self, const sl_position *p, size_t n, sl_error *err)
{
	fake *f = self;

	called("%s.commit(%s)", f->name, list_of(p, n));
	return f->fail_commit ? failed(err, f->fail_commit, f, "commit") : SL_OK;
}

static void *src_txn_group(void *self)
{
	return self;
}

static int src_rewind(void *self, const sl_position *p, size_t n, sl_error *err)
{
	fake *f = self;

	called("%s.rewind(%s)", f->name, list_of(p, n));
	return f->fail_rewind ? failed(err, f->fail_rewind, f, "rewind") : SL_OK;
}

static void src_txn_committed(void *self, const sl_position *p, size_t n)
{
	called("%s.txn_committed(%s)", ((fake *)self)->name, list_of(p, n));
}

static void src_delivered(void *self, const sl_position *p, size_t n)
{
	called("%s.delivered(%s)", ((fake *)self)->name, list_of(p, n));
}

static int sink_flush(void *self, int timeout_ms, sl_error *err)
{
	fake *f = self;

	(void)timeout_ms;
	called("%s.flush", f->name);
	return f->fail_flush ? failed(err, f->fail_flush, f, "flush") : SL_OK;
}

static uint64_t sink_mark(void *self)
{
	fake *f = self;

	called("%s.mark=%llu", f->name, (unsigned long long)++f->marks);
	return f->marks;
}

static int sink_durable(void *self, uint64_t mark, sl_error *err)
{
	fake *f = self;
	int yes = mark <= f->durable_upto;

	called("%s.durable(%llu)=%d", f->name, (unsigned long long)mark,
	       f->fail_durable ? -1 : yes);
	if (f->fail_durable)
		return sl_error_set(err, SL_ERR_RUNTIME, "%s: writes lost", f->name);
	return yes;
}

static int sink_txn_begin(void *self, sl_error *err)
{
	(void)err;
	called("%s.txn_begin", ((fake *)self)->name);
	return SL_OK;
}

/* "src:src:in/0@3" for each source: its stage, the group its txn_group
 * gave (the fake instance: its name) and its positions */
static const char *txn_of(const sl_txn *txn)
{
	static char buf[2048];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < txn->source_count && n < sizeof buf; i++) {
		const sl_txn_source *s = &txn->sources[i];

		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s:%s:",
				      i ? ";" : "", s->stage,
				      ((const fake *)s->group)->name);
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s",
				      list_of(s->positions, s->count));
	}
	return buf;
}

static int sink_txn_commit(void *self, const sl_txn *txn, sl_error *err)
{
	fake *f = self;

	called("%s.txn_commit(%s)", f->name, txn_of(txn));
	return f->fail_txn_commit ? failed(err, f->fail_txn_commit, f, "txn_commit")
				  : SL_OK;
}

static int sink_txn_commit_start(void *self, const sl_txn *txn, sl_error *err)
{
	fake *f = self;

	called("%s.txn_commit_start(%s)", f->name, txn_of(txn));
	return f->fail_txn_commit ? failed(err, f->fail_txn_commit, f, "txn_commit")
				  : SL_OK;
}

static int sink_txn_commit_finish(void *self, sl_error *err)
{
	fake *f = self;

	called("%s.txn_commit_finish", f->name);
	return f->fail_finish ? failed(err, f->fail_finish, f, "finish") : SL_OK;
}

static int sink_txn_abort(void *self, sl_error *err)
{
	fake *f = self;

	called("%s.txn_abort", f->name);
	return f->fail_abort ? failed(err, f->fail_abort, f, "txn_abort") : SL_OK;
}

/* Sources: committing their own positions; without commit (a generator);
 * in a transaction, able to rewind or not. */
static const sl_source_class alo_source = {
	.struct_size = sizeof(sl_source_class), .commit = src_commit };
static const sl_source_class no_commit_source = {
	.struct_size = sizeof(sl_source_class) };
static const sl_source_class txn_source = {
	.struct_size = sizeof(sl_source_class), .commit = src_commit,
	.txn_group = src_txn_group, .rewind = src_rewind,
	.txn_committed = src_txn_committed };
static const sl_source_class push_source = {
	.struct_size = sizeof(sl_source_class), .rewind = src_rewind,
	.delivered = src_delivered };
static const sl_source_class rewinding_source = {
	.struct_size = sizeof(sl_source_class), .commit = src_commit,
	.rewind = src_rewind };

/* Sinks: flushed each cycle; marked; transactional, pipelined or not. */
static const sl_sink_class plain_sink = {
	.struct_size = sizeof(sl_sink_class), .flush = sink_flush };
static const sl_sink_class marking_sink = {
	.struct_size = sizeof(sl_sink_class), .flush = sink_flush,
	.mark = sink_mark, .durable = sink_durable };
static const sl_sink_class txn_sink = {
	.struct_size = sizeof(sl_sink_class), .flush = sink_flush,
	.txn_begin = sink_txn_begin, .txn_commit = sink_txn_commit,
	.txn_abort = sink_txn_abort };
static const sl_sink_class pipelined_sink = {
	.struct_size = sizeof(sl_sink_class), .flush = sink_flush,
	.txn_begin = sink_txn_begin, .txn_commit = sink_txn_commit,
	.txn_abort = sink_txn_abort,
	.txn_commit_start = sink_txn_commit_start,
	.txn_commit_finish = sink_txn_commit_finish };

/* ---- a job of such stages ------------------------------------------------------ */

#define MAX_STAGES 6

typedef struct fixture {
	sl_job job;
	sl_descriptor desc;
	sl_job_stage defs[MAX_STAGES];
	sl_plugin plugins[MAX_STAGES];
	fake fakes[MAX_STAGES];
	sl_stage stages[MAX_STAGES];
	sl_engine e;
} fixture;

static void fx_init(fixture *f, int delivery)
{
	memset(f, 0, sizeof *f);
	f->job.path = (char *)"job.ini";
	f->job.delivery = delivery;
	f->desc.name = (char *)"fakeplug";
	f->e.job = &f->job;
	f->e.stages = f->stages;
	calls[0] = '\0';
}

static sl_stage *fx_source(fixture *f, const char *name,
			   const sl_source_class *cls)
{
	size_t i = f->e.stage_count++;

	f->defs[i].name = (char *)name;
	f->defs[i].kind = SL_KIND_SOURCE;
	f->defs[i].line = (int)(i + 1) * 10;
	f->defs[i].plugin = &f->desc;
	sl_stage_settings_init(&f->defs[i].settings);
	f->plugins[i].source = cls;
	f->fakes[i].name = name;
	f->stages[i].def = &f->defs[i];
	f->stages[i].engine = &f->e;
	f->stages[i].kind = SL_KIND_SOURCE;
	f->stages[i].plugin = &f->plugins[i];
	f->stages[i].self = &f->fakes[i];
	f->stages[i].opened = 1;
	return &f->stages[i];
}

static sl_stage *fx_sink(fixture *f, const char *name, const sl_sink_class *cls)
{
	sl_stage *s = fx_source(f, name, NULL);
	size_t i = (size_t)(s - f->stages);

	f->defs[i].kind = SL_KIND_SINK;
	f->plugins[i].source = NULL;
	f->plugins[i].sink = cls;
	s->kind = SL_KIND_SINK;
	return s;
}

static fake *fake_of(sl_stage *s)
{
	return s->self;
}

static void fx_free(fixture *f)
{
	size_t i;

	sl_commit_close(&f->e);
	for (i = 0; i < f->e.stage_count; i++)
		sl_commit_free(&f->stages[i]);
}

/* Source @p s has delivered partition @p p of "in" up to @p next. */
static void read_to(fixture *f, sl_stage *s, const char *topic, int32_t p,
		    int64_t next)
{
	CHECK(sl_commit_position(&f->e, s, topic, p, next) == SL_OK);
}

static int64_t position(const sl_stage *s, const char *topic, int32_t p)
{
	size_t i;

	for (i = 0; i < s->position_count; i++)
		if (s->positions[i].partition == p &&
		    strcmp(s->positions[i].topic, topic) == 0)
			return s->positions[i].next_offset;
	return -1;
}

/* ---- at-least-once ------------------------------------------------------------- */

/*
 * Every sink is flushed before any source commits, sinks after sources
 * in the job's order included; a source without commit, or with nothing
 * read, is not called.  Sinks' records count as out once committed.
 */
static void test_flush_then_commit(void)
{
	fixture f;
	sl_stage *src, *gen, *out1, *src2, *idle, *out2;
	sl_origin read[] = { { "src", "in", 0, 0 }, { "src", "in", 0, 1 },
			     { "src", "in", 1, 7 }, { "src", "in", 0, 2 } };
	sl_error err;

	fx_init(&f, SL_DELIVERY_AT_LEAST_ONCE);
	src = fx_source(&f, "src", &alo_source);
	gen = fx_source(&f, "gen", &no_commit_source);
	out1 = fx_sink(&f, "out1", &plain_sink);
	src2 = fx_source(&f, "src2", &alo_source);
	idle = fx_source(&f, "idle", &alo_source);
	out2 = fx_sink(&f, "out2", &plain_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	CHECK(sl_commit_txn_owner(&f.e) == NULL);
	CHECK(sl_commit_cycle_next(&f.e) == 1);
	CHECK(sl_commit_cycle_committed(&f.e) == 0);
	CHECK(strcmp(calls, "") == 0); /* at-least-once begins nothing */

	CHECK(sl_commit_advance(&f.e, src, read, 4) == SL_OK);
	read_to(&f, src2, "b", 0, 1);
	/* a source with nothing to commit tracks nothing */
	CHECK(sl_commit_advance(&f.e, gen, read, 4) == SL_OK);
	read_to(&f, gen, "in", 0, 5);
	CHECK(gen->position_count == 0);
	out1->records_written = 5;
	out2->records_written = 2;

	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out1.flush out2.flush src.commit(in/0@3,in/1@8) "
		  "src2.commit(b/0@1) ");
	CHECK(sl_commit_cycle_next(&f.e) == 2);
	CHECK(sl_commit_cycle_committed(&f.e) == 1);
	CHECK(out1->records_out == 5 && out2->records_out == 2);
	CHECK(idle->position_count == 0);

	/* positions move only forward */
	read_to(&f, src, "in", 1, 4);
	read_to(&f, src2, "b", 0, 6);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 1, &err) == SL_OK);
	CHECK_STR(calls, "out1.flush out2.flush src.commit(in/0@3,in/1@8) "
		  "src2.commit(b/0@6) ");
	CHECK(sl_commit_cycle_committed(&f.e) == 2);
	fx_free(&f);
}

/* A sink that cannot flush commits no position; a source that cannot
 * commit stops the cycle; neither counts the records as out. */
static void test_failures_commit_nothing(void)
{
	fixture f;
	sl_stage *src, *src2, *out1, *out2;
	sl_error err;

	fx_init(&f, SL_DELIVERY_AT_LEAST_ONCE);
	src = fx_source(&f, "src", &alo_source);
	src2 = fx_source(&f, "src2", &alo_source);
	out1 = fx_sink(&f, "out1", &plain_sink);
	out2 = fx_sink(&f, "out2", &plain_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	read_to(&f, src, "in", 0, 3);
	read_to(&f, src2, "b", 0, 4);
	out1->records_written = out2->records_written = 7;

	fake_of(out2)->fail_flush = SL_ERR_RUNTIME;
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_ERR);
	CHECK_STR(calls, "out1.flush out2.flush ");
	CHECK_STR(err.message, "stage 'out2': out2 flush failed");
	CHECK(sl_commit_cycle_committed(&f.e) == 0);
	CHECK(out1->records_out == 0 && out2->records_out == 0);

	fake_of(out2)->fail_flush = 0;
	fake_of(src)->fail_commit = SL_ERR_RUNTIME;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_ERR);
	CHECK_STR(calls, "out1.flush out2.flush src.commit(in/0@3) ");
	CHECK_STR(err.message, "stage 'src': src commit failed");
	CHECK(sl_commit_cycle_committed(&f.e) == 0);
	CHECK(out1->records_out == 0);

	fake_of(src)->fail_commit = 0;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out1.flush out2.flush src.commit(in/0@3) "
		  "src2.commit(b/0@4) ");
	CHECK(sl_commit_cycle_next(&f.e) == 4);
	CHECK(sl_commit_cycle_committed(&f.e) == 3);
	CHECK(out1->records_out == 7 && out2->records_out == 7);
	fx_free(&f);
}

/* Under errors = fail the record that failed, and those after it, are not
 * delivered: the position stops before it, for its own source only. */
static void test_advance_stops_at_failure(void)
{
	fixture f;
	sl_stage *src, *other;
	sl_origin read[] = { { "src", "in", 0, 0 }, { "src", "in", 1, 4 },
			     { "src", "in", 0, 1 }, { "src", "in", 0, 2 },
			     { "src", "in", 1, 5 } };

	fx_init(&f, SL_DELIVERY_AT_LEAST_ONCE);
	src = fx_source(&f, "src", &alo_source);
	other = fx_source(&f, "other", &alo_source);
	f.e.failure.set = 1;
	f.e.failure.has_topic = 1;
	strcpy(f.e.failure.topic, "in");
	f.e.failure.partition = 0;
	f.e.failure.offset = 1;
	f.e.failure.source = src;
	CHECK(sl_commit_advance(&f.e, other, read, 5) == SL_OK);
	CHECK(position(other, "in", 0) == 3 && position(other, "in", 1) == 6);
	CHECK(sl_commit_advance(&f.e, src, read, 5) == SL_OK);
	CHECK(position(src, "in", 0) == 1 && position(src, "in", 1) == 5);
	fx_free(&f);
}

/* Delivery none flushes and commits nothing; a job that failed before
 * its commit opened has nothing to commit. */
static void test_none_and_unopened(void)
{
	fixture f;
	sl_stage *src, *out;
	sl_error err;

	fx_init(&f, SL_DELIVERY_NONE);
	src = fx_source(&f, "src", &alo_source);
	out = fx_sink(&f, "out", &plain_sink);
	read_to(&f, src, "in", 0, 3);
	out->records_written = 3;
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.flush ");
	CHECK(out->records_out == 3);
	fake_of(out)->fail_flush = SL_ERR_RUNTIME;
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_ERR);
	CHECK_STR(err.message, "stage 'out': out flush failed");
	fx_free(&f);

	fx_init(&f, SL_DELIVERY_AT_LEAST_ONCE);
	src = fx_source(&f, "src", &alo_source);
	out = fx_sink(&f, "out", &plain_sink);
	read_to(&f, src, "in", 0, 3);
	CHECK(sl_commit_cycle(&f.e, 1, &err) == SL_OK);
	CHECK_STR(calls, "");
	CHECK(sl_commit_cycle_next(&f.e) == 1);
	fx_free(&f);
}

/*
 * Sinks that can be marked: each cycle queues a mark and the positions
 * of then; the newest queued cycle whose marks are durable is committed
 * with the positions and records of its own time, not of now.  sync (or
 * a full queue) flushes and commits now.
 */
static void test_pipelined_cycles(void)
{
	fixture f;
	sl_stage *src, *out;
	sl_error err;
	int i;

	fx_init(&f, SL_DELIVERY_AT_LEAST_ONCE);
	src = fx_source(&f, "src", &alo_source);
	out = fx_sink(&f, "out", &marking_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);

	read_to(&f, src, "in", 0, 1);
	out->records_written = 1;
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.mark=1 out.durable(1)=0 ");
	CHECK(sl_commit_cycle_next(&f.e) == 2);
	CHECK(sl_commit_cycle_committed(&f.e) == 0);
	CHECK(out->records_out == 0);

	/* cycle 1's writes are durable, cycle 2's not: cycle 1 commits */
	read_to(&f, src, "in", 0, 5);
	out->records_written = 4;
	fake_of(out)->durable_upto = 1;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.mark=2 out.durable(2)=0 out.durable(1)=1 "
		  "src.commit(in/0@1) ");
	CHECK(sl_commit_cycle_committed(&f.e) == 1);
	CHECK(out->records_out == 1);

	/* cycle 3 durable: it covers cycle 2, which is not asked again */
	read_to(&f, src, "in", 0, 9);
	out->records_written = 7;
	fake_of(out)->durable_upto = 3;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.mark=3 out.durable(3)=1 src.commit(in/0@9) ");
	CHECK(sl_commit_cycle_committed(&f.e) == 3);
	CHECK(out->records_out == 7);

	/* a durable check that fails commits nothing */
	fake_of(out)->fail_durable = 1;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_ERR);
	CHECK_STR(calls, "out.mark=4 out.durable(4)=-1 ");
	CHECK_STR(err.message, "stage 'out': out: writes lost");
	CHECK(sl_commit_cycle_committed(&f.e) == 3);
	fake_of(out)->fail_durable = 0;

	/* sync: flush, commit now, drop what was queued */
	read_to(&f, src, "in", 0, 12);
	out->records_written = 10;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 1, &err) == SL_OK);
	CHECK_STR(calls, "out.flush src.commit(in/0@12) ");
	CHECK(sl_commit_cycle_committed(&f.e) == 5);
	CHECK(out->records_out == 10);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.mark=5 out.durable(5)=0 "); /* 4 is gone */

	/* never durable: 32 cycles wait (cycles 6 to 37), the next flushes */
	for (i = 0; i < 31; i++)
		CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK(sl_commit_cycle_committed(&f.e) == 5);
	CHECK(sl_commit_cycle_next(&f.e) == 38);
	read_to(&f, src, "in", 0, 20);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.flush src.commit(in/0@20) ");
	CHECK(sl_commit_cycle_committed(&f.e) == 38);
	fx_free(&f);

	/* one sink that cannot be marked: every cycle flushes */
	fx_init(&f, SL_DELIVERY_AT_LEAST_ONCE);
	src = fx_source(&f, "src", &alo_source);
	fx_sink(&f, "out", &marking_sink);
	fx_sink(&f, "log", &plain_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	read_to(&f, src, "in", 0, 2);
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.flush log.flush src.commit(in/0@2) ");
	CHECK(sl_commit_cycle_committed(&f.e) == 1);
	fx_free(&f);
}

/* A partition no longer read here: a cycle queued before must not commit
 * it (another instance reads it now and commits further). */
static void test_forget_pending(void)
{
	fixture f;
	sl_stage *src;
	sl_error err;

	fx_init(&f, SL_DELIVERY_AT_LEAST_ONCE);
	src = fx_source(&f, "src", &alo_source);
	fx_sink(&f, "out", &marking_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	read_to(&f, src, "in", 0, 3);
	read_to(&f, src, "in", 1, 5);
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK); /* queued */
	sl_commit_forget(&f.e, src, "in", 1);
	CHECK(src->position_count == 1 && position(src, "in", 0) == 3);
	fake_of(&f.stages[1])->durable_upto = 1;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.mark=2 out.durable(2)=0 out.durable(1)=1 "
		  "src.commit(in/0@3) ");
	/* at-least-once has no transaction to doom */
	CHECK(sl_commit_aborts(&f.e) == 0);
	fx_free(&f);
}

/* ---- exactly-once -------------------------------------------------------------- */

/* Every sink must be transactional; the first is the owner and begins
 * the one transaction. */
static void test_txn_open(void)
{
	fixture f;
	sl_stage *a;
	sl_error err;

	fx_init(&f, SL_DELIVERY_EXACTLY_ONCE);
	fx_source(&f, "src", &txn_source);
	fx_sink(&f, "a", &txn_sink);
	fx_sink(&f, "log", &plain_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_ERR);
	CHECK(err.kind == SL_ERR_CONFIG);
	CHECK_HAS(err.message, "job.ini:30: sink 'log' (plugin fakeplug) cannot "
		  "take part in a transaction");
	CHECK_STR(calls, "");
	fx_free(&f);

	fx_init(&f, SL_DELIVERY_EXACTLY_ONCE);
	fx_source(&f, "src", &txn_source);
	a = fx_sink(&f, "a", &txn_sink);
	fx_sink(&f, "b", &txn_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	CHECK(sl_commit_txn_owner(&f.e) == a);
	CHECK_STR(calls, "a.txn_begin ");
	calls[0] = '\0';
	sl_commit_abort(&f.e);
	CHECK_STR(calls, "a.txn_abort ");
	a->opened = 0; /* an owner that did not open has nothing to abort */
	calls[0] = '\0';
	sl_commit_abort(&f.e);
	CHECK_STR(calls, "");
	fx_free(&f);
}

/* The job of the exactly-once tests: a source in the transaction, one
 * committing its own positions after it, two transactional sinks and a
 * stage on event time. */
static void txn_job(fixture *f, const sl_sink_class *owner, sl_watermark *wm)
{
	sl_stage *win;

	fx_init(f, SL_DELIVERY_EXACTLY_ONCE);
	fx_source(f, "src", &txn_source);
	fx_source(f, "other", &rewinding_source);
	fx_sink(f, "a", owner);
	fx_sink(f, "b", &txn_sink);
	win = fx_source(f, "win", NULL);
	win->kind = SL_KIND_OPERATOR;
	f->plugins[4].source = NULL;
	sl_wm_init(wm, 0, 0);
	win->wm = wm;
}

static void test_txn_cycle_and_abort(void)
{
	fixture f;
	sl_watermark wm;
	sl_origin seen = { "src", "in", 0, 0 };
	sl_stage *src, *other, *a, *b;
	sl_error err;

	txn_job(&f, &txn_sink, &wm);
	src = &f.stages[0], other = &f.stages[1];
	a = &f.stages[2], b = &f.stages[3];
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	read_to(&f, src, "in", 0, 3);
	read_to(&f, other, "x", 0, 9);
	a->records_written = 4;
	b->records_written = 2;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush b.flush a.txn_commit(src:src:in/0@3) "
		  "src.txn_committed(in/0@3) other.commit(x/0@9) ");
	CHECK(a->records_out == 4 && b->records_out == 2);
	CHECK(sl_commit_aborts(&f.e) == 0);

	/* abortable: abort, read again from what was committed, with event
	 * time and the records written since forgotten */
	read_to(&f, src, "in", 0, 7);
	read_to(&f, other, "x", 0, 11);
	a->records_written = 9;
	CHECK(sl_wm_observe(&wm, &seen, 5000, 0) == 0);
	CHECK(sl_wm_value(&wm, 0, 0) == 5000);
	fake_of(a)->fail_txn_commit = SL_ERR_ABORTABLE;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush b.flush a.txn_commit(src:src:in/0@7) a.txn_abort "
		  "src.rewind(in/0@3) other.rewind(x/0@9) ");
	CHECK(sl_commit_aborts(&f.e) == 1);
	CHECK(f.e.rewinds == 1);
	CHECK(position(src, "in", 0) == 3 && position(other, "x", 0) == 9);
	CHECK(a->records_written == 4 && a->records_out == 4);
	CHECK(sl_wm_value(&wm, 0, 0) == INT64_MIN);

	/* and goes on */
	fake_of(a)->fail_txn_commit = 0;
	read_to(&f, src, "in", 0, 5);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush b.flush a.txn_commit(src:src:in/0@5) "
		  "src.txn_committed(in/0@5) other.commit(x/0@9) ");

	/* any other failure stops the job, aborting nothing here */
	fake_of(a)->fail_txn_commit = SL_ERR_FATAL;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_ERR);
	CHECK(err.kind == SL_ERR_FATAL);
	CHECK_STR(err.message, "exactly-once commit failed: a txn_commit failed");
	CHECK_STR(calls, "a.flush b.flush a.txn_commit(src:src:in/0@5) ");
	CHECK(sl_commit_aborts(&f.e) == 1);

	/* a sink's flush failing: no commit; abortable, an abort */
	fake_of(a)->fail_txn_commit = 0;
	fake_of(b)->fail_flush = SL_ERR_RUNTIME;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_ERR);
	CHECK_STR(calls, "a.flush b.flush ");
	CHECK_STR(err.message, "exactly-once commit failed: stage 'b': b flush failed");
	fake_of(b)->fail_flush = SL_ERR_ABORTABLE;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush b.flush a.txn_abort src.rewind(in/0@5) "
		  "other.rewind(x/0@9) ");
	CHECK(sl_commit_aborts(&f.e) == 2);

	/* an abort that fails stops the job before any rewind */
	fake_of(b)->fail_flush = 0;
	fake_of(a)->fail_txn_commit = SL_ERR_ABORTABLE;
	fake_of(a)->fail_abort = SL_ERR_RUNTIME;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_ERR);
	CHECK_STR(calls, "a.flush b.flush a.txn_commit(src:src:in/0@5) a.txn_abort ");
	CHECK_STR(err.message, "a txn_abort failed");
	CHECK(sl_commit_aborts(&f.e) == 2);
	fx_free(&f);
	sl_wm_free(&wm);
}

/* An abort needs every source to read again: one that cannot rewind
 * makes it fatal. */
static void test_abort_needs_rewind(void)
{
	fixture f;
	sl_stage *src, *a;
	sl_error err;

	fx_init(&f, SL_DELIVERY_EXACTLY_ONCE);
	src = fx_source(&f, "src", &txn_source);
	fx_source(&f, "plain", &alo_source);
	a = fx_sink(&f, "a", &txn_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	read_to(&f, src, "in", 0, 3);
	fake_of(a)->fail_txn_commit = SL_ERR_ABORTABLE;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_ERR);
	CHECK(err.kind == SL_ERR_FATAL);
	CHECK_STR(err.message, "stage 'plain': the transaction was aborted, but "
		  "plugin 'fakeplug' cannot rewind to read its records again");
	CHECK_STR(calls, "a.flush a.txn_commit(src:src:in/0@3) a.txn_abort src.rewind() ");
	fx_free(&f);
}

/* A partition lost with reads not yet committed dooms the transaction:
 * the next cycle aborts without committing.  Lost with nothing
 * uncommitted, it does not. */
static void test_forget_dooms_txn(void)
{
	fixture f;
	sl_watermark wm;
	sl_stage *src;
	sl_error err;

	txn_job(&f, &txn_sink, &wm);
	src = &f.stages[0];
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	read_to(&f, src, "in", 0, 3);
	read_to(&f, src, "in", 1, 4);
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	sl_commit_forget(&f.e, src, "in", 1); /* all of it committed */
	read_to(&f, src, "in", 0, 6);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush b.flush a.txn_commit(src:src:in/0@6) "
		  "src.txn_committed(in/0@6) ");

	read_to(&f, src, "in", 0, 8);
	sl_commit_forget(&f.e, src, "in", 0);
	CHECK(src->position_count == 0);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.txn_abort src.rewind() other.rewind() ");
	CHECK(sl_commit_aborts(&f.e) == 1);
	/* the next transaction is not doomed */
	read_to(&f, src, "in", 2, 1);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush b.flush a.txn_commit(src:src:in/2@1) "
		  "src.txn_committed(in/2@1) ");
	fx_free(&f);
	sl_wm_free(&wm);
}

/*
 * A pipelined owner: a cycle starts the commit and goes on; the next
 * finishes it first, and only then are its positions (those of when it
 * started) committed and its records counted.  sync commits and waits.
 */
static void test_txn_pipelined(void)
{
	fixture f;
	sl_watermark wm;
	sl_stage *src, *other, *a;
	sl_error err;

	txn_job(&f, &pipelined_sink, &wm);
	src = &f.stages[0], other = &f.stages[1], a = &f.stages[2];
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	CHECK_STR(calls, "a.txn_begin ");
	read_to(&f, src, "in", 0, 3);
	read_to(&f, other, "x", 0, 9);
	a->records_written = 4;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush b.flush a.txn_commit_start(src:src:in/0@3) ");
	CHECK(a->records_out == 0);
	CHECK(src->committed_count == 0);

	read_to(&f, src, "in", 0, 6);
	read_to(&f, other, "x", 0, 12);
	a->records_written = 7;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.txn_commit_finish src.txn_committed(in/0@3) "
		  "other.commit(x/0@9) a.flush b.flush "
		  "a.txn_commit_start(src:src:in/0@6) ");
	CHECK(a->records_out == 4);

	read_to(&f, src, "in", 0, 8);
	a->records_written = 9;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 1, &err) == SL_OK);
	CHECK_STR(calls, "a.txn_commit_finish src.txn_committed(in/0@6) "
		  "other.commit(x/0@12) a.flush b.flush "
		  "a.txn_commit(src:src:in/0@8) src.txn_committed(in/0@8) "
		  "other.commit(x/0@12) ");
	CHECK(a->records_out == 9);

	/* a commit that fails to finish aborts: back to what committed */
	read_to(&f, src, "in", 0, 10);
	read_to(&f, src, "in", 1, 2);
	a->records_written = 12;
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	fake_of(a)->fail_finish = SL_ERR_ABORTABLE;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.txn_commit_finish a.txn_abort src.rewind(in/0@8) "
		  "other.rewind(x/0@12) ");
	CHECK(sl_commit_aborts(&f.e) == 1);
	CHECK(a->records_written == 9);
	CHECK(src->position_count == 1 && position(src, "in", 0) == 8);

	/* a partition lost while its commit is in flight: the commit does
	 * not report it committed, and the transaction after it is doomed */
	fake_of(a)->fail_finish = 0;
	read_to(&f, src, "in", 0, 11);
	read_to(&f, src, "in", 1, 4);
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	sl_commit_forget(&f.e, src, "in", 1);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.txn_commit_finish src.txn_committed(in/0@11) "
		  "other.commit(x/0@12) a.txn_abort src.rewind(in/0@11) "
		  "other.rewind(x/0@12) ");
	CHECK(sl_commit_aborts(&f.e) == 2);
	fx_free(&f);
	sl_wm_free(&wm);
}

/*
 * A push source (delivered, rewind; no commit, no txn_group) is told
 * what is delivered under every delivery mode: none after the flush,
 * at-least-once after the sources' commits (pipelined: the positions of
 * the cycle found durable), exactly-once after the transaction; an
 * aborted transaction rewinds it and tells it nothing delivered.
 */
static void test_push_source_told(void)
{
	fixture f;
	sl_stage *push, *out;
	sl_error err;

	fx_init(&f, SL_DELIVERY_NONE);
	push = fx_source(&f, "push", &push_source);
	out = fx_sink(&f, "out", &plain_sink);
	read_to(&f, push, "l", 0, 3);
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.flush push.delivered(l/0@3) ");
	fx_free(&f);

	fx_init(&f, SL_DELIVERY_AT_LEAST_ONCE);
	push = fx_source(&f, "push", &push_source);
	fx_source(&f, "src", &alo_source);
	out = fx_sink(&f, "out", &plain_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	read_to(&f, push, "l", 0, 5);
	read_to(&f, &f.stages[1], "in", 0, 2);
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.flush src.commit(in/0@2) push.delivered(l/0@5) ");
	/* a failed flush tells nothing */
	fake_of(out)->fail_flush = SL_ERR_RUNTIME;
	read_to(&f, push, "l", 0, 6);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_ERR);
	CHECK_STR(calls, "out.flush ");
	fx_free(&f);

	fx_init(&f, SL_DELIVERY_AT_LEAST_ONCE);
	push = fx_source(&f, "push", &push_source);
	out = fx_sink(&f, "out", &marking_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	read_to(&f, push, "l", 0, 4);
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "out.mark=1 out.durable(1)=0 ");
	read_to(&f, push, "l", 0, 9);
	fake_of(out)->durable_upto = 1;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	/* cycle 1's positions: what cycle 2 wrote is not durable yet */
	CHECK_STR(calls, "out.mark=2 out.durable(2)=0 out.durable(1)=1 "
		  "push.delivered(l/0@4) ");
	fx_free(&f);

	fx_init(&f, SL_DELIVERY_EXACTLY_ONCE);
	push = fx_source(&f, "push", &push_source);
	out = fx_sink(&f, "a", &txn_sink);
	CHECK(sl_commit_open(&f.e, &err) == SL_OK);
	read_to(&f, push, "l", 0, 3);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush a.txn_commit() push.delivered(l/0@3) ");
	read_to(&f, push, "l", 0, 7);
	fake_of(out)->fail_txn_commit = SL_ERR_ABORTABLE;
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush a.txn_commit() a.txn_abort push.rewind(l/0@3) ");
	/* offsets go on past the gap */
	fake_of(out)->fail_txn_commit = 0;
	read_to(&f, push, "l", 0, 8);
	calls[0] = '\0';
	CHECK(sl_commit_cycle(&f.e, 0, &err) == SL_OK);
	CHECK_STR(calls, "a.flush a.txn_commit() push.delivered(l/0@8) ");
	fx_free(&f);
}

int main(void)
{
	test_flush_then_commit();
	test_failures_commit_nothing();
	test_advance_stops_at_failure();
	test_none_and_unopened();
	test_pipelined_cycles();
	test_forget_pending();
	test_txn_open();
	test_txn_cycle_and_abort();
	test_abort_needs_rewind();
	test_forget_dooms_txn();
	test_txn_pipelined();
	test_push_source_told();
	return check_done("test_commit");
}
