/*
 * sluice/batch.h - records and the batches that carry them.
 *
 * Records move through a job in batches.  Every byte a batch needs (decoded
 * values, encoded payloads, copies) comes from the batch's arena, which is
 * released in one go when the batch has reached every sink: allocate from
 * it freely, never free() what it returns, and never keep a pointer into it
 * after the callback that received the batch returns (copy what you keep).
 */
#ifndef SLUICE_BATCH_H
#define SLUICE_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sluice/value.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A run of bytes that is not owned by the holder. */
typedef struct sl_bytes {
	const uint8_t *data;
	size_t len;
} sl_bytes;

/** One record header (Kafka headers; name is NUL-terminated). */
typedef struct sl_header {
	const char *name;
	sl_bytes value; /**< value.data == NULL for a null header value */
} sl_header;

/**
 * Where a record came from.  For Kafka: topic, partition, offset.  For a
 * file: the path, partition -1 and the line number as offset.  For
 * generated records: topic NULL, partition -1, a sequence number.
 */
typedef struct sl_origin {
	const char *stage; /**< name of the source stage */
	const char *topic;
	int32_t partition;
	int64_t offset;
} sl_origin;

/** Record flags. */
enum sl_record_flag {
	/** key was set by an operator: key_raw is stale */
	SL_RECORD_KEY_SET = 1u << 0,
	/** value was set by an operator: value_raw is stale */
	SL_RECORD_VALUE_SET = 1u << 1
};

/**
 * A record.  A source fills the *_raw bytes; the engine decodes them with
 * the stage's formats into `key` and `value` before operators see the
 * record, and encodes them again for each sink.  Operators change a record
 * with sl_record_set_value() / sl_record_set_key() so the stale raw bytes
 * are not written out.
 */
typedef struct sl_record {
	sl_bytes key_raw;
	sl_bytes value_raw;
	const sl_value *key;   /**< decoded key, NULL when the record has none */
	const sl_value *value; /**< decoded value, NULL before decoding */
	int64_t timestamp;     /**< ms since the epoch, -1 when unknown */
	sl_header *headers;
	uint32_t header_count;
	uint32_t flags;        /**< enum sl_record_flag */
	sl_origin origin;
	const void *key_codec;   /**< engine-private: format of key_raw */
	const void *value_codec; /**< engine-private: format of value_raw */
} sl_record;

/** Replace the record's value; its serialized bytes become stale. */
static inline void sl_record_set_value(sl_record *r, const sl_value *v)
{
	r->value = v;
	r->flags |= SL_RECORD_VALUE_SET;
}

/** Replace the record's key; its serialized bytes become stale. */
static inline void sl_record_set_key(sl_record *r, const sl_value *k)
{
	r->key = k;
	r->flags |= SL_RECORD_KEY_SET;
}

typedef struct sl_arena sl_arena;

/** A bump allocator; the fast path is inline, the slow path the host's. */
struct sl_arena {
	uint8_t *cur;
	uint8_t *end;
	void *(*grow)(sl_arena *arena, size_t size); /**< host-private */
};

/**
 * @p size bytes from @p arena, 8-byte aligned; NULL only when memory is
 * exhausted.
 */
static inline void *sl_arena_alloc(sl_arena *arena, size_t size)
{
	size = (size + 7u) & ~(size_t)7u;
	if ((size_t)(arena->end - arena->cur) >= size) {
		void *p = arena->cur;
		arena->cur += size;
		return p;
	}
	return arena->grow(arena, size);
}

/** A copy of @p len bytes at @p p in @p arena, NUL-terminated. */
static inline char *sl_arena_strndup(sl_arena *arena, const void *p, size_t len)
{
	char *s = (char *)sl_arena_alloc(arena, len + 1);
	if (s != NULL) {
		if (len)
			memcpy(s, p, len);
		s[len] = '\0';
	}
	return s;
}

typedef struct sl_batch sl_batch;

