/*
 * Event-time alignment (runtime/align.c), driven on a job of fake
 * sources whose pause_inputs / resume_inputs write into one log, feeding
 * stages on event time whose watermarks the test fills: an input more
 * than max.event.time.skew ahead of the slowest input of its source is
 * paused, and resumed once back within half of it; the slowest never
 * waits; an input that has shown nothing yet holds the others until its
 * first record or until it goes quiet; an input at its end holds nothing;
 * skew 0 never pauses.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime/align.h"
#include "runtime/stage.h"
#include "runtime/watermark.h"

/* ---- the call log -------------------------------------------------------- */

static char calls[4096];

/* "src.pause(in/1,in/2) " */
static void called(const char *stage, const char *what, const sl_input *in,
		   size_t count)
{
	size_t i, n = strlen(calls);

	n += (size_t)snprintf(calls + n, sizeof calls - n, "%s.%s(", stage, what);
	for (i = 0; i < count && n < sizeof calls; i++)
		n += (size_t)snprintf(calls + n, sizeof calls - n, "%s%s/%d",
				      i ? "," : "", in[i].topic,
				      (int)in[i].partition);
	if (n < sizeof calls)
		snprintf(calls + n, sizeof calls - n, ") ");
}

/* ---- a fake source ------------------------------------------------------- */

typedef struct fake {
	const char *name;
	int fail_pause, fail_resume;
} fake;

static int pause_inputs(void *self, const sl_input *in, size_t n, sl_error *err)
{
	fake *f = self;

	called(f->name, "pause", in, n);
	return f->fail_pause ? sl_error_set(err, SL_ERR_RUNTIME, "%s pause failed",
					    f->name) : SL_OK;
}

static int resume_inputs(void *self, const sl_input *in, size_t n, sl_error *err)
{
	fake *f = self;

	called(f->name, "resume", in, n);
	return f->fail_resume ? sl_error_set(err, SL_ERR_RUNTIME,
					     "%s resume failed", f->name) : SL_OK;
}

static const sl_source_class pausing = {
	.struct_size = sizeof(sl_source_class),
	.pause_inputs = pause_inputs, .resume_inputs = resume_inputs };
/* both or neither: one alone does not count */
static const sl_source_class half_pausing = {
	.struct_size = sizeof(sl_source_class), .pause_inputs = pause_inputs };

/* ---- a job: sources, and the stages on event time they feed -------------- */

#define MAX_STAGES 5
#define MAX_INPUTS 4

typedef struct fixture {
	sl_job_stage defs[MAX_STAGES];
	sl_plugin plugins[MAX_STAGES];
	fake fakes[MAX_STAGES];
	sl_stage stages[MAX_STAGES];
	sl_stage *upstream[MAX_STAGES][MAX_STAGES];
	sl_tracked held[MAX_STAGES][MAX_INPUTS];
	sl_watermark wms[MAX_STAGES];
	int64_t offset;          /* of the next record observed */
	sl_engine e;
} fixture;

static void fx_init(fixture *f)
{
	memset(f, 0, sizeof *f);
	f->e.stages = f->stages;
	calls[0] = '\0';
}

static sl_stage *fx_stage(fixture *f, const char *name, unsigned kind)
{
	size_t i = f->e.stage_count++;

	f->defs[i].name = (char *)name;
	f->defs[i].kind = kind;
	sl_stage_settings_init(&f->defs[i].settings);
	f->fakes[i].name = name;
	f->stages[i].def = &f->defs[i];
	f->stages[i].engine = &f->e;
	f->stages[i].kind = kind;
	f->stages[i].plugin = &f->plugins[i];
	f->stages[i].self = &f->fakes[i];
	f->stages[i].opened = 1;
	f->stages[i].upstream = f->upstream[i];
	return &f->stages[i];
}

