/* What a source reports inside poll (a repartition topic's progress
 * reports, a partition's end) is applied once the batch it was filling
 * has gone through the job, unless the sources were rewound meanwhile:
 * then it is read again after the records it speaks for. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime/inputs.h"
#include "runtime/stage.h"
#include "runtime/watermark.h"

static int commit_nothing(void *self, const sl_position *positions,
			  size_t count, sl_error *err)
{
	(void)self, (void)positions, (void)count, (void)err;
	return SL_OK;
}

/* "upstream partition 0 of 1 has reached 5000", as a hop sink writes */
static const char REPORT[] = "src\tin\t0\t1\t5000\t0\n";

static void report_at(sl_stage *hop, int64_t offset)
{
	sl_origin at = { "hop", "rep", 0, offset };

	sl_engine_control_received(hop, &at, REPORT, sizeof REPORT - 1);
}

static void test_rewind_drops_reports(void)
{
	sl_source_class cls;
	sl_plugin plugin;
	sl_job_stage def_hop, def_keyed;
	sl_stage stages[2];
	sl_watermark wm;
	sl_engine e;
	sl_error err;

	memset(&cls, 0, sizeof cls);
	cls.struct_size = sizeof cls;
	cls.commit = commit_nothing;
	memset(&plugin, 0, sizeof plugin);
	plugin.source = &cls;
	memset(&def_hop, 0, sizeof def_hop);
	memset(&def_keyed, 0, sizeof def_keyed);
	def_hop.name = "hop";
	def_keyed.name = "keyed";
	memset(stages, 0, sizeof stages);
	memset(&e, 0, sizeof e);
	e.stages = stages;
	e.stage_count = 1; /* the keyed stage is only the report's reader */
	stages[0].def = &def_hop;
	stages[0].engine = &e;
	stages[0].kind = SL_KIND_SOURCE;
	stages[0].plugin = &plugin;
	stages[0].hop.serves = &stages[1];
	stages[1].def = &def_keyed;
	stages[1].engine = &e;
	sl_wm_init(&wm, 0, 1);
	stages[1].wm = &wm;
	CHECK(sl_inputs_open(&e, &err) == SL_OK);
	CHECK(sl_wm_assigned(&wm, "hop", "rep", 0, 1, 1, 0) == 0);

	/* a rewind between the report and the end of its batch */
	report_at(&stages[0], 41);
	e.rewinds++;
	CHECK(sl_inputs_settle(&e, &stages[0], 1, &err) == SL_OK);
	CHECK(sl_wm_value(&wm, 0, 0) == INT64_MIN);
	CHECK(stages[0].position_count == 0);

	/* read again: now it counts, and so does its position */
	report_at(&stages[0], 41);
	CHECK(sl_inputs_settle(&e, &stages[0], 1, &err) == SL_OK);
	CHECK(sl_wm_value(&wm, 0, 0) == 5000);
	CHECK(stages[0].position_count == 1);
	CHECK(stages[0].positions[0].next_offset == 42);

	sl_inputs_close(&e);
	free(stages[0].positions[0].topic);
	free(stages[0].positions);
	sl_wm_free(&wm);
}

int main(void)
{
	test_rewind_drops_reports();
	return check_done("test_inputs");
}
