/*
 * kafka_source_align.c - the engine's event-time alignment, in Kafka
 * terms: a partition that runs ahead is held, which means its queue is
 * not read until it is let go (kafka_source_queues.c).
 */
#include "kafka_source_shared.h"

static void hold(kafka_source *s, const sl_input *inputs, size_t count, int back)
{
	size_t i;

	for (i = 0; i < count; i++) {
		kafka_part *p = inputs[i].topic == NULL ? NULL :
			kafka_source_part(s, inputs[i].topic, inputs[i].partition, 0);

		if (p != NULL && p->assigned)
			p->held_back = back;
	}
}

int kafka_source_pause_inputs(void *self, const sl_input *inputs, size_t count,
			      sl_error *err)
{
	(void)err;
	hold(self, inputs, count, 1);
	return SL_OK;
}

int kafka_source_resume_inputs(void *self, const sl_input *inputs, size_t count,
			       sl_error *err)
{
	(void)err;
	hold(self, inputs, count, 0);
	return SL_OK;
}
