/* Reading job files: sections, lines, continuations, ${VAR}, --set. */
#include "config.h"

#include "check.h"
#include "job/job.h"

static char *dir;

/* Load @p text as DIR/job.ini; @p diag collects the problems. */
static sl_job *load(const char *text, const sl_job_override *ov, size_t n,
		    sl_diag *diag)
{
	const char *path = check_write(dir, "job.ini", text);

	sl_diag_free(diag);
	return sl_job_load(path, ov, n, diag);
}

/* Does a line of @p diag end with ":LINE: " + @p text? (line 0: ": ") */
static int said(const sl_diag *diag, int line, const char *text)
{
	char want[512];
	size_t i;

	if (line > 0)
		snprintf(want, sizeof want, "job.ini:%d: %s", line, text);
	else
		snprintf(want, sizeof want, "job.ini: %s", text);
	for (i = 0; i < diag->count; i++)
		if (diag->lines[i] && strstr(diag->lines[i], want))
			return 1;
	for (i = 0; i < diag->count; i++)
		fprintf(stderr, "  diag: %s\n", diag->lines[i]);
	return 0;
}

static void test_sections_and_lines(void)
{
	sl_diag diag = { 0 };
	sl_job *job = load("; a comment\n"
			   "[job]\n"
			   "name = demo\n"
			   "\n"
			   "[source gen]\n"
			   "plugin = datagen   ; inline comment\n"
			   "count = 10\n"
			   "# another comment\n"
			   "[sink out]\n"
			   "[operator up]\n"
			   "plugin=map\n", NULL, 0, &diag);

	CHECK(job != NULL);
	if (job == NULL)
		return;
	CHECK(diag.count == 0);
	CHECK(job->job_line == 2);
	CHECK(job->job_option_count == 1);
	CHECK_STR(sl_job_option_find(job, "name")->value, "demo");
	CHECK(sl_job_option_find(job, "name")->line == 3);
	CHECK(job->stage_count == 3);
	CHECK_STR(job->stages[0].name, "gen");
	CHECK(job->stages[0].kind == SL_KIND_SOURCE);
	CHECK(job->stages[0].line == 5);
	CHECK(job->stages[0].option_count == 2);
	CHECK_STR(sl_job_stage_option(&job->stages[0], "plugin")->value, "datagen");
	CHECK(sl_job_stage_option(&job->stages[0], "count")->line == 7);
	CHECK(job->stages[1].kind == SL_KIND_SINK);
	CHECK(job->stages[1].line == 9);
	CHECK(job->stages[1].option_count == 0); /* an empty section still counts */
	CHECK(job->stages[2].kind == SL_KIND_OPERATOR);
	CHECK_STR(job->stages[2].options[0].value, "map");
	CHECK(sl_job_stage_option(&job->stages[2], "nope") == NULL);
	CHECK_STR(job->dir, dir);
	sl_job_free(job);
	sl_diag_free(&diag);
}

static void test_continuation(void)
{
	sl_diag diag = { 0 };
	sl_job *job = load("[job]\n"
			   "name = x\n"
			   "[operator f]\n"
			   "where = a == 1\n"
			   "   and b == 2   ; comment\n"
			   "\tor c\n"
			   "plugin = filter\n"
			   "[sink s]\n"
			   "  plugin = null\n", NULL, 0, &diag);

	CHECK(job != NULL && diag.count == 0);
	if (job == NULL)
		return;
	CHECK_STR(sl_job_stage_option(&job->stages[0], "where")->value,
		  "a == 1\nand b == 2\nor c");
	CHECK(sl_job_stage_option(&job->stages[0], "where")->line == 4);
	CHECK(sl_job_stage_option(&job->stages[0], "plugin")->line == 7);
	/* indented first key of a section: no key to continue, so a key */
	CHECK_STR(sl_job_stage_option(&job->stages[1], "plugin")->value, "null");
	sl_job_free(job);
	sl_diag_free(&diag);
}

