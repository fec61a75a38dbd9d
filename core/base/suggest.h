/*
 * suggest.h - "did you mean": the closest of some known names to a name
 * that matched none of them.
 *
 * A suggestion is made only when it is one or two typos away (one for
 * names of four characters or fewer), so a wild guess is never offered.
 * Command names, plugin names and option keys all use this one rule.
 */
#ifndef SL_SUGGEST_H
#define SL_SUGGEST_H

#include <stddef.h>

/*
 * Edit distance of two short names: insertions, deletions, replacements
 * and swaps of neighbours (the commonest typo) count one each.  Names
 * longer than 32 bytes are never close: the result is then large.
 */
size_t sl_edit_distance(const char *a, const char *b);

typedef struct sl_suggest {
	const char *word;   /* what the user wrote */
	const char *best;   /* the closest candidate so far, or NULL */
	size_t best_distance;
} sl_suggest;

/* Start looking for names close to @p word (kept, not copied). */
void sl_suggest_init(sl_suggest *s, const char *word);
/* Offer @p candidate (kept, not copied); the first of equals wins. */
void sl_suggest_consider(sl_suggest *s, const char *candidate);
/* The candidate to suggest, or NULL when none is close enough. */
const char *sl_suggest_best(const sl_suggest *s);
/* The one of @p count @p names to suggest for @p word, or NULL. */
const char *sl_suggest_among(const char *word, const char *const *names,
			     size_t count);

#endif
