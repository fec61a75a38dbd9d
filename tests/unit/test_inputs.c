/* What a source reports inside poll (a repartition topic's progress
 * reports, a partition's end) is applied once the batch it was filling
 * has gone through the job, unless the sources were rewound meanwhile:
 * then it is read again after the records it speaks for.  Partitions
 * assigned to and revoked from a source reach the open operators it
 * feeds that ask for them (inputs_assigned / inputs_revoked), and an
 * operator's refusal fails the assignment, naming the stage. */
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

/* What the operator's hooks were told. */
static struct {
	int assigned, revoked, refuse;
	sl_input last[4];
	size_t last_count;
} told;

static int op_assigned(void *self, const sl_input *inputs, size_t count,
		       sl_error *err)
{
	(void)self;
	told.assigned++;
	told.last_count = count < 4 ? count : 4;
	memcpy(told.last, inputs, told.last_count * sizeof *inputs);
	if (told.refuse)
		return sl_error_set(err, SL_ERR_CONFIG, "3 partitions, not %d",
				    (int)inputs[0].partitions);
	return SL_OK;
}

static void op_revoked(void *self, const sl_input *inputs, size_t count)
{
	(void)self;
	told.revoked++;
	told.last_count = count < 4 ? count : 4;
	memcpy(told.last, inputs, told.last_count * sizeof *inputs);
}

static void test_operators_told(void)
{
	sl_source_class src_cls;
	sl_operator_class op_cls;
	sl_plugin src_plugin, op_plugin;
	sl_job_stage def_src, def_op, def_closed, *from_src = &def_src;
	sl_stage stages[3];
	sl_engine e;
	sl_error err;
	int self = 1;
	const sl_input two[] = { { "orders", 2, 3 }, { "orders", 0, 3 } };

	memset(&src_cls, 0, sizeof src_cls);
	src_cls.struct_size = sizeof src_cls;
	memset(&op_cls, 0, sizeof op_cls);
	op_cls.struct_size = sizeof op_cls;
	op_cls.inputs_assigned = op_assigned;
	op_cls.inputs_revoked = op_revoked;
	memset(&src_plugin, 0, sizeof src_plugin);
	src_plugin.source = &src_cls;
	memset(&op_plugin, 0, sizeof op_plugin);
	op_plugin.op = &op_cls;
	memset(&def_src, 0, sizeof def_src);
	memset(&def_op, 0, sizeof def_op);
	memset(&def_closed, 0, sizeof def_closed);
	def_src.name = "in";
	def_src.order_index = 0;
	def_op.name = "join";
	def_op.inputs = &from_src;
	def_op.input_count = 1;
	def_closed.name = "closed";
	def_closed.inputs = &from_src;
	def_closed.input_count = 1;
	memset(stages, 0, sizeof stages);
	memset(&e, 0, sizeof e);
	e.stages = stages;
	e.stage_count = 3;
	stages[0].def = &def_src;
	stages[0].kind = SL_KIND_SOURCE;
	stages[0].plugin = &src_plugin;
	stages[1].def = &def_op;
	stages[1].kind = SL_KIND_OPERATOR;
	stages[1].plugin = &op_plugin;
	stages[1].self = &self;
	/* fed by the source too, but not open: never called */
	stages[2].def = &def_closed;
	stages[2].kind = SL_KIND_OPERATOR;
	stages[2].plugin = &op_plugin;
	stages[0].engine = stages[1].engine = stages[2].engine = &e;
	CHECK(sl_inputs_open(&e, &err) == SL_OK);

	memset(&told, 0, sizeof told);
	CHECK(sl_engine_inputs_assigned(&stages[0], two, 2, &err) == SL_OK);
	CHECK(told.assigned == 1 && told.last_count == 2);
	CHECK(told.last_count == 2 && strcmp(told.last[0].topic, "orders") == 0 &&
	      told.last[0].partition == 2 && told.last[0].partitions == 3 &&
	      told.last[1].partition == 0);

	sl_engine_inputs_revoked(&stages[0], two + 1, 1);
	CHECK(told.revoked == 1 && told.last_count == 1 &&
	      told.last[0].partition == 0);

	told.refuse = 1;
	CHECK(sl_engine_inputs_assigned(&stages[0], two + 1, 1, &err) == SL_ERR);
	CHECK(told.assigned == 2);
	CHECK(told.assigned == 2 &&
	      strstr(err.message, "stage 'join': 3 partitions, not 3") != NULL);

	sl_inputs_close(&e);
}

int main(void)
{
	test_rewind_drops_reports();
	test_operators_told();
	return check_done("test_inputs");
}
