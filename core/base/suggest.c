/*
 * suggest.c - edit distance and the closest name (suggest.h).
 */
#include "config.h"

#include <string.h>

#include "base/suggest.h"

#define LONGEST 32

size_t sl_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	unsigned char d[LONGEST + 1][LONGEST + 1];

	if (la > LONGEST || lb > LONGEST)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1u < best)
				best = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < best)
				best = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1u < best)
				best = d[i - 2][j - 2] + 1u;
			d[i][j] = (unsigned char)best;
		}
	}
	return d[la][lb];
}

void sl_suggest_init(sl_suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->best_distance = (size_t)-1;
}

void sl_suggest_consider(sl_suggest *s, const char *candidate)
{
	size_t d = sl_edit_distance(s->word, candidate);

	if (d < s->best_distance) {
		s->best = candidate;
		s->best_distance = d;
	}
}

const char *sl_suggest_best(const sl_suggest *s)
{
	size_t allowed = strlen(s->word) > 4 ? 2 : 1;

	/* an exact match is not a suggestion: the caller looked it up */
	if (s->best == NULL || s->best_distance == 0 ||
	    s->best_distance > allowed)
		return NULL;
	return s->best;
}

const char *sl_suggest_among(const char *word, const char *const *names,
			     size_t count)
{
	sl_suggest s;
	size_t i;

	sl_suggest_init(&s, word);
	for (i = 0; i < count; i++)
		sl_suggest_consider(&s, names[i]);
	return sl_suggest_best(&s);
}
