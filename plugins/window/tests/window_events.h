/*
 * window_events.h - for the window's unit tests of a function over v
 * (test_hopping.c, test_session.c): the operator under test, a record
 * of a key at an event time with a value, and the store's entries.
 * Include after check.h and optest.h.
 */
#ifndef WINDOW_EVENTS_H
#define WINDOW_EVENTS_H

#include <stdio.h>

#include "state/state.h"

static optest t;

/* {"ts":TS,"v":V}, keyed "KEY", from partition 0 of source "src". */
static void ev(const char *key, int64_t ts, int v)
{
	char value[64], k[32];

	snprintf(value, sizeof value, "{\"ts\":%lld,\"v\":%d}", (long long)ts, v);
	snprintf(k, sizeof k, "\"%s\"", key);
	optest_add(&t, value, k, -1, "src", 0);
}

/* Entries left in the store. */
static size_t stored(void)
{
	return sl_store_count(t.stage.state.stores[0]);
}

#endif
