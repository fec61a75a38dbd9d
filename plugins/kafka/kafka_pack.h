/*
 * kafka_pack.h - many records of a repartition topic in one Kafka
 * message.
 *
 * A repartition topic is the job's own: only sluice reads it.  So the
 * hop's sink writes the records bound for one partition in runs (a
 * "pack" of up to KAFKA_PACK_RECORDS, under the message key
 * KAFKA_PACK_KEY) and its source hands them out again one by one: the
 * per-message work of producing and fetching, most of what a hop costs,
 * is paid once per pack instead of once per record.  All the records of
 * a pack share its offset, and the source hands out a pack whole, in one
 * batch, so a position is never committed in the middle of one.  A
 * record read from a message without the key (written by a sluice from
 * before packs) is one record, as it always was.
 *
 * A pack: the byte KAFKA_PACK_MAGIC, then per record
 *
 *   varint(key length + 1, 0: no key)   key
 *   varint(value length + 1, 0: none)   value
 *   varint(zigzag(timestamp))           (-1: none)
 *   varint(header count)
 *   per header: varint(name length) name NUL, varint(value length + 1) value
 *
 * varints as in Protocol Buffers (7 bits a byte, low first).  The name's
 * NUL is in the pack so that a record read back points into it.
 */
#ifndef SL_KAFKA_PACK_H
#define SL_KAFKA_PACK_H

#include <stddef.h>
#include <stdint.h>

#include <sluice/batch.h>
#include <sluice/error.h>

#define KAFKA_PACK_KEY "\xff" "sluice.pack"
#define KAFKA_PACK_KEY_LEN (sizeof KAFKA_PACK_KEY - 1)
#define KAFKA_PACK_MAGIC 0xB1
/* Records in a pack at most: a source batch has room for several. */
#define KAFKA_PACK_RECORDS 128
/* Bytes a pack aims for at most (a larger record is a pack alone). */
#define KAFKA_PACK_BYTES (256 * 1024)

/* A pack being written. */
typedef struct kafka_pack {
	uint8_t *data;
	size_t len, cap;
	uint32_t count;
	int64_t timestamp;  /* the message's: its first record's */
} kafka_pack;

/* The bytes @p r takes in a pack. */
size_t kafka_pack_record_size(const sl_record *r);

/* Append @p r (its key_raw, value_raw, timestamp and headers).  0, or -1
 * when out of memory. */
int kafka_pack_add(kafka_pack *p, const sl_record *r);

/* Whether @p p should go before a record of @p next bytes joins it: at
 * KAFKA_PACK_RECORDS, or past @p most bytes (at most KAFKA_PACK_BYTES,
 * less when the producer's messages must be smaller). */
int kafka_pack_full(const kafka_pack *p, size_t next, size_t most);

/* Empty it, keeping its memory. */
void kafka_pack_reset(kafka_pack *p);
void kafka_pack_free(kafka_pack *p);

/* The packs a repartition sink fills, one per partition of its topic;
 * listed in its producer, which drops them with an aborted transaction. */
typedef struct kafka_packs {
	struct kafka_packs *next;
	int32_t partitions;
	uint32_t unkeyed;         /* records without a key go round */
	int failed;               /* a pack could not be produced: ... */
	sl_error failure;         /* ... why, told at the next call */
	kafka_pack by_partition[];
} kafka_packs;

/* Empty every pack of @p ps (an aborted transaction took its records). */
void kafka_packs_drop(kafka_packs *ps);

/*
 * The records of pack @p data (@p len bytes): how many, after checking
 * the whole pack; -1 when it is malformed (@p why says where).
 */
long kafka_pack_count(const void *data, size_t len, char *why, size_t size);

/*
 * Fill @p r from the record at *@p at of a pack kafka_pack_count()
 * accepted (key_raw, value_raw, timestamp, headers in @p arena: pointers
 * into the pack), moving *@p at past it.  0, or -1 out of memory.
 */
int kafka_pack_read(const uint8_t *data, size_t len, size_t *at,
		    sl_record *r, sl_arena *arena);

#endif