static void test_env(void)
{
	sl_diag diag = { 0 };
	sl_job *job;

	setenv("SL_T_TOPIC", "events", 1);
	setenv("SL_T_EMPTY", "", 1);
	unsetenv("SL_T_UNSET");
	job = load("[job]\n"
		   "name = ${SL_T_TOPIC}-job\n"
		   "[source s]\n"
		   "a = ${SL_T_UNSET:-fallback}\n"
		   "b = ${SL_T_EMPTY:-used when empty}\n"
		   "c = [${SL_T_EMPTY}]\n"
		   "d = $$HOME costs $5 ^x$\n"
		   "e = ${SL_T_UNSET:-${SL_T_TOPIC}!}\n"
		   "f = ${SL_T_UNSET:-}\n"
		   "g = ${SL_T_TOPIC:-no}\n",
		   NULL, 0, &diag);
	CHECK(job != NULL && diag.count == 0);
	if (job == NULL)
		return;
	CHECK_STR(sl_job_option_find(job, "name")->value, "events-job");
	CHECK_STR(job->stages[0].options[0].value, "fallback");
	CHECK_STR(job->stages[0].options[1].value, "used when empty");
	CHECK_STR(job->stages[0].options[2].value, "[]");
	CHECK_STR(job->stages[0].options[3].value, "$HOME costs $5 ^x$");
	CHECK_STR(job->stages[0].options[4].value, "events!");
	CHECK_STR(job->stages[0].options[5].value, "");
	CHECK_STR(job->stages[0].options[6].value, "events");
	sl_job_free(job);

	job = load("[job]\n"
		   "name = x\n"
		   "[sink s]\n"
		   "a = ${SL_T_UNSET}\n"
		   "b = ${1BAD}\n"
		   "c = ${SL_T_TOPIC\n"
		   "d = ${SL_T_TOPIC-x}\n", NULL, 0, &diag);
	CHECK(job != NULL);
	CHECK(diag.count == 4);
	CHECK(said(&diag, 4, "a: environment variable SL_T_UNSET is not set"));
	CHECK(said(&diag, 5, "b: bad reference '${1BAD}'"));
	CHECK(said(&diag, 6, "c: unterminated '${'"));
	CHECK(said(&diag, 7, "d: bad reference '${SL_T_TOPIC-x}'"));
	sl_job_free(job);
	sl_diag_free(&diag);
}

static void test_overrides(void)
{
	sl_diag diag = { 0 };
	char a[] = "gen.count=5", b[] = "job.delivery=none",
	     c[] = "out.kafka.acks=all", d[] = "gen.count=7", e[] = "nope.x=1";
	char bad1[] = "nodot=1", bad2[] = "a.b", bad3[] = ".k=v", bad4[] = "s.=v",
	     bad5[] = "s=v.w";
	sl_job_override ov[5];
	sl_job *job;

	CHECK(sl_job_override_parse(a, &ov[0]) == 0);
	CHECK_STR(ov[0].stage, "gen");
	CHECK_STR(ov[0].key, "count");
	CHECK_STR(ov[0].value, "5");
	CHECK(sl_job_override_parse(b, &ov[1]) == 0);
	CHECK(sl_job_override_parse(c, &ov[2]) == 0);
	CHECK_STR(ov[2].key, "kafka.acks");
	CHECK(sl_job_override_parse(d, &ov[3]) == 0);
	CHECK(sl_job_override_parse(e, &ov[4]) == 0);
	CHECK(sl_job_override_parse(bad1, &ov[0]) == -1);
	CHECK(sl_job_override_parse(bad2, &ov[0]) == -1);
	CHECK(sl_job_override_parse(bad3, &ov[0]) == -1);
	CHECK(sl_job_override_parse(bad4, &ov[0]) == -1);
	CHECK(sl_job_override_parse(bad5, &ov[0]) == -1);

	job = load("[job]\nname = x\n[source gen]\ncount = 1\n[sink out]\n",
		   ov, 4, &diag);
	CHECK(job != NULL && diag.count == 0);
	if (job == NULL)
		return;
	/* replaced in place (line 0), last --set wins */
	CHECK_STR(job->stages[0].options[0].value, "7");
	CHECK(job->stages[0].options[0].line == 0);
	CHECK_STR(sl_job_option_find(job, "delivery")->value, "none");
	CHECK(sl_job_option_find(job, "delivery")->line == 0);
	CHECK_STR(sl_job_stage_option(&job->stages[1], "kafka.acks")->value, "all");
	sl_job_free(job);

	job = load("[job]\nname = x\n", ov + 4, 1, &diag);
	CHECK(job != NULL);
	CHECK(diag.count == 1 && said(&diag, 0, "--set nope.x: no stage nope"));
	sl_job_free(job);
	sl_diag_free(&diag);
}

