/*
 * expr_regex.c - matches(s, pattern) with PCRE2.
 *
 * Patterns are compiled in UTF mode (string values are UTF-8, so `.`
 * is a character, not a byte).  A literal pattern is compiled once, by
 * the parser; a pattern computed per record is compiled per record.
 * Everything a match needs per record (the match data, PCRE2's frames,
 * a computed pattern) comes from the batch arena through a PCRE2
 * general context, so evaluation calls no malloc and needs no free, and
 * two threads can evaluate the same expression.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>

#include "expr/expr_internal.h"

void *sl_xregex_compile(const char *pattern, size_t len, char *msg,
			size_t msgsize, long *offset)
{
	PCRE2_UCHAR text[256];
	PCRE2_SIZE at = 0;
	int code = 0;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len, PCRE2_UTF,
				       &code, &at, NULL);

	if (re != NULL)
		return re;
	if (code == PCRE2_ERROR_NOMEMORY) {
		snprintf(msg, msgsize, "out of memory");
		*offset = -1;
		return NULL;
	}
	if (pcre2_get_error_message(code, text, sizeof text) < 0)
		snprintf((char *)text, sizeof text, "error %d", code);
	snprintf(msg, msgsize, "%s", (const char *)text);
	*offset = (long)at;
	return NULL;
}

void sl_xregex_free(void *compiled)
{
	pcre2_code_free(compiled);
}

static void *arena_malloc(PCRE2_SIZE size, void *arena)
{
	return sl_arena_alloc(arena, size ? size : 1);
}

/* The arena frees everything at once, when the batch is done. */
static void arena_free(void *p, void *arena)
{
	(void)p;
	(void)arena;
}

int sl_xregex_match(const sl_xnode *n, const void *compiled,
		    const sl_value *s, const sl_value *pattern,
		    sl_arena *arena, sl_value *out, sl_error *why)
{
	pcre2_general_context *gc;
	pcre2_compile_context *cc;
	pcre2_match_data *md;
	const pcre2_code *re = compiled;
	int rc;

	if (s->type != SL_TSTRING || pattern->type != SL_TSTRING)
		return sl_xfn_error(why, n->column, XFN_MATCHES,
				    "needs two strings, got %s and %s",
				    sl_type_name(s->type),
				    sl_type_name(pattern->type));
	gc = pcre2_general_context_create(arena_malloc, arena_free, arena);
	if (gc == NULL)
		return sl_xfn_no_memory(why);
	if (re == NULL) {
		PCRE2_UCHAR text[200];
		PCRE2_SIZE at = 0;
		int code = 0;

		cc = pcre2_compile_context_create(gc);
		if (cc == NULL)
			return sl_xfn_no_memory(why);
		re = pcre2_compile((PCRE2_SPTR)pattern->as.s, pattern->len,
				   PCRE2_UTF, &code, &at, cc);
		if (re == NULL && code == PCRE2_ERROR_NOMEMORY)
			return sl_xfn_no_memory(why);
		if (re == NULL) {
			pcre2_get_error_message(code, text, sizeof text);
			return sl_xfn_error(why, n->column, XFN_MATCHES,
					    "bad regular expression: %s at "
					    "offset %zu", (const char *)text,
					    (size_t)at);
		}
	}
	md = pcre2_match_data_create(1, gc);
	if (md == NULL)
		return sl_xfn_no_memory(why);
	rc = pcre2_match(re, (PCRE2_SPTR)s->as.s, s->len, 0, 0, md, NULL);
	if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) {
		*out = sl_value_bool(rc >= 0);
		return SL_OK;
	}
	if (rc == PCRE2_ERROR_NOMEMORY)
		return sl_xfn_no_memory(why);
	{
		PCRE2_UCHAR text[200];

		pcre2_get_error_message(rc, text, sizeof text);
		return sl_xfn_error(why, n->column, XFN_MATCHES, "%s",
				    (const char *)text);
	}
}
