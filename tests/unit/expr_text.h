/*
 * expr_text.h - for the expression tests: values to build records with,
 * an expression evaluated on a record, its outcome as text to compare,
 * and one evaluated again and again without taking memory.  Include after
 * check.h.
 */
#ifndef SL_TEST_EXPR_TEXT_H
#define SL_TEST_EXPR_TEXT_H

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/json_write.h"
#include "expr/expr.h"

/* A member of an object value, for building test records. */
static sl_member member(const char *key, sl_value v)
{
	sl_member m;

	m.key = key;
	m.key_len = (uint32_t)strlen(key);
	m.value = v;
	return m;
}

static sl_value str(const char *s)
{
	return sl_value_string(s, strlen(s));
}

/* @p text on @p rec: its result as JSON, "ERR ..." or "PARSE N: ...";
 * the text lives until the next call. */
static const char *expr_text(const char *text, const sl_record *rec,
			     sl_arena *arena)
{
	static char out[SL_ERROR_MAX + 64];
	char msg[256];
	int column = -1;
	sl_expr *x = sl_expr_parse(text, msg, sizeof msg, &column);
	sl_value v;
	sl_error why;
	sl_buf buf;

	if (x == NULL) {
		snprintf(out, sizeof out, "PARSE %d: %s", column, msg);
		return out;
	}
	memset(&why, 0, sizeof why);
	if (sl_expr_evaluate(x, rec, arena, &v, &why) != SL_OK) {
		snprintf(out, sizeof out, "ERR %s%s", why.message,
			 why.kind == SL_ERR_RECORD ? "" : " (not a record error)");
	} else {
		memset(&buf, 0, sizeof buf);
		buf.arena = arena;
		if (sl_json_write(&v, &buf) != 0)
			snprintf(out, sizeof out, "UNWRITABLE");
		else
			snprintf(out, sizeof out, "%.*s", (int)buf.len, buf.data);
	}
	sl_expr_destroy(x);
	return out;
}

/*
 * @p text, parsed, evaluated 1000 times on @p rec: true every time, and
 * not a byte taken from @p arena (checked with check.h's CHECK).
 */
static void expr_check_no_allocation(const char *text, const sl_record *rec,
				     sl_arena *arena)
{
	char msg[128];
	int column, i, ok = 0;
	sl_expr *x = sl_expr_parse(text, msg, sizeof msg, &column);
	sl_value v;
	sl_error why;
	uint8_t *before;

	CHECK(x != NULL);
	if (x == NULL)
		return;
	sl_arena_reset(arena);
	(void)sl_arena_alloc(arena, 8);
	before = arena->cur;
	for (i = 0; i < 1000; i++)
		ok += sl_expr_evaluate(x, rec, arena, &v, &why) == SL_OK &&
		      v.type == SL_TBOOL && v.as.b == 1;
	CHECK(ok == 1000);
	CHECK(arena->cur == before);
	sl_expr_destroy(x);
}

#endif
