/*
 * sluice/value.h - the one value type shared by every format and operator.
 *
 * A decoded key or value is a tree of sl_value nodes.  Nodes live in the
 * memory of the batch that carries them (see sluice/batch.h) and are never
 * freed one by one.  Strings are length-bounded and not necessarily
 * NUL-terminated.  Objects keep their members in input order; lookup is a
 * linear scan, which beats hashing for the small records streams carry.
 */
#ifndef SLUICE_VALUE_H
#define SLUICE_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The type of a value. */
typedef enum sl_type {
	SL_TNULL = 0,
	SL_TBOOL,
	SL_TINT,    /**< 64-bit signed integer */
	SL_TDOUBLE, /**< IEEE double */
	SL_TSTRING, /**< UTF-8 text, `len` bytes at `as.s` */
	SL_TBYTES,  /**< opaque bytes, `len` bytes at `as.bytes` */
	SL_TARRAY,  /**< `len` values at `as.items` */
	SL_TOBJECT  /**< `len` members at `as.members` */
} sl_type;

typedef struct sl_value sl_value;
typedef struct sl_member sl_member;

/** A value: 16 bytes, passed by pointer or copied freely. */
struct sl_value {
	sl_type type;
	uint32_t len;
	union {
		int b;
		int64_t i;
		double d;
		const char *s;
		const uint8_t *bytes;
		sl_value *items;
		sl_member *members;
	} as;
};

/** One member of an object. */
struct sl_member {
	const char *key;
	uint32_t key_len;
	sl_value value;
};

/** The null value, as a constant. */
static inline sl_value sl_value_null(void)
{
	sl_value v;
	memset(&v, 0, sizeof v);
	return v;
}

/** A boolean value. */
static inline sl_value sl_value_bool(int b)
{
	sl_value v = sl_value_null();
	v.type = SL_TBOOL;
	v.as.b = b ? 1 : 0;
	return v;
}

/** An integer value. */
static inline sl_value sl_value_int(int64_t i)
{
	sl_value v = sl_value_null();
	v.type = SL_TINT;
	v.as.i = i;
	return v;
}

/** A floating-point value. */
static inline sl_value sl_value_double(double d)
{
	sl_value v = sl_value_null();
	v.type = SL_TDOUBLE;
	v.as.d = d;
	return v;
}

/** A string value referring to @p len bytes at @p s (not copied). */
static inline sl_value sl_value_string(const char *s, size_t len)
{
	sl_value v = sl_value_null();
	v.type = SL_TSTRING;
	v.as.s = s;
	v.len = (uint32_t)len;
	return v;
}

/** A bytes value referring to @p len bytes at @p p (not copied). */
static inline sl_value sl_value_bytes(const void *p, size_t len)
{
	sl_value v = sl_value_null();
	v.type = SL_TBYTES;
	v.as.bytes = (const uint8_t *)p;
	v.len = (uint32_t)len;
	return v;
}

/** True for SL_TINT and SL_TDOUBLE. */
static inline int sl_value_is_number(const sl_value *v)
{
	return v->type == SL_TINT || v->type == SL_TDOUBLE;
}

/** The numeric value of an int or double as a double (0 otherwise). */
static inline double sl_value_as_double(const sl_value *v)
{
	return v->type == SL_TINT ? (double)v->as.i
	     : v->type == SL_TDOUBLE ? v->as.d : 0.0;
}

/**
 * The member @p key (of @p key_len bytes) of object @p obj, or NULL when
 * @p obj is not an object or has no such member.
 */
static inline const sl_value *sl_value_member_n(const sl_value *obj,
						const char *key, size_t key_len)
{
	uint32_t i;

	if (obj == NULL || obj->type != SL_TOBJECT)
		return NULL;
	for (i = 0; i < obj->len; i++) {
		const sl_member *m = &obj->as.members[i];
		if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0)
			return &m->value;
	}
	return NULL;
}

/** The member named by NUL-terminated @p key, or NULL. */
static inline const sl_value *sl_value_member(const sl_value *obj,
					      const char *key)
{
	return sl_value_member_n(obj, key, strlen(key));
}

/** The name of a type, for messages ("null", "int", "object", ...). */
static inline const char *sl_type_name(sl_type t)
{
	static const char *const names[] = { "null", "bool", "int", "double",
		"string", "bytes", "array", "object" };
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_VALUE_H */
