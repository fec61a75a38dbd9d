/*
 * record_codec.h - sluice's binary record codec: an sl_value as compact
 * bytes, for the values of repartition topics, which only sluice writes
 * and reads.
 *
 * Version 1, byte for byte:
 *
 *   record := 0xA1 value               (the magic byte names the version)
 *   value  := 0x00                     null
 *           | 0x01 | 0x02              false | true
 *           | 0x03 varint              int, zigzag (0, -1, 1, -2, ...)
 *           | 0x04 8 bytes             double, IEEE 754 little-endian
 *           | 0x05 varint bytes        string: length, then UTF-8
 *           | 0x06 varint bytes        bytes: length, then the bytes
 *           | 0x07 varint value*       array: count, then the items
 *           | 0x08 varint member*      object: count, then the members
 *   member := varint bytes value       name (length, UTF-8), then value
 *   varint := LEB128, 7 bits a byte, least significant first, in the
 *             fewest bytes (a longer form is refused, so every value
 *             has exactly one encoding); lengths and counts < 2^32
 *
 * Containers nest at most SL_RECORD_CODEC_MAX_DEPTH deep, as the json
 * format reads them, so whatever a source decoded crosses a hop.  The
 * decoder checks every length against the bytes left, refuses trailing
 * bytes, and never reads outside its input.
 */
#ifndef SL_RECORD_CODEC_H
#define SL_RECORD_CODEC_H

#include <sluice/batch.h>
#include <sluice/error.h>

/* The first byte of a version-1 record.  0xA1 is never the first byte of
 * UTF-8 text (a continuation byte), so JSON or text read by mistake is
 * told apart; a later version takes the next value. */
#define SL_RECORD_CODEC_MAGIC 0xA1
#define SL_RECORD_CODEC_VERSION 1

/* Containers nested deeper are refused (the top-level one is at 1). */
#define SL_RECORD_CODEC_MAX_DEPTH 2048

/*
 * Append the record encoding of @p value to @p out.  SL_OK, or SL_ERR
 * with @p err filled: SL_ERR_RECORD for a value nested too deep,
 * SL_ERR_RUNTIME when out of memory.
 */
int sl_record_codec_encode(const sl_value *value, sl_buf *out, sl_error *err);

/*
 * Decode the record of @p len bytes at @p data into @p out, allocating
 * containers from @p arena; strings and bytes point into @p data.  SL_OK,
 * or SL_ERR with @p err filled (SL_ERR_RECORD: what is wrong and at which
 * byte offset; SL_ERR_RUNTIME: out of memory).
 */
int sl_record_codec_decode(const uint8_t *data, size_t len, sl_arena *arena,
			   sl_value *out, sl_error *err);

#endif