/* A source reading partitions 0 .. @p partitions - 1 of @p topic. */
static sl_stage *fx_source(fixture *f, const char *name,
			   const sl_source_class *cls, const char *topic,
			   int32_t partitions)
{
	sl_stage *s = fx_stage(f, name, SL_KIND_SOURCE);
	size_t i = (size_t)(s - f->stages);
	int32_t p;

	f->plugins[i].source = cls;
	for (p = 0; p < partitions; p++) {
		f->held[i][p].topic = (char *)topic;
		f->held[i][p].partition = p;
	}
	s->held = f->held[i];
	s->held_count = (size_t)partitions;
	return s;
}

/* A stage on event time (a window) with its skew and idle timeout. */
static sl_stage *fx_timed(fixture *f, const char *name, int64_t skew_ms,
			  int64_t idle_ms)
{
	sl_stage *s = fx_stage(f, name, SL_KIND_OPERATOR);
	size_t i = (size_t)(s - f->stages);

	f->defs[i].settings.max_event_time_skew_ms = skew_ms;
	sl_wm_init(&f->wms[i], idle_ms, 0);
	s->wm = &f->wms[i];
	return s;
}

/* @p timed is fed by @p src, whose inputs it learns assigned at wall
 * clock 0 (@p ends: the source reports their ends). */
static void feed(sl_stage *timed, const sl_stage *src, int ends)
{
	size_t i;

	timed->upstream[timed->upstream_count++] = (sl_stage *)src;
	for (i = 0; i < src->held_count; i++)
		CHECK(sl_wm_assigned(timed->wm, src->def->name, src->held[i].topic,
				     src->held[i].partition,
				     (int32_t)src->held_count, ends, 0) == 0);
}

/* @p timed sees a record of @p src's partition @p p with event time
 * @p ts at wall clock @p now. */
static void see(fixture *f, sl_stage *timed, const sl_stage *src, int32_t p,
		int64_t ts, int64_t now)
{
	sl_origin o = { src->def->name, src->held[p].topic, p, f->offset++ };

	CHECK(sl_wm_observe(timed->wm, &o, ts, now) == 0);
}

static int64_t metric(const sl_stage *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->metric_count; i++)
		if (strcmp(s->metrics[i].name, name) == 0)
			return s->metrics[i].value;
	return 0;
}

static void fx_free(fixture *f)
{
	size_t i, j;

	sl_align_close(&f->e);
	for (i = 0; i < f->e.stage_count; i++) {
		if (f->stages[i].wm != NULL)
			sl_wm_free(f->stages[i].wm);
		for (j = 0; j < f->stages[i].metric_count; j++)
			free(f->stages[i].metrics[j].name);
		free(f->stages[i].metrics);
	}
}

/* Align source @p s at @p now: what it paused and resumed. */
static const char *align(fixture *f, const sl_stage *s, int64_t now)
{
	sl_error err;

	calls[0] = '\0';
	CHECK(sl_align_source(&f->e, s, now, &err) == SL_OK);
	return calls;
}

static const char *tick(fixture *f, int64_t now)
{
	sl_error err;

	calls[0] = '\0';
	CHECK(sl_align_tick(&f->e, now, &err) == SL_OK);
	return calls;
}

/* ---- the tests ------------------------------------------------------------- */

