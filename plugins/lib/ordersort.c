/*
 * ordersort.c - least significant digit first radix sort of (key, index)
 * pairs; stable, so equal keys keep their order.
 */
#include <string.h>

#include "ordersort.h"

void slop_order_sort(slop_order *a, slop_order *tmp, size_t n)
{
	uint64_t differ = 0;
	unsigned shift;
	size_t i;

	for (i = 1; i < n; i++)
		differ |= a[i].key ^ a[0].key;
	for (shift = 0; shift < 64 && (differ >> shift) != 0; shift += 8) {
		size_t count[256] = { 0 }, at = 0, c;

		if (((differ >> shift) & 0xff) == 0)
			continue; /* the same digit everywhere: in order already */
		for (i = 0; i < n; i++)
			count[(a[i].key >> shift) & 0xff]++;
		for (i = 0; i < 256; i++) {
			c = count[i];
			count[i] = at;
			at += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(a[i].key >> shift) & 0xff]++] = a[i];
		memcpy(a, tmp, n * sizeof *a);
	}
}
