/*
 * The window's index of state keys per (partition, pane)
 * (window_index.c): keys come back per pane in the order added, panes
 * apart from each other and from other partitions, a pane dropped is
 * gone and only it, the table grows past its first slots without losing
 * a key, and clear empties it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "../window_index.h"

typedef struct seen {
	char text[4096];
	size_t n;
	int stop_after;         /* 0: never stop */
} seen;

static int note(void *ctx, const uint8_t *key, size_t klen)
{
	seen *s = ctx;

	s->n += (size_t)snprintf(s->text + s->n, sizeof s->text - s->n, "%.*s ",
				 (int)klen, (const char *)key);
	return s->stop_after > 0 && --s->stop_after == 0 ? 7 : 0;
}

static const char *keys_of(const window_index *ix, int32_t partition,
			   int64_t pane, int stop_after, int *rc)
{
	static seen s;

	memset(&s, 0, sizeof s);
	s.stop_after = stop_after;
	*rc = window_index_each(ix, partition, pane, note, &s);
	return s.text;
}

static void add(window_index *ix, int32_t partition, int64_t pane,
		const char *key)
{
	CHECK(window_index_add(ix, partition, pane, (const uint8_t *)key,
			       strlen(key)) == 0);
}

int main(void)
{
	window_index *ix = window_index_new();
	char key[32];
	int rc, i, missing;

	CHECK(ix != NULL);
	add(ix, 0, 60000, "a");
	add(ix, 0, 60000, "bb");
	add(ix, 1, 60000, "c");
	add(ix, 0, 120000, "d");
	add(ix, 0, -60000, "neg");
	add(ix, 0, 60000, "");  /* an empty key is a key */
	CHECK(window_index_keys(ix) == 6);
	CHECK_STR(keys_of(ix, 0, 60000, 0, &rc), "a bb  ");
	CHECK(rc == 0);
	CHECK_STR(keys_of(ix, 1, 60000, 0, &rc), "c ");
	CHECK_STR(keys_of(ix, 0, 120000, 0, &rc), "d ");
	CHECK_STR(keys_of(ix, 0, -60000, 0, &rc), "neg ");
	CHECK_STR(keys_of(ix, 2, 60000, 0, &rc), "");
	CHECK(rc == 0);
	/* the callback's non-zero return stops the walk and is returned */
	CHECK_STR(keys_of(ix, 0, 60000, 1, &rc), "a ");
	CHECK(rc == 7);

	/* a dropped pane is gone, the others stay */
	window_index_drop(ix, 0, 60000);
	CHECK_STR(keys_of(ix, 0, 60000, 0, &rc), "");
	CHECK_STR(keys_of(ix, 1, 60000, 0, &rc), "c ");
	CHECK_STR(keys_of(ix, 0, 120000, 0, &rc), "d ");
	CHECK(window_index_keys(ix) == 3);
	window_index_drop(ix, 5, 5); /* nothing there: nothing happens */
	CHECK(window_index_keys(ix) == 3);
	/* the pane can come back after it was dropped */
	add(ix, 0, 60000, "again");
	CHECK_STR(keys_of(ix, 0, 60000, 0, &rc), "again ");

	/* thousands of panes: the table grows, every key is still found */
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		add(ix, i % 7, (int64_t)i * 1000, key);
	}
	for (i = 0, missing = 0; i < 5000; i++) {
		char want[40];

		snprintf(want, sizeof want, "k%d ", i);
		if (strcmp(keys_of(ix, i % 7, (int64_t)i * 1000, 0, &rc), want) != 0)
			missing++;
	}
	CHECK(missing == 0);
	CHECK(window_index_keys(ix) == 5004);

	window_index_clear(ix);
	CHECK(window_index_keys(ix) == 0);
	CHECK_STR(keys_of(ix, 1, 60000, 0, &rc), "");
	add(ix, 1, 60000, "after");
	CHECK_STR(keys_of(ix, 1, 60000, 0, &rc), "after ");
	window_index_free(ix);
	window_index_free(NULL);
	return check_done("test_window_index");
}
