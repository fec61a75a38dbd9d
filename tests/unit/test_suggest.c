/* "did you mean": the edit distance and when a name is close enough. */
#include "config.h"

#include "check.h"
#include "base/suggest.h"

static void test_suggest(void)
{
	static const char *const commands[] = { "run", "validate", "config",
		"plugins", "help", "version" };
	sl_suggest s;
	size_t i;

	CHECK(sl_edit_distance("run", "run") == 0);
	CHECK(sl_edit_distance("runn", "run") == 1);
	CHECK(sl_edit_distance("vaildate", "validate") == 1); /* a swap */
	CHECK(sl_edit_distance("", "abc") == 3);
	CHECK(sl_edit_distance("windw", "window") == 1);
	CHECK(sl_edit_distance("kitten", "sitting") == 3);
	/* past 32 bytes nothing is close, not even the same name */
	CHECK(sl_edit_distance("abcdefghijklmnopqrstuvwxyz0123456",
			       "abcdefghijklmnopqrstuvwxyz0123456") > 2);

	sl_suggest_init(&s, "runn");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		sl_suggest_consider(&s, commands[i]);
	CHECK_STR(sl_suggest_best(&s), "run");
	sl_suggest_init(&s, "confgi");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		sl_suggest_consider(&s, commands[i]);
	CHECK_STR(sl_suggest_best(&s), "config");
	/* two typos in a short name are a guess, not a suggestion */
	sl_suggest_init(&s, "hlp!");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		sl_suggest_consider(&s, commands[i]);
	CHECK(sl_suggest_best(&s) == NULL);
	sl_suggest_init(&s, "frobnicate");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		sl_suggest_consider(&s, commands[i]);
	CHECK(sl_suggest_best(&s) == NULL);
	/* the name itself is found, not suggested */
	sl_suggest_init(&s, "help");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		sl_suggest_consider(&s, commands[i]);
	CHECK(sl_suggest_best(&s) == NULL);
	sl_suggest_init(&s, "x");
	CHECK(sl_suggest_best(&s) == NULL); /* nothing offered */
}

int main(void)
{
	test_suggest();
	return check_done("test_suggest");
}