/* More than the skew ahead: paused; back within half: resumed. */
static void test_pause_and_resume(void)
{
	fixture f;
	sl_stage *src, *win;
	sl_error err;

	fx_init(&f);
	src = fx_source(&f, "src", &pausing, "in", 2);
	win = fx_timed(&f, "win", 1000, 0);
	feed(win, src, 0);
	CHECK(sl_align_open(&f.e, &err) == SL_OK);

	see(&f, win, src, 0, 1000, 10);
	see(&f, win, src, 1, 2000, 10);
	CHECK_STR(align(&f, src, 20), ""); /* exactly the skew ahead */
	see(&f, win, src, 1, 2001, 30);
	CHECK_STR(align(&f, src, 30), "src.pause(in/1) ");
	CHECK(metric(src, "partitions paused") == 1);
	CHECK_STR(align(&f, src, 40), ""); /* paused once */
	/* a paused input is alive, not idle */
	CHECK(sl_wm_input_of(win->wm, "src", "in", 1)->seen_ms == 40);

	see(&f, win, src, 0, 1500, 50);
	CHECK_STR(align(&f, src, 50), ""); /* 501 ahead: not yet */
	see(&f, win, src, 0, 1501, 60);
	CHECK_STR(align(&f, src, 60), "src.resume(in/1) ");
	CHECK(metric(src, "partitions paused") == 0);
	CHECK(metric(src, "paused ms") == 30);

	/* now in/1 is the slowest: the other runs ahead and waits */
	see(&f, win, src, 0, 3002, 70);
	CHECK_STR(tick(&f, 70), "src.pause(in/0) ");
	CHECK(metric(src, "partitions paused") == 1);
	sl_align_close(&f.e);
	CHECK(metric(src, "partitions paused") == 0);
	CHECK(f.e.align == NULL);
	fx_free(&f);
}

/* Skew 0, or a source that cannot pause both ways: nothing is paused. */
static void test_never_paused(void)
{
	const sl_source_class *cls[] = { &pausing, &half_pausing };
	const int64_t skew[] = { 0, 1000 };
	int k;

	for (k = 0; k < 2; k++) {
		fixture f;
		sl_stage *src, *win;
		sl_error err;

		fx_init(&f);
		src = fx_source(&f, "src", cls[k], "in", 2);
		win = fx_timed(&f, "win", skew[k], 0);
		feed(win, src, 0);
		CHECK(sl_align_open(&f.e, &err) == SL_OK);
		see(&f, win, src, 0, 0, 10);
		see(&f, win, src, 1, 1000000000, 10);
		CHECK_STR(align(&f, src, 20), "");
		CHECK_STR(tick(&f, 30), "");
		fx_free(&f);
	}
}

/*
 * An input that has shown no event time yet may be the slowest: the
 * others wait for its first record, or until it has been quiet for the
 * stage's idle.timeout (5 s when idleness is off).
 */
static void test_wait_for_first_record(void)
{
	const int64_t idle[] = { 0, 200 }, quiet[] = { 5000, 200 };
	int k;

	for (k = 0; k < 2; k++) {
		fixture f;
		sl_stage *src, *win;
		sl_error err;

		fx_init(&f);
		src = fx_source(&f, "src", &pausing, "in", 2);
		win = fx_timed(&f, "win", 1000, idle[k]);
		feed(win, src, 0);
		CHECK(sl_align_open(&f.e, &err) == SL_OK);
		see(&f, win, src, 1, 100, 10);
		CHECK_STR(tick(&f, 20), "src.pause(in/1) ");
		CHECK_STR(tick(&f, quiet[k] - 1), "");
		CHECK_STR(tick(&f, quiet[k]), "src.resume(in/1) ");
		fx_free(&f);
	}

	/* its first record ends the wait */
	{
		fixture f;
		sl_stage *src, *win;
		sl_error err;

		fx_init(&f);
		src = fx_source(&f, "src", &pausing, "in", 3);
		win = fx_timed(&f, "win", 1000, 0);
		feed(win, src, 0);
		CHECK(sl_align_open(&f.e, &err) == SL_OK);
		see(&f, win, src, 1, 100, 10);
		see(&f, win, src, 2, 3000, 10);
		CHECK_STR(tick(&f, 20), "src.pause(in/1,in/2) ");
		see(&f, win, src, 0, 50, 30);
		/* in/1 is 50 ahead, in/2 2950: the skew decides again */
		CHECK_STR(tick(&f, 30), "src.resume(in/1) ");
		CHECK(metric(src, "partitions paused") == 1);
		fx_free(&f);
	}
}

/* An input at its end holds nothing, at once, but only once every stage
 * that watches it says it is at its end. */
