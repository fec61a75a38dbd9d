/*
 * state_changelog.c - a store's changes as a changelog carries them, and
 * back: a change's key is its namespace byte (NS_VALUE, or NS_TIMER and
 * the timer's time in 8 big-endian bytes, sign bit flipped so the bytes
 * sort as the times do) followed by the operator's key.
 */
#include "config.h"

#include <string.h>

#include "state/state_internal.h"

static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int sl_store_changes(sl_state *st,
		     int (*fn)(void *ctx, int32_t partition, const uint8_t *key,
			       size_t klen, const uint8_t *val, size_t vlen),
		     void *ctx)
{
	uint32_t c;
	int rc;

	for (c = 0; c < st->change_len; c++) {
		const sl_entry *e = &st->entries[st->changes[c]];
		size_t head = e->ns == NS_TIMER ? 9 : 1;
		uint8_t *k;

		/* born and deleted since the last commit: the log never had
		 * it, so it needs no tombstone (most windows of dense input
		 * open and fire within one commit interval) */
		if (!e->live && !e->logged)
			continue;
		if ((k = sl_store_scratch(st, head + e->klen)) == NULL)
			return -1;
		k[0] = e->ns;
		if (e->ns == NS_TIMER)
			put_be64(k + 1, (uint64_t)sl_entry_when(e) ^
				 0x8000000000000000ull);
		if (e->klen)
			memcpy(k + head, e->block, e->klen);
		rc = fn(ctx, e->partition, k, head + e->klen,
			!e->live ? NULL : e->ns == NS_TIMER ? (const uint8_t *)"" :
			e->block + e->klen, e->vlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int sl_store_restore(sl_state *st, const uint8_t *key, size_t klen,
		     const uint8_t *val, size_t vlen)
{
	int tracking = st->tracking, rc = 0;

	/* what is restored is already durable: not a change */
	st->tracking = 0;
	st->generation++;
	if (klen >= 1 && key[0] == NS_VALUE) {
		if (val != NULL)
			rc = sl_store_put(st, key + 1, klen - 1, val, vlen) == SL_OK ? 0 : -1;
		else
			sl_store_delete(st, key + 1, klen - 1);
	} else if (klen >= 9 && key[0] == NS_TIMER) {
		int64_t when = (int64_t)(get_be64(key + 1) ^ 0x8000000000000000ull);

		if (val != NULL)
			rc = sl_store_timer_set(st, when, key + 9, klen - 9) == SL_OK ? 0 : -1;
		else
			sl_store_timer_delete(st, when, key + 9, klen - 9);
	} else {
		rc = -1;
	}
	st->tracking = tracking;
	return rc;
}
