/*
 * sluice/format.h - format plugins (serializers): bytes <-> sl_value.
 *
 * Sources and sinks name formats with `format =` and `key.format =`; the
 * engine calls them at the edges of the job, so sources and sinks only see
 * bytes and operators only see values.
 */
#ifndef SLUICE_FORMAT_H
#define SLUICE_FORMAT_H

#include <sluice/stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a format plugin provides. */
typedef struct sl_format_class {
	uint32_t struct_size; /**< sizeof(sl_format_class) */

	/**
	 * Optional.  Open an instance for the source or sink @p stage that
	 * uses this format.  When NULL, `self` is NULL in the calls below.
	 * On SL_ERR it frees what it allocated: close is not called.
	 */
	int (*open)(sl_stage *stage, void **self, sl_error *err);

	/**
	 * Decode @p len bytes at @p data into @p out, allocating from
	 * @p arena (strings may point into @p data, which outlives the
	 * value).  Bad input: fill @p err (kind SL_ERR_RECORD, the reason
	 * without the origin, which the engine adds) and return SL_ERR.
	 */
	int (*decode)(void *self, const uint8_t *data, size_t len,
		      sl_arena *arena, sl_value *out, sl_error *err);

	/**
	 * Append the encoding of @p value to @p out.  A value this format
	 * cannot write: fill @p err (SL_ERR_RECORD) and return SL_ERR.
	 */
	int (*encode)(void *self, const sl_value *value, sl_buf *out,
		      sl_error *err);

	/** Optional.  Close the instance. */
	void (*close)(void *self);
} sl_format_class;

/** A format plugin a stage opened for bytes it reads itself (opaque). */
typedef struct sl_format_use sl_format_use;

/**
 * Open format plugin @p name (`json`, `string`, ...) for @p stage, to
 * decode bytes the stage reads itself (a join's table values), as a
 * source's format decodes what it reads; the format's options are the
 * stage's under the format's name.  Call it from open; release it in
 * close.  NULL with @p err filled (no such format, its open failed).
 * Table 16: declare `.host_needs = SL_HOST_SIZE_WITH(format_release)`.
 */
#define sl_format_use(stage, name, err) \
	(sl_host_api->format_use(stage, name, err))

/**
 * Decode @p len bytes at @p data with @p f into @p out, allocating from
 * @p arena.  Strings of the value may point into @p data: keep it as
 * long as the value (copy it into @p arena when it may go first).
 * SL_OK; SL_ERR with @p err filled, kind SL_ERR_RECORD for bytes the
 * format refuses.
 */
#define sl_format_decode(f, data, len, arena, out, err) \
	(sl_host_api->format_decode(f, data, len, arena, out, err))

/** Close what sl_format_use() opened.  NULL does nothing. */
#define sl_format_release(f) (sl_host_api->format_release(f))

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_FORMAT_H */
