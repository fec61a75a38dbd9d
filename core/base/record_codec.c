/*
 * record_codec.c - see record_codec.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/record_codec.h"
#include "base/varint.h"
#include "base/utf8.h"

enum tag {
	TAG_NULL = 0x00,
	TAG_FALSE = 0x01,
	TAG_TRUE = 0x02,
	TAG_INT = 0x03,
	TAG_DOUBLE = 0x04,
	TAG_STRING = 0x05,
	TAG_BYTES = 0x06,
	TAG_ARRAY = 0x07,
	TAG_OBJECT = 0x08
};


static int fail(sl_error *err, sl_error_kind kind, const char *fmt, ...)
	SL_PRINTF(3, 4);

static int fail(sl_error *err, sl_error_kind kind, const char *fmt, ...)
{
	va_list ap;

	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return SL_ERR;
}

/* ---- encoding ----------------------------------------------------------- */

/* A tag and a varint; 0, or -1 out of memory. */
static int put_head(sl_buf *out, uint8_t tag, uint64_t v)
{
	if (sl_buf_reserve(out, 1 + SL_VARINT_MAX) != 0)
		return -1;
	out->data[out->len++] = tag;
	out->len += sl_varint_put(out->data + out->len, v);
	return 0;
}

/* A length and @p len bytes. */
static int put_run(sl_buf *out, const void *p, uint32_t len)
{
	if (sl_buf_reserve(out, SL_VARINT_MAX + (size_t)len) != 0)
		return -1;
	out->len += sl_varint_put(out->data + out->len, len);
	if (len)
		memcpy(out->data + out->len, p, len);
	out->len += len;
	return 0;
}

static int put_double(sl_buf *out, double d)
{
	uint64_t bits;
	size_t i;

	if (sl_buf_reserve(out, 9) != 0)
		return -1;
	memcpy(&bits, &d, sizeof bits);
	out->data[out->len++] = TAG_DOUBLE;
	for (i = 0; i < 8; i++)
		out->data[out->len++] = (uint8_t)(bits >> (8 * i));
	return 0;
}

static uint64_t zigzag(int64_t i)
{
	return ((uint64_t)i << 1) ^ ((uint64_t)0 - ((uint64_t)i >> 63));
}

/* 0, -1 out of memory, -2 nested too deep. */
static int encode(const sl_value *v, sl_buf *out, int depth)
{
	uint32_t i;
	int rc;

	switch (v->type) {
	case SL_TBOOL:
		return sl_buf_append(out, v->as.b ? "\x02" : "\x01", 1);
	case SL_TINT:
		return put_head(out, TAG_INT, zigzag(v->as.i));
	case SL_TDOUBLE:
		return put_double(out, v->as.d);
	case SL_TSTRING:
		return sl_buf_append(out, "\x05", 1) != 0 ? -1 :
			put_run(out, v->as.s, v->len);
	case SL_TBYTES:
		return sl_buf_append(out, "\x06", 1) != 0 ? -1 :
			put_run(out, v->as.bytes, v->len);
	case SL_TARRAY:
	case SL_TOBJECT:
		if (depth >= SL_RECORD_CODEC_MAX_DEPTH)
			return -2;
		if (put_head(out, v->type == SL_TARRAY ? TAG_ARRAY : TAG_OBJECT,
			     v->len) != 0)
			return -1;
		for (i = 0; i < v->len; i++) {
			const sl_value *item = &v->as.items[i];

			if (v->type == SL_TOBJECT) {
				const sl_member *m = &v->as.members[i];

				if (put_run(out, m->key, m->key_len) != 0)
					return -1;
				item = &m->value;
			}
			if ((rc = encode(item, out, depth + 1)) != 0)
				return rc;
		}
		return 0;
	default: /* SL_TNULL, and nothing else is a value */
		return sl_buf_append(out, "\x00", 1);
	}
}

int sl_record_codec_encode(const sl_value *value, sl_buf *out, sl_error *err)
{
	uint8_t magic = SL_RECORD_CODEC_MAGIC;
	int rc;

	if (sl_buf_append(out, &magic, 1) != 0 ||
	    (rc = encode(value, out, 0)) == -1)
		return fail(err, SL_ERR_RUNTIME, "out of memory encoding a record");
	if (rc == -2)
		return fail(err, SL_ERR_RECORD, "arrays and objects nested more "
			    "than %d deep", SL_RECORD_CODEC_MAX_DEPTH);
	return SL_OK;
}

/* ---- decoding ----------------------------------------------------------- */

typedef struct reader {
	const uint8_t *start, *p, *end;
	sl_arena *arena;
	sl_error *err;
} reader;

