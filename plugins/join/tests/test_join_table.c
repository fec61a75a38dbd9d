/* join_table: put, replace, delete (a tombstone), keys that are prefixes
 * of one another or hold NUL bytes, growth across many keys, the keys
 * and bytes it reports against its own rows, and rows dropped by the
 * table partition they were read from. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "join_table.h"

static int row_is(const join_table *t, const char *key, size_t klen,
		  const char *value)
{
	const join_row *r = join_table_get(t, key, klen);

	return r != NULL && r->vlen == strlen(value) &&
		memcmp(r->data + r->klen, value, r->vlen) == 0;
}

/* The bytes of every row and slot, counted by walking the map. */
static size_t walked_bytes(const join_table *t, size_t *keys)
{
	size_t i, bytes = t->nslots * sizeof *t->slots;
	const join_row *r;

	*keys = 0;
	for (i = 0; i < t->nslots; i++)
		for (r = t->slots[i]; r != NULL; r = r->next) {
			bytes += sizeof *r + r->klen + r->vlen;
			(*keys)++;
		}
	return bytes;
}

int main(void)
{
	join_table t;
	char key[32], value[32];
	size_t keys, i, n = 100000;
	int all = 1;

	memset(&t, 0, sizeof t);
	CHECK(join_table_get(&t, "a", 1) == NULL);
	join_table_delete(&t, "a", 1); /* on an empty table: nothing */
	CHECK(t.keys == 0 && t.bytes == 0);

	CHECK(join_table_put(&t, "c1", 2, "{\"n\":1}", 7) == 0);
	CHECK(join_table_put(&t, "c", 1, "short", 5) == 0);
	CHECK(join_table_put(&t, "c1\0x", 4, "nul", 3) == 0);
	CHECK(t.keys == 3);
	CHECK(row_is(&t, "c1", 2, "{\"n\":1}"));
	CHECK(row_is(&t, "c", 1, "short"));
	CHECK(row_is(&t, "c1\0x", 4, "nul"));
	CHECK(join_table_get(&t, "c1\0y", 4) == NULL);

	/* an update replaces: one key still, the new value */
	CHECK(join_table_put(&t, "c1", 2, "{\"n\":2,\"more\":true}", 19) == 0);
	CHECK(t.keys == 3);
	CHECK(row_is(&t, "c1", 2, "{\"n\":2,\"more\":true}"));
	/* an empty value is a value, not a deletion */
	CHECK(join_table_put(&t, "e", 1, "", 0) == 0);
	CHECK(row_is(&t, "e", 1, ""));
	CHECK(t.bytes == walked_bytes(&t, &keys) && keys == t.keys);

	/* a tombstone deletes; the others stay */
	join_table_delete(&t, "c1", 2);
	CHECK(join_table_get(&t, "c1", 2) == NULL);
	CHECK(row_is(&t, "c", 1, "short"));
	CHECK(row_is(&t, "c1\0x", 4, "nul"));
	CHECK(t.keys == 3);
	join_table_delete(&t, "c1", 2);
	CHECK(t.keys == 3);

	/* many keys: the slot array grows, every key is still found */
	for (i = 0; i < n; i++) {
		int kl = snprintf(key, sizeof key, "k%zu", i);
		int vl = snprintf(value, sizeof value, "v%zu", i * 7);

		if (join_table_put(&t, key, (size_t)kl, value, (size_t)vl) != 0)
			all = 0;
	}
	CHECK(all);
	CHECK(t.keys == n + 3);
	CHECK(t.nslots >= t.keys);
	for (i = 0, all = 1; i < n; i++) {
		int kl = snprintf(key, sizeof key, "k%zu", i);

		snprintf(value, sizeof value, "v%zu", i * 7);
		if (!row_is(&t, key, (size_t)kl, value))
			all = 0;
	}
	CHECK(all);
	for (i = 0; i < n; i += 2) {
		int kl = snprintf(key, sizeof key, "k%zu", i);

		join_table_delete(&t, key, (size_t)kl);
	}
	CHECK(t.keys == n / 2 + 3);
	CHECK(join_table_get(&t, "k0", 2) == NULL);
	CHECK(row_is(&t, "k1", 2, "v7"));
	CHECK(t.bytes == walked_bytes(&t, &keys) && keys == t.keys);

	join_table_free(&t);
	CHECK(t.keys == 0 && t.bytes == 0 && t.slots == NULL);

	/* rows by table partition (global = false): dropping one partition
	 * takes its rows only, a row replaced moves to the replacer's
	 * partition, and dropping a partition holding nothing is harmless */
	for (i = 0; i < 3000; i++) {
		int kl = snprintf(key, sizeof key, "p%zu", i);

		CHECK(join_table_put_in(&t, (int32_t)(i % 3), key, (size_t)kl,
					"v", 1) == 0);
	}
	CHECK(join_table_put_in(&t, 2, "p0", 2, "moved", 5) == 0);
	join_table_drop_partition(&t, 0);
	CHECK(t.keys == 2001);
	CHECK(row_is(&t, "p0", 2, "moved"));
	CHECK(join_table_get(&t, "p3", 2) == NULL);
	CHECK(row_is(&t, "p1", 2, "v") && row_is(&t, "p2", 2, "v"));
	join_table_drop_partition(&t, 7);
	CHECK(t.keys == 2001);
	CHECK(t.bytes == walked_bytes(&t, &keys) && keys == t.keys);
	join_table_drop_partition(&t, 1);
	join_table_drop_partition(&t, 2);
	CHECK(t.keys == 0);
	CHECK(t.bytes == walked_bytes(&t, &keys) && keys == 0);
	join_table_free(&t);
	return check_done("join_table");
}
