/* slop_order_sort against qsort: random keys, keys close together (as
 * the window's are), keys differing only in high bytes, ties. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "ordersort.h"

static int by_key_then_index(const void *a, const void *b)
{
	const slop_order *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* @p n keys from @p make; the sort must equal a stable qsort. */
static void check_sort(const char *what, size_t n,
		       uint64_t (*make)(uint64_t *s, size_t i))
{
	slop_order *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
	slop_order *want = malloc(n * sizeof *want);
	uint64_t s = 88172645463325252ull;
	size_t i, wrong = 0;

	if (a == NULL || tmp == NULL || want == NULL)
		exit(99);
	for (i = 0; i < n; i++) {
		a[i].key = make(&s, i);
		a[i].index = (uint32_t)i;
	}
	memcpy(want, a, n * sizeof *a);
	qsort(want, n, sizeof *want, by_key_then_index);
	slop_order_sort(a, tmp, n);
	for (i = 0; i < n; i++)
		wrong += a[i].key != want[i].key || a[i].index != want[i].index;
	CHECK_MSG(wrong == 0, "%s, %zu pairs: %zu out of place", what, n, wrong);
	free(a);
	free(tmp);
	free(want);
}

static uint64_t any(uint64_t *s, size_t i) { (void)i; return next(s); }
static uint64_t close_by(uint64_t *s, size_t i)
{
	(void)i;
	return 1000000 + next(s) % 5000;
}
static uint64_t high_bytes(uint64_t *s, size_t i)
{
	(void)i;
	return (next(s) % 7) << 56;
}
static uint64_t ties(uint64_t *s, size_t i) { (void)i; return next(s) % 3; }
static uint64_t falling(uint64_t *s, size_t i) { (void)s; return 100000 - i; }
static uint64_t same(uint64_t *s, size_t i) { (void)s; (void)i; return 42; }

int main(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 255, 256, 257, 10000 };
	size_t i;

	for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		check_sort("random", sizes[i], any);
		check_sort("close together", sizes[i], close_by);
		check_sort("high bytes only", sizes[i], high_bytes);
		check_sort("ties", sizes[i], ties);
		check_sort("falling", sizes[i], falling);
		check_sort("all equal", sizes[i], same);
	}
	return check_done("test_ordersort");
}
