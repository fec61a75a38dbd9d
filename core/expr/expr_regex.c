/*
 * expr_regex.c - matches(s, pattern) with PCRE2.
 *
 * Patterns are compiled in UTF mode (string values are UTF-8, so `.`
 * is a character, not a byte).  A literal pattern is compiled once, by
 * the parser, with a match data block kept beside it: PCRE2 10.41 and
 * later keep their backtracking frames (20 KiB to start with) in the
 * match data, so a block made per record would cost that much per
 * record.  The kept block serves one evaluation at a time; an
 * evaluation that finds it busy (another thread evaluating the same
 * expression) makes its own for the call.  A pattern computed per
 * record is compiled per record, the slow path.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "expr/expr_internal.h"

typedef struct sl_xregex {
	pcre2_code *code;
	pcre2_match_data *spare; /* used under `lock` */
	pthread_mutex_t lock;
} sl_xregex;

void *sl_xregex_compile(const char *pattern, size_t len, char *msg,
			size_t msgsize, long *offset)
{
	PCRE2_UCHAR text[256];
	PCRE2_SIZE at = 0;
	int code = 0;
	sl_xregex *re;
	pcre2_code *compiled = pcre2_compile((PCRE2_SPTR)pattern, len,
					     PCRE2_UTF, &code, &at, NULL);

	if (compiled == NULL && code != PCRE2_ERROR_NOMEMORY) {
		if (pcre2_get_error_message(code, text, sizeof text) < 0)
			snprintf((char *)text, sizeof text, "error %d", code);
		snprintf(msg, msgsize, "%s", (const char *)text);
		*offset = (long)at;
		return NULL;
	}
	re = compiled ? calloc(1, sizeof *re) : NULL;
	if (re != NULL)
		re->spare = pcre2_match_data_create(1, NULL);
	if (re == NULL || re->spare == NULL ||
	    pthread_mutex_init(&re->lock, NULL) != 0) {
		if (re != NULL)
			pcre2_match_data_free(re->spare);
		free(re);
		pcre2_code_free(compiled);
		snprintf(msg, msgsize, "out of memory");
		*offset = -1;
		return NULL;
	}
	re->code = compiled;
	return re;
}

void sl_xregex_free(void *compiled)
{
	sl_xregex *re = compiled;

	if (re == NULL)
		return;
	pcre2_code_free(re->code);
	pcre2_match_data_free(re->spare);
	pthread_mutex_destroy(&re->lock);
	free(re);
}

static int bad_pattern(const sl_xnode *n, int code, size_t at, sl_error *why)
{
	PCRE2_UCHAR text[200];

	if (pcre2_get_error_message(code, text, sizeof text) < 0)
		snprintf((char *)text, sizeof text, "error %d", code);
	return sl_xfn_error(why, n->column, XFN_MATCHES,
			    "bad regular expression: %s at offset %zu",
			    (const char *)text, at);
}

int sl_xregex_match(const sl_xnode *n, const void *compiled,
		    const sl_value *s, const sl_value *pattern, sl_value *out,
		    sl_error *why)
{
	sl_xregex *re = (sl_xregex *)compiled;
	pcre2_code *code = re != NULL ? re->code : NULL;
	pcre2_match_data *md = NULL;
	int rc, locked = 0;

	if (s->type != SL_TSTRING || pattern->type != SL_TSTRING)
		return sl_xfn_error(why, n->column, XFN_MATCHES,
				    "needs two strings, got %s and %s",
				    sl_type_name(s->type),
				    sl_type_name(pattern->type));
	if (code == NULL) {
		PCRE2_SIZE at = 0;
		int err = 0;

		code = pcre2_compile((PCRE2_SPTR)pattern->as.s, pattern->len,
				     PCRE2_UTF, &err, &at, NULL);
		if (code == NULL && err == PCRE2_ERROR_NOMEMORY)
			return sl_xfn_no_memory(why);
		if (code == NULL)
			return bad_pattern(n, err, (size_t)at, why);
	} else if (pthread_mutex_trylock(&re->lock) == 0) {
		locked = 1;
		md = re->spare;
	}
	if (md == NULL)
		md = pcre2_match_data_create(1, NULL);
	rc = md != NULL ? pcre2_match(code, (PCRE2_SPTR)s->as.s, s->len, 0, 0,
				      md, NULL)
			: PCRE2_ERROR_NOMEMORY;
	if (locked)
		pthread_mutex_unlock(&re->lock);
	else
		pcre2_match_data_free(md);
	if (re == NULL)
		pcre2_code_free(code);
	if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) {
		*out = sl_value_bool(rc >= 0);
		return SL_OK;
	}
	if (rc == PCRE2_ERROR_NOMEMORY)
		return sl_xfn_no_memory(why);
	/* the match or heap limit, a subject that is not UTF-8 */
	{
		PCRE2_UCHAR text[200];

		if (pcre2_get_error_message(rc, text, sizeof text) < 0)
			snprintf((char *)text, sizeof text, "error %d", rc);
		return sl_xfn_error(why, n->column, XFN_MATCHES, "%s",
				    (const char *)text);
	}
}