static size_t left(const reader *r)
{
	return (size_t)(r->end - r->p);
}

static size_t offset(const reader *r)
{
	return (size_t)(r->p - r->start);
}

static int truncated(reader *r, const char *what)
{
	return fail(r->err, SL_ERR_RECORD, "record codec: truncated at byte %zu "
		    "(%s)", offset(r), what);
}

static int get_varint(reader *r, uint64_t *out, const char *what)
{
	uint64_t v = 0;
	unsigned shift;
	size_t at = offset(r);

	/* most lengths and counts fit one byte */
	if (r->p != r->end && *r->p < 0x80) {
		*out = *r->p++;
		return SL_OK;
	}
	for (shift = 0;; shift += 7) {
		uint8_t b;

		if (r->p == r->end)
			return truncated(r, what);
		b = *r->p++;
		if (shift == 63 && b > 1)
			return fail(r->err, SL_ERR_RECORD, "record codec: %s at "
				    "byte %zu is beyond 64 bits", what, at);
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (b == 0 && shift > 0)
				return fail(r->err, SL_ERR_RECORD, "record codec: "
					    "%s at byte %zu is not in its shortest "
					    "form", what, at);
			break;
		}
	}
	*out = v;
	return SL_OK;
}

/*
 * A count or length below 2^32 of things that take at least @p each bytes
 * each, so no more than the bytes left can hold: a count is checked
 * before anything is allocated for it.
 */
static int get_count(reader *r, size_t each, uint32_t *out, const char *what)
{
	size_t at = offset(r);
	uint64_t n;

	if (get_varint(r, &n, what) != SL_OK)
		return SL_ERR;
	/* (no division: this runs for every string) */
	if (n > UINT32_MAX || n * each > left(r))
		return fail(r->err, SL_ERR_RECORD, "record codec: %s %llu at byte "
			    "%zu is more than the %zu bytes after it can hold",
			    what, (unsigned long long)n, at, left(r));
	*out = (uint32_t)n;
	return SL_OK;
}

/*
 * The offset of the first byte of @p len at @p p that is not well-formed
 * UTF-8, or @p len: the short ASCII strings records are made of are
 * checked here, without a call.
 */
static size_t utf8_bad_at(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] >= 0x80)
			return i + sl_utf8_valid_prefix(p + i, len - i);
	return len;
}

/* A length, then that many bytes (@p utf8: well-formed UTF-8). */
static int get_run(reader *r, const uint8_t **p, uint32_t *len, int utf8,
		   const char *what)
{
	size_t bad;

	if (get_count(r, 1, len, what) != SL_OK)
		return SL_ERR;
	*p = r->p;
	if (utf8 && (bad = utf8_bad_at(r->p, *len)) != *len)
		return fail(r->err, SL_ERR_RECORD, "record codec: %s at byte %zu "
			    "is not UTF-8 (at its byte %zu)", what, offset(r), bad);
	r->p += *len;
	return SL_OK;
}

static int decode(reader *r, sl_value *v, int depth);

static void *alloc(reader *r, size_t size)
{
	void *p = size ? sl_arena_alloc(r->arena, size) : NULL;

	if (size && p == NULL)
		fail(r->err, SL_ERR_RUNTIME, "out of memory decoding a record");
	return p;
}

static int get_array(reader *r, sl_value *v, int depth)
{
	uint32_t i, n;

	/* every item takes at least its tag byte */
	if (get_count(r, 1, &n, "array length") != SL_OK)
		return SL_ERR;
	v->as.items = alloc(r, (size_t)n * sizeof *v->as.items);
	if (n && v->as.items == NULL)
		return SL_ERR;
	for (i = 0; i < n; i++)
		if (decode(r, &v->as.items[i], depth) != SL_OK)
			return SL_ERR;
	v->type = SL_TARRAY;
	v->len = n;
	return SL_OK;
}

static int get_object(reader *r, sl_value *v, int depth)
{
	uint32_t i, n;

	/* every member takes at least a name length and a tag */
	if (get_count(r, 2, &n, "object size") != SL_OK)
		return SL_ERR;
	v->as.members = alloc(r, (size_t)n * sizeof *v->as.members);
	if (n && v->as.members == NULL)
		return SL_ERR;
	for (i = 0; i < n; i++) {
		sl_member *m = &v->as.members[i];
		const uint8_t *key;

		if (get_run(r, &key, &m->key_len, 1, "member name") != SL_OK)
			return SL_ERR;
		m->key = m->key_len ? (const char *)key : "";
		if (decode(r, &m->value, depth) != SL_OK)
			return SL_ERR;
	}
	v->type = SL_TOBJECT;
	v->len = n;
	return SL_OK;
}