/**
 * A batch.  Read and rewrite `records[0 .. count)` in place; to drop
 * records, compact the array and lower `count`; to add, sl_batch_push().
 */
struct sl_batch {
	sl_record *records;
	uint32_t count;
	uint32_t capacity;
	sl_arena *arena;
	sl_record *(*grow)(sl_batch *batch); /**< host-private */
	void *engine;                        /**< host-private */
};

/**
 * A new zeroed record at the end of @p batch (timestamp -1, partition -1),
 * or NULL when memory is exhausted.  Pointers to earlier records may move.
 */
static inline sl_record *sl_batch_push(sl_batch *batch)
{
	sl_record *r;

	if (batch->count == batch->capacity)
		return batch->grow(batch);
	r = &batch->records[batch->count++];
	memset(r, 0, sizeof *r);
	r->timestamp = -1;
	r->origin.partition = -1;
	return r;
}

/** A growable byte buffer whose memory comes from an arena. */
typedef struct sl_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	sl_arena *arena;
} sl_buf;

/** Make room for @p more bytes in @p buf; 0 on success, -1 out of memory. */
static inline int sl_buf_reserve(sl_buf *buf, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (buf->cap - buf->len >= more)
		return 0;
	cap = buf->cap ? buf->cap * 2 : 64;
	while (cap - buf->len < more)
		cap *= 2;
	/* growing in place when the buffer is the arena's newest block */
	if (buf->data != NULL && buf->data + buf->cap == buf->arena->cur &&
	    (size_t)(buf->arena->end - buf->arena->cur) >= cap - buf->cap) {
		buf->arena->cur += cap - buf->cap;
		buf->cap = cap;
		return 0;
	}
	p = (uint8_t *)sl_arena_alloc(buf->arena, cap);
	if (p == NULL)
		return -1;
	if (buf->len)
		memcpy(p, buf->data, buf->len);
	buf->data = p;
	buf->cap = cap;
	return 0;
}

/** Append @p len bytes to @p buf; 0 on success, -1 out of memory. */
static inline int sl_buf_append(sl_buf *buf, const void *p, size_t len)
{
	if (sl_buf_reserve(buf, len) != 0)
		return -1;
	if (len)
		memcpy(buf->data + buf->len, p, len);
	buf->len += len;
	return 0;
}

/*
 * The structs above and sl_value (sluice/value.h) are compiled into
 * plugins through the inline helpers: their layout is frozen within an
 * ABI major.  SL_LAYOUT_STAMP folds their sizes and field offsets into
 * one number that every plugin carries (SL_PLUGIN), and the loader
 * refuses a plugin whose stamp is not the host's, so a layout changed by
 * mistake is caught at load, not by corrupted records.
 */
#define SL_LAYOUT_MIX(h, v) ((h) * 31u + (uint32_t)(v))
#define SL_LAYOUT_STAMP                                                    \
	SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(            \
	SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(            \
	SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(            \
	SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(            \
	SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(SL_LAYOUT_MIX(            \
	SL_LAYOUT_MIX(SL_LAYOUT_MIX(7u,                                     \
	sizeof(sl_value)), offsetof(sl_value, len)),                        \
	offsetof(sl_value, as)), sizeof(sl_member)),                        \
	sizeof(sl_bytes)), sizeof(sl_header)),                              \
	sizeof(sl_origin)), offsetof(sl_origin, offset)),                   \
	sizeof(sl_record)), offsetof(sl_record, value)),                    \
	offsetof(sl_record, timestamp)), offsetof(sl_record, flags)),       \
	offsetof(sl_record, origin)), offsetof(sl_record, value_codec)),    \
	sizeof(struct sl_arena)), offsetof(struct sl_arena, end)),          \
	sizeof(struct sl_batch)), offsetof(struct sl_batch, arena)),        \
	offsetof(struct sl_batch, engine)), sizeof(sl_buf)),                \
	offsetof(sl_buf, cap)), offsetof(sl_buf, arena))

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_BATCH_H */
