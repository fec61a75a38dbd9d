/*
 * inputs.h - which sources feed which stages, and what sources report
 * about the partitions they read (inputs.c).
 */
#ifndef SL_INPUTS_H
#define SL_INPUTS_H

#include "runtime/stage.h"

typedef struct sl_inputs sl_inputs;

/* After wiring: each stage's upstream sources.  SL_OK or SL_ERR. */
int sl_inputs_open(sl_engine *e, sl_error *err);
void sl_inputs_close(sl_engine *e);

/*
 * The batch source @p s was filling has gone through the job: apply
 * what it reported meanwhile (positions at partition ends, control
 * data), or drop it when the batch failed (@p ok 0).  SL_OK or SL_ERR.
 */
int sl_inputs_settle(sl_engine *e, sl_stage *s, int ok, sl_error *err);

/* A partition of @p s is no longer read here: drop what it reported. */
void sl_inputs_forget(sl_engine *e, sl_stage *s, const char *topic,
		      int32_t partition);

/* The host's inputs_assigned, inputs_revoked, partition_end and
 * control_received. */
int sl_engine_inputs_assigned(sl_stage *s, const sl_input *inputs,
			      size_t count, sl_error *err);
void sl_engine_inputs_revoked(sl_stage *s, const sl_input *inputs,
			      size_t count);
void sl_engine_partition_end(sl_stage *s, const char *topic, int32_t partition,
			     int64_t offset);
void sl_engine_partition_finished(sl_stage *s, const char *topic,
				  int32_t partition, int64_t offset);
void sl_engine_control_received(sl_stage *s, const sl_origin *origin,
				const void *data, size_t len);

#endif