static void test_structure_errors(void)
{
	sl_diag diag = { 0 };
	sl_job *job;

	job = load("orphan = 1\n"                 /* 1 */
		   "[job]\n"                      /* 2 */
		   "name = x\n"                   /* 3 */
		   "name = y\n"                   /* 4 */
		   "[job]\n"                      /* 5 */
		   "[source a]\n"                 /* 6 */
		   "[sink a]\n"                   /* 7 */
		   "[source]\n"                   /* 8 */
		   "[source b c]\n"               /* 9 */
		   "[transform t]\n"              /* 10 */
		   "k = ignored\n"                /* 11 */
		   "[sink job]\n"                 /* 12 */
		   "[sink broken\n"               /* 13 */
		   "no equals sign\n"             /* 14 */
		   "= value\n"                    /* 15 */
		   "[job] trailing\n",            /* 16 */
		   NULL, 0, &diag);
	CHECK(job != NULL);
	CHECK(said(&diag, 1, "key 'orphan' is outside any section"));
	CHECK(said(&diag, 4, "duplicate key 'name' in [job] (first at line 3)"));
	CHECK(said(&diag, 5, "duplicate [job] section (the first is at line 2)"));
	CHECK(said(&diag, 7, "duplicate stage name 'a' (first defined at line 6)"));
	CHECK(said(&diag, 8, "[source] needs a stage name"));
	CHECK(said(&diag, 9, "bad stage name 'b c'"));
	CHECK(said(&diag, 10, "unknown section [transform t]"));
	CHECK(said(&diag, 12, "the stage name 'job' is reserved"));
	CHECK(said(&diag, 13, "section header without a closing ']'"));
	CHECK(said(&diag, 14, "expected KEY = VALUE"));
	CHECK(said(&diag, 15, "missing key before '='"));
	CHECK(said(&diag, 16, "unexpected text after the section header"));
	CHECK(diag.count == 13); /* 16 is also a duplicate [job] */
	sl_job_free(job);

	job = load("[source s]\nplugin = x\n[source s2]\nk = 1\nk = 2\n", NULL, 0,
		   &diag);
	CHECK(job != NULL);
	CHECK(said(&diag, 0, "missing [job] section"));
	CHECK(said(&diag, 5, "duplicate key 'k' in [source s2] (first at line 4)"));
	sl_job_free(job);
	sl_diag_free(&diag);
}

/* A string of @p n copies of @p c (free()d by the caller). */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Lines longer than inih's 200-byte buffer read as any other line. */
static void test_long_lines(void)
{
	char *name = repeat('n', 300), *key = repeat('k', 300);
	char *value = repeat('v', 10000), *more = repeat('m', 10000);
	char *comment = repeat('c', 5000), *text, *want;
	size_t size = 5 * 10000 + 2 * 300 + 5000 + 1000;
	sl_diag diag = { 0 };
	sl_job *job;

	text = malloc(size);
	want = malloc(2 * 10000 + 2);
	if (text == NULL || want == NULL)
		abort();
	snprintf(text, size,
		 "[job]\n"                     /* 1 */
		 "name = x\n"                  /* 2 */
		 "[source %s]\n"               /* 3: a long header */
		 "path = %s   ; a comment\n"   /* 4: a long key line */
		 "  %s ; cut\n"                /* 5: a long continuation */
		 "; %s\n"                      /* 6: a long comment */
		 "%s = 1\n"                    /* 7: a long key */
		 "= %s\n"                      /* 8: a long line with no key */
		 "%s\n"                        /* 9: a long line with no '=' */
		 "  %s\n"                      /* 10: no key to continue */
		 "plugin = file\n"             /* 11 */
		 "[sink t]\r\n"                /* 12 */
		 "plugin = null\r\n",          /* 13 */
		 name, value, more, comment, key, value, value, more);
	job = load(text, NULL, 0, &diag);
	CHECK(job != NULL);
	if (job == NULL)
		goto out;
	CHECK(diag.count == 3);
	CHECK(said(&diag, 8, "missing key before '='"));
	CHECK(said(&diag, 9, "expected KEY = VALUE, a [section] header or a comment"));
	/* inih forgets the key at a line with none, so nothing continues */
	CHECK(said(&diag, 10, "expected KEY = VALUE"));
	CHECK(job->stage_count == 2);
	CHECK_STR(job->stages[0].name, name);
	CHECK(job->stages[0].line == 3);
	snprintf(want, 2 * 10000 + 2, "%s\n%s", value, more);
	CHECK_STR(sl_job_stage_option(&job->stages[0], "path")->value, want);
	CHECK(sl_job_stage_option(&job->stages[0], "path")->line == 4);
	CHECK_STR(sl_job_stage_option(&job->stages[0], key)->value, "1");
	CHECK(sl_job_stage_option(&job->stages[0], key)->line == 7);
	CHECK_STR(sl_job_stage_option(&job->stages[0], "plugin")->value, "file");
	CHECK(job->stages[0].option_count == 3);
	CHECK_STR(job->stages[1].name, "t");
	CHECK(job->stages[1].line == 12);
	CHECK_STR(sl_job_stage_option(&job->stages[1], "plugin")->value, "null");
	sl_job_free(job);
out:
	sl_diag_free(&diag);
	free(name);
	free(key);
	free(value);
	free(more);
	free(comment);
	free(text);
	free(want);
}