static int get_double(reader *r, sl_value *v)
{
	uint64_t bits = 0;
	size_t i;

	if (left(r) < 8)
		return truncated(r, "double");
	for (i = 0; i < 8; i++)
		bits |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	*v = sl_value_double(0);
	memcpy(&v->as.d, &bits, sizeof bits);
	return SL_OK;
}

static int get_int(reader *r, sl_value *v)
{
	uint64_t z;

	if (get_varint(r, &z, "int") != SL_OK)
		return SL_ERR;
	*v = sl_value_int((int64_t)((z >> 1) ^ ((uint64_t)0 - (z & 1))));
	return SL_OK;
}

/* The value at r->p, inside @p depth containers. */
static int decode(reader *r, sl_value *v, int depth)
{
	const uint8_t *p;
	uint32_t len;
	uint8_t tag;

	if (r->p == r->end)
		return truncated(r, "a value");
	tag = *r->p++;
	*v = sl_value_null();
	switch (tag) {
	case TAG_NULL:
		return SL_OK;
	case TAG_FALSE:
	case TAG_TRUE:
		*v = sl_value_bool(tag == TAG_TRUE);
		return SL_OK;
	case TAG_INT:
		return get_int(r, v);
	case TAG_DOUBLE:
		return get_double(r, v);
	case TAG_STRING:
	case TAG_BYTES:
		if (get_run(r, &p, &len, tag == TAG_STRING, tag == TAG_STRING ?
			    "string" : "bytes") != SL_OK)
			return SL_ERR;
		*v = tag == TAG_STRING ? sl_value_string(len ? (const char *)p : "", len)
			: sl_value_bytes(len ? p : (const uint8_t *)"", len);
		return SL_OK;
	case TAG_ARRAY:
	case TAG_OBJECT:
		if (depth >= SL_RECORD_CODEC_MAX_DEPTH)
			return fail(r->err, SL_ERR_RECORD, "record codec: arrays "
				    "and objects nested more than %d deep at byte "
				    "%zu", SL_RECORD_CODEC_MAX_DEPTH, offset(r) - 1);
		return tag == TAG_ARRAY ? get_array(r, v, depth + 1)
			: get_object(r, v, depth + 1);
	default:
		return fail(r->err, SL_ERR_RECORD, "record codec: unknown type "
			    "byte 0x%02x at byte %zu", tag, offset(r) - 1);
	}
}

static int check_magic(const uint8_t *data, size_t len, sl_error *err)
{
	if (len == 0)
		return fail(err, SL_ERR_RECORD, "record codec: empty record (a "
			    "record starts with the byte 0x%02x)",
			    SL_RECORD_CODEC_MAGIC);
	if (data[0] == SL_RECORD_CODEC_MAGIC)
		return SL_OK;
	if (data[0] > SL_RECORD_CODEC_MAGIC && data[0] <= 0xAF)
		return fail(err, SL_ERR_RECORD, "record codec: version %d "
			    "(first byte 0x%02x) is newer than this sluice, "
			    "which reads version %d", data[0] - 0xA0, data[0],
			    SL_RECORD_CODEC_VERSION);
	/* sluice wrote repartition topics as JSON before this codec */
	if (data[0] == '{' || data[0] == '[' || data[0] == '"')
		return fail(err, SL_ERR_RECORD, "record codec: not a sluice "
			    "record but JSON text (first byte '%c'), as sluice "
			    "wrote repartition topics before this codec: let the "
			    "older sluice read the topic to its end before "
			    "upgrading", data[0]);
	return fail(err, SL_ERR_RECORD, "record codec: not a sluice record "
		    "(first byte 0x%02x, want 0x%02x): something else wrote to "
		    "this topic", data[0], SL_RECORD_CODEC_MAGIC);
}

int sl_record_codec_decode(const uint8_t *data, size_t len, sl_arena *arena,
			   sl_value *out, sl_error *err)
{
	reader r;

	if (check_magic(data, len, err) != SL_OK)
		return SL_ERR;
	r.start = data;
	r.p = data + 1;
	r.end = data + len;
	r.arena = arena;
	r.err = err;
	if (decode(&r, out, 0) != SL_OK)
		return SL_ERR;
	if (r.p != r.end)
		return fail(err, SL_ERR_RECORD, "record codec: %zu more byte%s "
			    "after the value, at byte %zu", left(&r),
			    left(&r) == 1 ? "" : "s", offset(&r));
	return SL_OK;
}
