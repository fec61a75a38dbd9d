/*
 * value_same.h - for tests: two sl_values the same, doubles compared bit
 * for bit (-0.0 and NaN too), members in order.  What a decoder must
 * give back after an encoding, or two decoders must agree on.
 */
#ifndef SL_TEST_VALUE_SAME_H
#define SL_TEST_VALUE_SAME_H

#include <string.h>

#include <sluice/value.h>

static inline int value_same(const sl_value *a, const sl_value *b)
{
	uint32_t i;

	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case SL_TNULL:
		return 1;
	case SL_TBOOL:
		return a->as.b == b->as.b;
	case SL_TINT:
		return a->as.i == b->as.i;
	case SL_TDOUBLE:
		return memcmp(&a->as.d, &b->as.d, sizeof a->as.d) == 0;
	case SL_TSTRING:
	case SL_TBYTES:
		return a->len == b->len &&
		       (a->len == 0 || memcmp(a->as.s, b->as.s, a->len) == 0);
	case SL_TARRAY:
		if (a->len != b->len)
			return 0;
		for (i = 0; i < a->len; i++)
			if (!value_same(&a->as.items[i], &b->as.items[i]))
				return 0;
		return 1;
	case SL_TOBJECT:
		if (a->len != b->len)
			return 0;
		for (i = 0; i < a->len; i++) {
			const sl_member *x = &a->as.members[i], *y = &b->as.members[i];

			if (x->key_len != y->key_len ||
			    (x->key_len != 0 &&
			     memcmp(x->key, y->key, x->key_len) != 0) ||
			    !value_same(&x->value, &y->value))
				return 0;
		}
		return 1;
	}
	return 0;
}

#endif