/* Past SL_JOB_MAX_LINE a line is refused, and the lines after it read
 * as they would without it. */
static void test_too_long_lines(void)
{
	char *value = repeat('v', 70000), *text;
	size_t size = 2 * 70000 + 1000;
	sl_diag diag = { 0 };
	sl_job *job;

	if ((text = malloc(size)) == NULL)
		abort();
	snprintf(text, size,
		 "[job]\n"                 /* 1 */
		 "name = x\n"              /* 2 */
		 "[source s]\n"            /* 3 */
		 "path = %s\n"             /* 4: too long */
		 "  continued\n"           /* 5: ignored, not appended elsewhere */
		 "plugin = file\n"         /* 6 */
		 "[sink %s]\n"             /* 7: a header too long */
		 "ignored = 1\n"           /* 8 */
		 "[sink t]\r\n"            /* 9: CRLF is fine */
		 "plugin = null\r\n",      /* 10 */
		 value, value);
	job = load(text, NULL, 0, &diag);
	CHECK(job != NULL);
	if (job == NULL)
		goto out;
	CHECK(diag.count == 2);
	CHECK(said(&diag, 4, "line is longer than 65536 characters; put the "
		   "value in a file and write ${file:PATH} (the key 'path' on it "
		   "is ignored)"));
	CHECK(said(&diag, 7, "line is longer than 65536 characters"));
	CHECK(job->stage_count == 2);
	CHECK(sl_job_stage_option(&job->stages[0], "path") == NULL);
	CHECK_STR(sl_job_stage_option(&job->stages[0], "plugin")->value, "file");
	CHECK_STR(job->stages[1].name, "t");
	CHECK(job->stages[1].line == 9);
	CHECK_STR(sl_job_stage_option(&job->stages[1], "plugin")->value, "null");
	sl_job_free(job);

	/* exactly at the limit is fine, one more is not */
	value[65536 - 7] = '\0';
	snprintf(text, size, "[job]\nname = %s\n", value);
	job = load(text, NULL, 0, &diag);
	CHECK(job != NULL && diag.count == 0);
	if (job != NULL)
		CHECK(strlen(sl_job_option_find(job, "name")->value) == 65536 - 7);
	sl_job_free(job);
	value[65536 - 7] = 'v';
	value[65536 - 6] = '\0';
	snprintf(text, size, "[job]\nname = %s\n", value);
	job = load(text, NULL, 0, &diag);
	CHECK(said(&diag, 2, "line is longer than 65536 characters"));
	sl_job_free(job);
out:
	sl_diag_free(&diag);
	free(value);
	free(text);
}

static void test_unreadable(void)
{
	sl_diag diag = { 0 };
	char path[4200];

	snprintf(path, sizeof path, "%s/missing.ini", dir);
	CHECK(sl_job_load(path, NULL, 0, &diag) == NULL);
	CHECK(diag.count == 1);
	if (diag.count == 1)
		CHECK_HAS(diag.lines[0], "missing.ini: cannot read: No such file");
	sl_diag_free(&diag);
	CHECK(sl_job_load(dir, NULL, 0, &diag) == NULL); /* a folder */
	CHECK(diag.count == 1);
	sl_diag_free(&diag);
}

static void test_bom_and_empty(void)
{
	sl_diag diag = { 0 };
	sl_job *job = load("\xEF\xBB\xBF[job]\nname = x\n", NULL, 0, &diag);

	CHECK(job != NULL && diag.count == 0 && job->job_line == 1);
	sl_job_free(job);
	job = load("", NULL, 0, &diag);
	CHECK(job != NULL && said(&diag, 0, "missing [job] section"));
	sl_job_free(job);
	sl_diag_free(&diag);
}

int main(void)
{
	dir = check_tmpdir();
	test_sections_and_lines();
	test_continuation();
	test_env();
	test_overrides();
	test_structure_errors();
	test_long_lines();
	test_too_long_lines();
	test_unreadable();
	test_bom_and_empty();
	check_rmdir(dir);
	return check_done("test_jobfile");
}
