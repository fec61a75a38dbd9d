/* Reading job files: sections, lines, continuations, ${VAR}, --set. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "check.h"
#include "base/job_limits.h"
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

/* Write @p len bytes of @p data to DIR/NAME. */
static void write_bytes(const char *name, const char *data, size_t len)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

/* Is @p value one the job keeps as ${file:} content? */
static int kept_secret(const sl_job *job, const char *value)
{
	size_t i;

	for (i = 0; i < job->secret_value_count; i++)
		if (strcmp(job->secret_values[i], value) == 0)
			return 1;
	return 0;
}

static void test_file_refs(void)
{
	sl_diag diag = { 0 };
	char sub[4200], *big;
	sl_job *job;
	sl_job_override ov = { "s", "a", "from the command line" };

	snprintf(sub, sizeof sub, "%s/sub", dir);
	if (mkdir(sub, 0700) != 0 && errno != EEXIST)
		exit(99);
	write_bytes("pw", "hunter2\n", 8);
	write_bytes("crlf", "tok\r\n", 5);
	write_bytes("two", "a\n\n", 3);
	write_bytes("bare", "x y", 3);
	write_bytes("empty", "", 0);
	write_bytes("multi", "l1\nl2\n", 6);
	write_bytes("dollar", "${NOT_EXPANDED}$", 16);
	write_bytes("sub/pem", "-----BEGIN-----\n", 16);
	write_bytes("nul", "a\0b", 3);
	setenv("SL_T_DIR", sub, 1);
	unsetenv("file");
	job = load("[job]\n"                                  /* 1 */
		   "name = x\n"                               /* 2 */
		   "[source s]\n"                             /* 3 */
		   "a = ${file:pw}\n"                         /* 4 */
		   "b = <${file:crlf}>\n"                     /* 5 */
		   "c = ${file:two}\n"                        /* 6 */
		   "d = ${file:bare}\n"                       /* 7 */
		   "e = [${file:empty}]\n"                    /* 8 */
		   "f = ${file:multi}\n"                      /* 9 */
		   "g = ${file:dollar}\n"                     /* 10 */
		   "h = ${file:${SL_T_DIR}/pem}\n"            /* 11 */
		   "i = ${file:-default of a variable}\n"     /* 12 */
		   "j = ${SL_T_UNSET:-${file:pw}}\n"          /* 13 */
		   "kafka.sasl.password = ${file:sub/pem}\n", /* 14 */
		   &ov, 1, &diag);
	CHECK(job != NULL && diag.count == 0);
	if (job == NULL)
		goto out;
	CHECK_STR(sl_job_stage_option(&job->stages[0], "a")->value,
		  "from the command line");
	CHECK_STR(sl_job_stage_option(&job->stages[0], "b")->value, "<tok>");
	CHECK_STR(sl_job_stage_option(&job->stages[0], "c")->value, "a\n");
	CHECK_STR(sl_job_stage_option(&job->stages[0], "d")->value, "x y");
	CHECK_STR(sl_job_stage_option(&job->stages[0], "e")->value, "[]");
	CHECK_STR(sl_job_stage_option(&job->stages[0], "f")->value, "l1\nl2");
	CHECK_STR(sl_job_stage_option(&job->stages[0], "g")->value,
		  "${NOT_EXPANDED}$");
	CHECK_STR(sl_job_stage_option(&job->stages[0], "h")->value,
		  "-----BEGIN-----");
	CHECK_STR(sl_job_stage_option(&job->stages[0], "i")->value,
		  "default of a variable");
	CHECK_STR(sl_job_stage_option(&job->stages[0], "j")->value, "hunter2");
	CHECK(sl_job_stage_option(&job->stages[0], "j")->line == 13);
	/* what came from files is kept to be hidden; what did not is not */
	CHECK(kept_secret(job, "hunter2"));
	CHECK(kept_secret(job, "<tok>"));
	CHECK(kept_secret(job, "l1\nl2"));
	CHECK(kept_secret(job, "-----BEGIN-----"));
	CHECK(!kept_secret(job, "default of a variable"));
	CHECK(!kept_secret(job, "from the command line"));
	CHECK(!kept_secret(job, "[]"));
	/* the content alone too, where the value holds more */
	CHECK(kept_secret(job, "tok"));
	sl_job_free(job);

	/* an absolute path, and one past the size limit */
	if ((big = malloc(SL_FILE_REF_MAX_LEN + 2)) == NULL)
		abort();
	memset(big, 'b', SL_FILE_REF_MAX_LEN + 1);
	big[SL_FILE_REF_MAX_LEN] = '\n'; /* the limit counts the newline too */
	write_bytes("limit", big, SL_FILE_REF_MAX_LEN);
	write_bytes("big", big, SL_FILE_REF_MAX_LEN + 1);
	free(big);
	snprintf(sub, sizeof sub, "[job]\nname = x\n[sink s]\n"
		 "a = ${file:%s/limit}\nb = ${file:%s/big}\n", dir, dir);
	job = load(sub, NULL, 0, &diag);
	CHECK(job != NULL && diag.count == 1);
	if (job != NULL)
		CHECK(strlen(sl_job_stage_option(&job->stages[0], "a")->value) ==
		      SL_FILE_REF_MAX_LEN);
	snprintf(sub, sizeof sub, "b: ${file:%s/big}: the file is larger than "
		 "1048576 bytes", dir);
	CHECK(said(&diag, 5, sub));
	sl_job_free(job);

	/* a job reads at most 16 MiB through ${file:} in all */
	snprintf(sub, sizeof sub, "[job]\nname = x\n[sink s]\na = "
		 "${file:limit}${file:limit}${file:limit}${file:limit}"
		 "${file:limit}${file:limit}${file:limit}${file:limit}\n"
		 "b = ${file:limit}${file:limit}${file:limit}${file:limit}"
		 "${file:limit}${file:limit}${file:limit}${file:limit}\n"
		 "c = ${file:limit}\n");
	job = load(sub, NULL, 0, &diag);
	CHECK(job != NULL && diag.count == 1);
	CHECK(said(&diag, 6, "c: ${file:limit}: the ${file:} references of the "
		   "job read more than 16777216 bytes in all"));
	sl_job_free(job);

	job = load("[job]\n"                          /* 1 */
		   "name = x\n"                       /* 2 */
		   "[sink s]\n"                       /* 3 */
		   "a = ${file:missing}\n"            /* 4 */
		   "b = ${file:/no/such/dir/pw}\n"    /* 5 */
		   "c = ${file:}\n"                   /* 6 */
		   "d = ${file:nul}\n"                /* 7 */
		   "e = ${file:${SL_T_UNSET}}\n"      /* 8 */
		   "f = ${file:sub}\n"                /* 9 */
		   "password = ${file:missing}\n"     /* 10 */
		   "g = ${file:/dev/null}\n",         /* 11: blocks nobody */
		   NULL, 0, &diag);
	CHECK(job != NULL);
	CHECK(diag.count == 8);
	CHECK(said(&diag, 11, "g: ${file:/dev/null} is not a regular file"));
	snprintf(sub, sizeof sub, "a: cannot read ${file:missing} (%s/missing): "
		 "No such file or directory", dir);
	CHECK(said(&diag, 4, sub));
	CHECK(said(&diag, 5, "b: cannot read ${file:/no/such/dir/pw}: No such "
		   "file or directory"));
	CHECK(said(&diag, 6, "c: ${file:} needs a path"));
	CHECK(said(&diag, 7, "d: ${file:nul}: the file holds a NUL byte"));
	CHECK(said(&diag, 8, "e: environment variable SL_T_UNSET is not set"));
	snprintf(sub, sizeof sub, "f: cannot read ${file:sub} (%s/sub): Is a "
		 "directory", dir);
	CHECK(said(&diag, 9, sub));
	/* the path of a secret is no secret: it is what to fix */
	CHECK(said(&diag, 10, "password: cannot read ${file:missing}"));
	sl_job_free(job);
out:
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
	test_file_refs();
	test_overrides();
	test_structure_errors();
	test_long_lines();
	test_too_long_lines();
	test_unreadable();
	test_bom_and_empty();
	check_rmdir(dir);
	return check_done("test_jobfile");
}