static void test_input_at_end(void)
{
	fixture f;
	sl_stage *src, *win1, *win2;
	sl_error err;

	fx_init(&f);
	src = fx_source(&f, "src", &pausing, "in", 2);
	win1 = fx_timed(&f, "win1", 1000, 0);
	win2 = fx_timed(&f, "win2", 1000, 0);
	feed(win1, src, 1);
	feed(win2, src, 1);
	CHECK(sl_align_open(&f.e, &err) == SL_OK);
	see(&f, win1, src, 0, 0, 0);
	see(&f, win2, src, 0, 0, 0);
	see(&f, win1, src, 1, 5000, 0);
	see(&f, win2, src, 1, 5000, 0);
	CHECK_STR(tick(&f, 1), "src.pause(in/1) ");
	sl_wm_at_end(win1->wm, "src", "in", 0, f.offset, 0, 2);
	CHECK_STR(tick(&f, 2), "");
	sl_wm_at_end(win2->wm, "src", "in", 0, f.offset, 0, 3);
	CHECK_STR(tick(&f, 3), "src.resume(in/1) ");
	fx_free(&f);
}

/* An input no longer read here is forgotten without a resume. */
static void test_forget(void)
{
	fixture f;
	sl_stage *src, *win;
	sl_error err;

	fx_init(&f);
	src = fx_source(&f, "src", &pausing, "in", 2);
	win = fx_timed(&f, "win", 1000, 0);
	feed(win, src, 0);
	CHECK(sl_align_open(&f.e, &err) == SL_OK);
	see(&f, win, src, 0, 0, 10);
	see(&f, win, src, 1, 2000, 10);
	CHECK_STR(tick(&f, 10), "src.pause(in/1) ");
	sl_align_forget(&f.e, src, "in", 0); /* not paused: nothing */
	CHECK(metric(src, "partitions paused") == 1);
	calls[0] = '\0';
	sl_align_forget(&f.e, src, "in", 1);
	CHECK_STR(calls, "");
	CHECK(metric(src, "partitions paused") == 0);
	/* read again here, and still ahead: paused anew */
	CHECK_STR(tick(&f, 20), "src.pause(in/1) ");
	fx_free(&f);
}

/* A source failing to pause or resume: an error naming the stage; the
 * input is not taken for paused (or resumed), so the next round asks
 * again. */
static void test_call_fails(void)
{
	fixture f;
	sl_stage *src, *win;
	sl_error err;

	fx_init(&f);
	src = fx_source(&f, "src", &pausing, "in", 2);
	win = fx_timed(&f, "win", 1000, 0);
	feed(win, src, 0);
	CHECK(sl_align_open(&f.e, &err) == SL_OK);
	see(&f, win, src, 0, 0, 10);
	see(&f, win, src, 1, 2000, 10);
	f.fakes[0].fail_pause = 1;
	CHECK(sl_align_tick(&f.e, 10, &err) == SL_ERR);
	CHECK_STR(err.message, "stage 'src': pausing inputs running ahead in "
		  "event time: src pause failed");
	CHECK(metric(src, "partitions paused") == 0);
	f.fakes[0].fail_pause = 0;
	CHECK_STR(tick(&f, 20), "src.pause(in/1) ");

	see(&f, win, src, 0, 2000, 30);
	f.fakes[0].fail_resume = 1;
	calls[0] = '\0';
	CHECK(sl_align_source(&f.e, src, 30, &err) == SL_ERR);
	CHECK_STR(calls, "src.resume(in/1) ");
	CHECK_STR(err.message, "stage 'src': resuming inputs running ahead in "
		  "event time: src resume failed");
	CHECK(metric(src, "partitions paused") == 1);
	f.fakes[0].fail_resume = 0;
	CHECK_STR(tick(&f, 40), "src.resume(in/1) ");
	CHECK(metric(src, "partitions paused") == 0);
	fx_free(&f);
}

/* Inputs are measured against the slowest of their own source only;
 * sl_align_source aligns that source alone. */
