/*
 * sluice/operator.h - operator plugins: what happens to records.
 */
#ifndef SLUICE_OPERATOR_H
#define SLUICE_OPERATOR_H

#include <sluice/stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What an operator plugin provides. */
typedef struct sl_operator_class {
	uint32_t struct_size; /**< sizeof(sl_operator_class) */

	/** Open an instance for @p stage.  SL_OK or SL_ERR. */
	int (*open)(sl_stage *stage, void **self, sl_error *err);

	/**
	 * Transform @p batch in place: rewrite records, drop them (compact the
	 * array, lower count), add them (sl_batch_push).  New memory comes
	 * from batch->arena.  Per-record failures go through
	 * sl_record_error().  SL_OK or SL_ERR.
	 */
	int (*process)(void *self, sl_batch *batch, sl_error *err);

	/**
	 * Optional.  Called about every 100 ms with the wall clock (ms since
	 * the epoch); may append records to @p out (a window firing on
	 * processing time or after an idle timeout).
	 */
	int (*tick)(void *self, int64_t now_ms, sl_batch *out, sl_error *err);

	/**
	 * Optional.  Every input has ended (a bounded run): append to @p out
	 * everything still held (open windows fire).
	 */
	int (*finish)(void *self, sl_batch *out, sl_error *err);

	/** Close the instance and free it.  May be NULL. */
	void (*close)(void *self);
} sl_operator_class;

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_OPERATOR_H */
