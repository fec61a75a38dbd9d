/*
 * kafka_pack.c - see kafka_pack.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_pack.h"

/* ---- writing ---------------------------------------------------------------- */

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *put_varint(uint8_t *out, uint64_t v)
{
	while (v >= 0x80) {
		*out++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*out++ = (uint8_t)v;
	return out;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* A length as written: 0 for none, else the length plus one. */
static uint64_t opt_len(const void *data, size_t len)
{
	return data != NULL ? (uint64_t)len + 1 : 0;
}

size_t kafka_pack_record_size(const sl_record *r)
{
	size_t n = varint_size(opt_len(r->key_raw.data, r->key_raw.len)) +
		   (r->key_raw.data ? r->key_raw.len : 0) +
		   varint_size(opt_len(r->value_raw.data, r->value_raw.len)) +
		   (r->value_raw.data ? r->value_raw.len : 0) +
		   varint_size(zigzag(r->timestamp)) +
		   varint_size(r->header_count);
	uint32_t i;

	for (i = 0; i < r->header_count; i++) {
		const sl_header *h = &r->headers[i];
		size_t name = strlen(h->name) + 1;

		n += varint_size(name) + name +
		     varint_size(opt_len(h->value.data, h->value.len)) +
		     (h->value.data ? h->value.len : 0);
	}
	return n;
}

static uint8_t *put_bytes(uint8_t *out, const void *data, size_t len)
{
	out = put_varint(out, opt_len(data, len));
	if (data != NULL && len > 0) {
		memcpy(out, data, len);
		out += len;
	}
	return out;
}

int kafka_pack_add(kafka_pack *p, const sl_record *r)
{
	size_t need = kafka_pack_record_size(r) + (p->len == 0);
	uint8_t *out;
	uint32_t i;

	if (p->len + need > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;

		while (cap < p->len + need)
			cap *= 2;
		if ((out = realloc(p->data, cap)) == NULL)
			return -1;
		p->data = out;
		p->cap = cap;
	}
	out = p->data + p->len;
	if (p->len == 0) {
		*out++ = KAFKA_PACK_MAGIC;
		p->timestamp = r->timestamp;
	}
	out = put_bytes(out, r->key_raw.data, r->key_raw.len);
	out = put_bytes(out, r->value_raw.data, r->value_raw.len);
	out = put_varint(out, zigzag(r->timestamp));
	out = put_varint(out, r->header_count);
	for (i = 0; i < r->header_count; i++) {
		const sl_header *h = &r->headers[i];
		size_t name = strlen(h->name) + 1;

		out = put_varint(out, name);
		memcpy(out, h->name, name);
		out += name;
		out = put_bytes(out, h->value.data, h->value.len);
	}
	p->len = (size_t)(out - p->data);
	p->count++;
	return 0;
}

int kafka_pack_full(const kafka_pack *p, size_t next, size_t most)
{
	return p->count > 0 && (p->count >= KAFKA_PACK_RECORDS ||
				p->len + next > most);
}

void kafka_pack_reset(kafka_pack *p)
{
	p->len = 0;
	p->count = 0;
	p->timestamp = -1;
}

void kafka_pack_free(kafka_pack *p)
{
	free(p->data);
	memset(p, 0, sizeof *p);
}

void kafka_packs_drop(kafka_packs *ps)
{
	int32_t i;

	for (i = 0; i < ps->partitions; i++)
		kafka_pack_reset(&ps->by_partition[i]);
}

/* ---- reading ---------------------------------------------------------------- */

/* The varint at *@p at, moving past it; -1 when cut short or too long
 * (more than 64 bits: the bits lost would make it another number). */
static int get_varint(const uint8_t *data, size_t len, size_t *at, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*at < len && shift < 64) {
		uint8_t b = data[(*at)++];

		if (shift == 63 && b > 1)
			return -1;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

/* An optional byte string at *@p at: *@p out NULL for none. */
static int get_bytes(const uint8_t *data, size_t len, size_t *at, sl_bytes *out)
{
	uint64_t n;

	if (get_varint(data, len, at, &n) != 0)
		return -1;
	if (n == 0) {
		out->data = NULL;
		out->len = 0;
		return 0;
	}
	if (n - 1 > len - *at)
		return -1;
	out->data = data + *at;
	out->len = (size_t)(n - 1);
	*at += (size_t)(n - 1);
	return 0;
}

/* One record at *@p at, its headers into @p hv when not NULL (room for
 * *@p count of them), else only counted.  0, or -1 malformed. */
static int record_at(const uint8_t *data, size_t len, size_t *at,
		     sl_bytes *key, sl_bytes *value, int64_t *ts,
		     sl_header *hv, uint64_t *count)
{
	uint64_t z, i, name;
	sl_bytes b;

	if (get_bytes(data, len, at, key) != 0 ||
	    get_bytes(data, len, at, value) != 0 ||
	    get_varint(data, len, at, &z) != 0 ||
	    get_varint(data, len, at, count) != 0 ||
	    *count > len - *at)
		return -1;
	*ts = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	for (i = 0; i < *count; i++) {
		if (get_varint(data, len, at, &name) != 0 || name == 0 ||
		    name > len - *at || data[*at + name - 1] != '\0' ||
		    memchr(data + *at, '\0', (size_t)name - 1) != NULL)
			return -1;
		if (hv != NULL)
			hv[i].name = (const char *)data + *at;
		*at += (size_t)name;
		if (get_bytes(data, len, at, &b) != 0)
			return -1;
		if (hv != NULL)
			hv[i].value = b;
	}
	return 0;
}

long kafka_pack_count(const void *data, size_t len, char *why, size_t size)
{
	const uint8_t *d = data;
	size_t at = 1;
	long n = 0;

	if (len < 1 || d[0] != KAFKA_PACK_MAGIC) {
		snprintf(why, size, "not a pack of records (first byte %s0x%02x, "
			 "not 0x%02x)", len < 1 ? "missing, " : "",
			 len < 1 ? 0 : d[0], KAFKA_PACK_MAGIC);
		return -1;
	}
	while (at < len) {
		sl_bytes k, v;
		int64_t ts;
		uint64_t hc;
		size_t start = at;

		if (record_at(d, len, &at, &k, &v, &ts, NULL, &hc) != 0) {
			snprintf(why, size, "record %ld of the pack, at byte %zu, "
				 "is cut short or malformed", n + 1, start);
			return -1;
		}
		n++;
	}
	if (n == 0)
		snprintf(why, size, "an empty pack of records");
	return n > 0 ? n : -1;
}

int kafka_pack_read(const uint8_t *data, size_t len, size_t *at,
		    sl_record *r, sl_arena *arena)
{
	size_t start = *at;
	uint64_t count;
	int64_t ts;

	/* checked whole before: only the header count is wanted first */
	if (record_at(data, len, at, &r->key_raw, &r->value_raw, &ts, NULL,
		      &count) != 0)
		return -1;
	r->timestamp = ts;
	r->headers = NULL;
	r->header_count = 0;
	if (count == 0)
		return 0;
	if ((r->headers = sl_arena_alloc(arena, (size_t)count * sizeof *r->headers)) == NULL)
		return -1;
	*at = start;
	if (record_at(data, len, at, &r->key_raw, &r->value_raw, &ts,
		      (sl_header *)r->headers, &count) != 0)
		return -1;
	r->header_count = (uint32_t)count;
	return 0;
}