static void test_sources_apart(void)
{
	fixture f;
	sl_stage *a, *b, *win;
	sl_error err;

	fx_init(&f);
	a = fx_source(&f, "A", &pausing, "a", 2);
	b = fx_source(&f, "B", &pausing, "b", 2);
	win = fx_timed(&f, "win", 1000, 0);
	feed(win, a, 0);
	feed(win, b, 0);
	CHECK(sl_align_open(&f.e, &err) == SL_OK);
	see(&f, win, a, 0, 0, 10);
	see(&f, win, a, 1, 5000, 10);
	see(&f, win, b, 0, 100000, 10);
	see(&f, win, b, 1, 105000, 10);
	CHECK_STR(align(&f, b, 20), "B.pause(b/1) ");
	CHECK_STR(tick(&f, 30), "A.pause(a/1) ");
	CHECK_STR(tick(&f, 40), "");
	fx_free(&f);
}

/* Stages of skew @p first then @p second watch one source: the input
 * 2000 ms ahead is paused whatever their order when either is 1000. */
static void skew_in_order(int64_t first, int64_t second)
{
	fixture f;
	sl_stage *src, *a, *b;
	sl_error err;

	fx_init(&f);
	src = fx_source(&f, "src", &pausing, "in", 2);
	a = fx_timed(&f, "a", first, 0);
	b = fx_timed(&f, "b", second, 0);
	feed(a, src, 0);
	feed(b, src, 0);
	CHECK(sl_align_open(&f.e, &err) == SL_OK);
	see(&f, a, src, 0, 0, 10);
	see(&f, a, src, 1, 2000, 10);
	CHECK_STR(tick(&f, 10), "src.pause(in/1) ");
	fx_free(&f);
}

/*
 * The skew is the smallest of the stages that watch the source; a
 * repartition sink in front of a keyed stage watches with the keyed
 * stage's skew, and the keyed stage's own (reported) watermark is not
 * compared.
 */
static void test_skew_of_watchers(void)
{
	fixture f;
	sl_stage *src, *win1, *win2, *hop, *keyed;
	sl_error err;

	fx_init(&f);
	src = fx_source(&f, "src", &pausing, "in", 2);
	win1 = fx_timed(&f, "win1", 3000, 0);
	win2 = fx_timed(&f, "win2", 1000, 0);
	feed(win1, src, 0);
	feed(win2, src, 0);
	CHECK(sl_align_open(&f.e, &err) == SL_OK);
	see(&f, win1, src, 0, 0, 10);
	see(&f, win1, src, 1, 2000, 10);
	CHECK_STR(tick(&f, 10), "src.pause(in/1) ");
	fx_free(&f);
	/* a stage that never holds (0) sets no limit, in either order */
	skew_in_order(0, 1000);
	skew_in_order(1000, 0);

	fx_init(&f);
	src = fx_source(&f, "src", &pausing, "in", 2);
	hop = fx_timed(&f, "hop", 60000, 0);
	hop->kind = SL_KIND_SINK;
	f.defs[1].role = SL_ROLE_REPARTITION_SINK;
	keyed = fx_timed(&f, "keyed", 1000, 0);
	keyed->wm->reported = 1;
	hop->hop.serves = keyed;
	feed(hop, src, 0);
	keyed->upstream[keyed->upstream_count++] = src;
	CHECK(sl_align_open(&f.e, &err) == SL_OK);
	see(&f, hop, src, 0, 0, 10);
	see(&f, hop, src, 1, 2000, 10);
	CHECK_STR(tick(&f, 10), "src.pause(in/1) ");
	see(&f, hop, src, 0, 1500, 20);
	CHECK_STR(tick(&f, 20), "src.resume(in/1) ");
	fx_free(&f);
}

int main(void)
{
	test_pause_and_resume();
	test_never_paused();
	test_wait_for_first_record();
	test_input_at_end();
	test_forget();
	test_call_fails();
	test_sources_apart();
	test_skew_of_watchers();
	return check_done("test_align");
}
