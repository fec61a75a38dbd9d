/*
 * window_key.c - the window's state key layout (window_shared.h) and the
 * event time of a record.
 */
#include <stdlib.h>
#include <string.h>

#include "window_shared.h"

/* Big-endian: one load and a byte swap where the compiler says how
 * (firing reads a start and an order from every pane it meets). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
void window_put_u64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, sizeof v);
}

uint64_t window_get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return __builtin_bswap64(v);
}
#else
void window_put_u64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint64_t window_get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}
#endif

/* Window starts sort as unsigned big-endian bytes. */
static void put_start(uint8_t *p, int64_t start)
{
	window_put_u64(p, (uint64_t)start ^ UINT64_C(0x8000000000000000));
}

int64_t window_get_start(const uint8_t *p)
{
	return (int64_t)(window_get_u64(p) ^ UINT64_C(0x8000000000000000));
}

/* The event time of @p r in *@p ts; SL_OK, or SL_ERR with @p why. */
int window_time_of(const window *w, const sl_record *r, int64_t now,
		   int64_t *ts, sl_error *why)
{
	const sl_value *v;

	switch (w->mode) {
	case TIME_PROCESSING:
		*ts = now;
		return SL_OK;
	case TIME_RECORD:
		if (r->timestamp < 0)
			return sl_error_set(why, SL_ERR_RECORD,
					    "the record has no timestamp "
					    "(time = record)");
		*ts = r->timestamp;
		return SL_OK;
	default:
		break;
	}
	v = slop_path_get(&w->field, r->value);
	if (v == NULL || v->type == SL_TNULL)
		return sl_error_set(why, SL_ERR_RECORD,
				    "no event time: field '%s' is missing",
				    w->field.text);
	if (v->type == SL_TINT) {
		*ts = v->as.i;
	} else if (v->type == SL_TDOUBLE && v->as.d > -(double)TS_LIMIT &&
		   v->as.d < (double)TS_LIMIT) {
		*ts = (int64_t)v->as.d;
		if ((double)*ts > v->as.d)
			(*ts)--; /* floor, for negative times */
	} else {
		return sl_error_set(why, SL_ERR_RECORD,
				    "event time field '%s' is %s, not a time in ms",
				    w->field.text, sl_type_name(v->type));
	}
	if (*ts <= -TS_LIMIT || *ts >= TS_LIMIT)
		return sl_error_set(why, SL_ERR_RECORD,
				    "event time %lld in '%s' is out of range",
				    (long long)*ts, w->field.text);
	return SL_OK;
}

/* @p t down to a multiple of @p step (floor, for negative times too). */
static int64_t floor_to(int64_t t, int64_t step)
{
	int64_t r = t % step;

	return t - (r < 0 ? r + step : r);
}

int64_t window_start(const window *w, int64_t ts)
{
	return floor_to(ts, w->pane);
}

/* Windows [s, s + size) with s a multiple of advance hold the pane when
 * pane - size < s <= pane (the pane divides both, so it lies whole in
 * each). */
int64_t window_first_of(const window *w, int64_t pane)
{
	return floor_to(pane - w->size, w->advance) + w->advance;
}

int64_t window_last_of(const window *w, int64_t pane)
{
	return floor_to(pane, w->advance);
}

int32_t window_get_partition(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			 (uint32_t)p[2] << 8 | p[3]);
}

void window_put_partition(uint8_t *p, int32_t partition)
{
	uint32_t v = (uint32_t)partition;

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Room for @p len bytes in w->key; 0 when out of memory. */
static int key_room(window *w, size_t len)
{
	size_t cap = w->key_cap ? w->key_cap : 64;
	uint8_t *k;

	if (len <= w->key_cap)
		return 1;
	while (cap < len)
		cap *= 2;
	if ((k = realloc(w->key, cap)) == NULL)
		return 0;
	w->key = k;
	w->key_cap = cap;
	return 1;
}

/* The state key [1][start][partition][group key] in w->key, hopping's
 * [2][pane start][partition][from][group key]; its length, or 0 (out of
 * memory). */
size_t window_state_key(window *w, int64_t start, int32_t partition,
			int64_t from, const char *gk, size_t gklen)
{
	if (!key_room(w, gklen + w->head))
		return 0;
	w->key[0] = w->layout;
	put_start(w->key + 1, start);
	window_put_partition(w->key + 9, partition);
	if (w->hopping)
		put_start(w->key + HEAD, from);
	if (gklen)
		memcpy(w->key + w->head, gk, gklen);
	return gklen + w->head;
}

/* @p key copied into w->key; its length, or 0 (out of memory). */
size_t window_state_copy(window *w, const uint8_t *key, size_t klen)
{
	if (!key_room(w, klen))
		return 0;
	memcpy(w->key, key, klen);
	return klen;
}

/* The state key [3][partition][group key] of a key's sessions in
 * w->key; its length, or 0 (out of memory). */
size_t window_session_key(window *w, int32_t partition, const char *gk,
			  size_t gklen)
{
	if (!key_room(w, gklen + 5))
		return 0;
	w->key[0] = LAYOUT_SESSION;
	window_put_partition(w->key + 1, partition);
	if (gklen)
		memcpy(w->key + 5, gk, gklen);
	return gklen + 5;
}
