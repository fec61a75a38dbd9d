/* Validation against descriptors, and the wiring of stages. */
#include "config.h"

#include <sys/stat.h>

#include "check.h"
#include "job/job.h"

static char *dir;
static sl_registry reg;

static void setup_plugins(void)
{
	char root[4200];
	char *roots[1];
	sl_diag diag = { 0 };

	snprintf(root, sizeof root, "%s/plugins", dir);
	if (mkdir(root, 0755) != 0)
		exit(99);
	check_write(dir, "plugins/gen.plugin",
		    "[plugin]\nname = gen\nkinds = source\nlibrary = gen\nabi = 1\n"
		    "[option count]\ntype = int\nmin = 0\n"
		    "[option path]\ntype = string\nrequired = true\n"
		    "[option kafka.*]\ntype = string\n");
	check_write(dir, "plugins/op.plugin",
		    "[plugin]\nname = op\nkinds = operator\nlibrary = op\nabi = 1\n"
		    "[option where]\ntype = expr\n");
	check_write(dir, "plugins/out.plugin",
		    "[plugin]\nname = out\nkinds = sink\nlibrary = out\nabi = 1\n");
	check_write(dir, "plugins/string.plugin",
		    "[plugin]\nname = string\nkinds = format\nlibrary = string\n"
		    "abi = 1\n");
	check_write(dir, "plugins/json.plugin",
		    "[plugin]\nname = json\nkinds = format\nlibrary = json\nabi = 1\n");
	check_write(dir, "plugins/old.plugin",
		    "[plugin]\nname = old\nkinds = sink\nlibrary = old\nabi = 99\n");
	check_write(dir, "plugins/nolib.plugin",
		    "[plugin]\nname = nolib\nkinds = sink\nlibrary = nolib\nabi = 1\n");
	check_write(dir, "plugins/gen.so", "");
	check_write(dir, "plugins/op.so", "");
	check_write(dir, "plugins/out.la", "");
	check_write(dir, "plugins/string.so", "");
	check_write(dir, "plugins/json.so", "");
	check_write(dir, "plugins/old.so", "");
	roots[0] = root;
	if (sl_registry_load(&reg, roots, 1, &diag) != 0 || diag.count != 0 ||
	    reg.plugin_count != 7) {
		sl_diag_print(&diag);
		exit(99);
	}
	sl_diag_free(&diag);
}

typedef struct result {
	sl_job *job;
	sl_diag diag;
	size_t problems;
} result;

static result check_job(const char *text, const sl_job_override *ov, size_t n)
{
	result r;
	const char *path = check_write(dir, "job.ini", text);

	memset(&r, 0, sizeof r);
	r.job = sl_job_load(path, ov, n, &r.diag);
	if (r.job == NULL) {
		sl_diag_print(&r.diag);
		exit(99);
	}
	r.problems = sl_job_validate(r.job, &reg, &r.diag);
	return r;
}

static void done(result *r)
{
	sl_job_free(r->job);
	sl_diag_free(&r->diag);
}

static int said(const result *r, int line, const char *text)
{
	char want[1024];
	size_t i;

	if (line > 0)
		snprintf(want, sizeof want, "job.ini:%d: %s", line, text);
	else
		snprintf(want, sizeof want, "job.ini: %s", text);
	for (i = 0; i < r->diag.count; i++)
		if (r->diag.lines[i] && strstr(r->diag.lines[i], want))
			return 1;
	fprintf(stderr, "  wanted: %s\n", want);
	for (i = 0; i < r->diag.count; i++)
		fprintf(stderr, "  diag: %s\n", r->diag.lines[i]);
	return 0;
}

static int clean(const result *r)
{
	size_t i;

	for (i = 0; i < r->diag.count; i++)
		fprintf(stderr, "  unexpected: %s\n", r->diag.lines[i]);
	return r->diag.count == 0 && r->problems == 0;
}

/* "a,b,c": the stage names of job->order */
static const char *order(const sl_job *job)
{
	static char buf[512];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < job->stage_count; i++) {
		strcat(buf, i ? "," : "");
		strcat(buf, job->order[i]->name);
	}
	return buf;
}

static const char *inputs(const sl_job_stage *st)
{
	static char buf[512];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < st->input_count; i++) {
		strcat(buf, i ? "," : "");
		strcat(buf, st->inputs[i]->name);
	}
	return buf;
}

#define JOB "[job]\nname = t\n"

static void test_job_section(void)
{
	result r = check_job("[job]\n"
			     "name = my.job-1_x\n"
			     "delivery = exactly-once\n"
			     "commit.interval.ms = 250\n"
			     "log.level = debug\n"
			     "plugin.path = a:b\n"
			     "[source s]\nplugin = gen\npath = p\n"
			     "[sink k]\nplugin = out\n", NULL, 0);

	CHECK(clean(&r));
	CHECK_STR(r.job->name, "my.job-1_x");
	CHECK(r.job->delivery == SL_DELIVERY_EXACTLY_ONCE);
	CHECK(r.job->commit_interval_ms == 250);
	CHECK(r.job->log_level == SL_LOG_DEBUG);
	CHECK_STR(r.job->plugin_path, "a:b");
	done(&r);

	r = check_job(JOB "[source s]\nplugin = gen\npath = p\n"
		      "[sink k]\nplugin = out\n", NULL, 0);
	CHECK(clean(&r));
	CHECK(r.job->delivery == SL_DELIVERY_AT_LEAST_ONCE);
	CHECK(r.job->commit_interval_ms == 100);
	CHECK(r.job->log_level == SL_LOG_INFO);
	CHECK(r.job->plugin_path == NULL);
	done(&r);

	r = check_job("[job]\n"
		      "name = bad name\n"
		      "delivery = twice\n"
		      "commit.interval.ms = 0\n"
		      "log.level = loud\n"
		      "colour = red\n"
		      "[source s]\nplugin = gen\npath = p\n"
		      "[sink k]\nplugin = out\n", NULL, 0);
	CHECK(r.problems == 5);
	CHECK(said(&r, 2, "name: bad job name 'bad name'"));
	CHECK(said(&r, 3, "delivery: 'twice' is not one of: none, at-least-once, "
		   "exactly-once"));
	CHECK(said(&r, 4, "commit.interval.ms: '0' is below the minimum 1"));
	CHECK(said(&r, 5, "log.level: 'loud' is not one of"));
	CHECK(said(&r, 6, "unknown key 'colour' in [job]"));
	done(&r);

	r = check_job("[job]\n[source s]\nplugin = gen\npath = p\n"
		      "[sink k]\nplugin = out\n", NULL, 0);
	CHECK(r.problems == 1 && said(&r, 1, "[job] has no name"));
	done(&r);
}

static void test_wiring(void)
{
	result r;

	/* fan-out: both sinks read the source above them */
	r = check_job(JOB "[source s]\nplugin = gen\npath = p\n"
		      "[sink a]\nplugin = out\n[sink b]\nplugin = out\n", NULL, 0);
	CHECK(clean(&r));
	CHECK_STR(inputs(&r.job->stages[1]), "s");
	CHECK_STR(inputs(&r.job->stages[2]), "s");
	CHECK_STR(order(r.job), "s,a,b");
	CHECK(r.job->stages[0].input_count == 0);
	done(&r);

	/* a sink between operators does not cut the chain */
	r = check_job(JOB "[source s]\nplugin = gen\npath = p\n"
		      "[operator o1]\nplugin = op\n"
		      "[sink k1]\nplugin = out\n"
		      "[operator o2]\nplugin = op\n"
		      "[sink k2]\nplugin = out\n", NULL, 0);
	CHECK(clean(&r));
	CHECK_STR(inputs(&r.job->stages[1]), "s");
	CHECK_STR(inputs(&r.job->stages[2]), "o1");
	CHECK_STR(inputs(&r.job->stages[3]), "o1");
	CHECK_STR(inputs(&r.job->stages[4]), "o2");
	done(&r);

	/* fan-in, and a from that points down the file */
	r = check_job(JOB "[source s1]\nplugin = gen\npath = p\n"
		      "[sink k]\nplugin = out\nfrom = o\n"
		      "[source s2]\nplugin = gen\npath = p\n"
		      "[operator o]\nplugin = op\nfrom = s1 , s2\n", NULL, 0);
	CHECK(clean(&r));
	CHECK_STR(inputs(&r.job->stages[3]), "s1,s2");
	CHECK_STR(inputs(&r.job->stages[1]), "o");
	CHECK_STR(order(r.job), "s1,s2,o,k");
	done(&r);

	/* a cycle, named in the direction records flow */
	r = check_job(JOB "[source s]\nplugin = gen\npath = p\n"  /* 3 */
		      "[operator a]\nplugin = op\nfrom = c\n"      /* 6 */
		      "[operator b]\nplugin = op\n"                 /* 9 */
		      "[operator c]\nplugin = op\n"                 /* 11 */
		      "[sink k]\nplugin = out\nfrom = s, c\n", NULL, 0);
	CHECK(r.problems == 1);
	CHECK(said(&r, 8, "the stages form a cycle: a -> b -> c -> a"));
	CHECK_STR(order(r.job), "s,a,b,c,k"); /* every stage, even when stuck */
	done(&r);

	r = check_job(JOB "[source s]\nplugin = gen\npath = p\n"
		      "[operator a]\nplugin = op\nfrom = a, s\n"
		      "[sink k]\nplugin = out\n", NULL, 0);
	CHECK(r.problems == 1 && said(&r, 8, "stage 'a' reads from itself"));
	done(&r);

	r = check_job(JOB "[operator o]\nplugin = op\n"           /* 3 */
		      "[source s]\nplugin = gen\npath = p\nfrom = o\n" /* 5, 8 */
		      "[sink k]\nplugin = out\nfrom = nope, s, s\n"    /* 9, 11 */
		      "[sink k2]\nplugin = out\nfrom = k\n"            /* 12, 14 */
		      "[sink k3]\nplugin = out\nfrom = o,,s\n",        /* 15, 17 */
		      NULL, 0);
	CHECK(said(&r, 3, "operator 'o' has no input: there is no source or "
		   "operator above it"));
	CHECK(said(&r, 8, "a source reads from no stage: remove 'from'"));
	CHECK(said(&r, 11, "from: 'nope' names no stage in this job"));
	CHECK(said(&r, 11, "from: 's' is listed twice"));
	CHECK(said(&r, 14, "from: 'k' is a sink; sinks produce no records"));
	CHECK(said(&r, 17, "from: empty item in the list 'o,,s'"));
	CHECK(r.problems == 6);
	done(&r);

	r = check_job(JOB "[sink k]\nplugin = out\n", NULL, 0);
	CHECK(said(&r, 3, "sink 'k' has no input"));
	CHECK(said(&r, 0, "the job has no source"));
	done(&r);

	/* a stage nobody reads */
	r = check_job(JOB "[source s]\nplugin = gen\npath = p\n"
		      "[sink k]\nplugin = out\n"
		      "[source s2]\nplugin = gen\npath = p\n", NULL, 0);
	CHECK(r.problems == 1 && said(&r, 8, "nothing reads from source 's2'"));
	done(&r);
}

static void test_options(void)
{
	result r;
	char a[] = "s.count=x", b[] = "s.extra=1";
	sl_job_override ov[2];

	r = check_job(JOB "[source s]\n"                  /* 3 */
		      "plugin = gen\n"
		      "count = -1\n"                      /* 5 */
		      "paht = p\n"                        /* 6 */
		      "kafka.acks = all\n"
		      "kafka. = x\n"                      /* 8 */
		      "format = json\n"
		      "key.format = xml\n"                /* 10 */
		      "errors = dead-letter\n"            /* 11 */
		      "[operator o]\n"                    /* 12 */
		      "plugin = op\n"
		      "format = json\n"                   /* 14 */
		      "where = a ==\n"
		      "   1\n"
		      "errors = sometimes\n"              /* 17 */
		      "[sink k]\n"                        /* 18 */
		      "plugin = gen\n"                    /* 19 */
		      "[sink k2]\n"                       /* 20 */
		      "plugin = nothing\n"                /* 21 */
		      "whatever = 1\n"
		      "[sink k3]\n"                       /* 23 */
		      "plugin = old\n"                    /* 24 */
		      "[sink k4]\n"                       /* 25 */
		      "plugin = nolib\n"                  /* 26 */
		      "format = out\n"                    /* 27 */
		      "[sink k5]\n"                       /* 28 */
		      "plugin = out\n"
		      "errors = skip\n", NULL, 0);
	CHECK(said(&r, 3, "[source s]: missing required option 'path' of "
		   "plugin 'gen'"));
	CHECK(said(&r, 5, "count: '-1' is below the minimum 0"));
	CHECK(said(&r, 6, "unknown option 'paht' for plugin 'gen'; did you mean "
		   "'path'?"));
	CHECK(said(&r, 8, "unknown option 'kafka.' for plugin 'gen' (its source "
		   "options: count, path, kafka.*; see: sluice plugins gen)"));
	CHECK(said(&r, 10, "unknown format 'xml' (no xml.plugin in: "));
	CHECK(said(&r, 11, "errors = dead-letter needs dead-letter.topic"));
	CHECK(said(&r, 14, "'format' applies to sources and sinks only"));
	CHECK(said(&r, 17, "errors: 'sometimes' is not one of: fail, skip, "
		   "dead-letter"));
	CHECK(said(&r, 19, "plugin 'gen' is not a sink (it provides: source)"));
	CHECK(said(&r, 21, "unknown plugin 'nothing' (no nothing.plugin in: "));
	CHECK(said(&r, 24, "plugin 'old' is built for plugin ABI 99, but this "
		   "sluice loads ABI 1"));
	CHECK(said(&r, 26, "plugin 'nolib': library not found (no nolib.la or "
		   "nolib.so in: "));
	CHECK(said(&r, 27, "'out' is not a format plugin (it provides: sink)"));
	CHECK(r.problems == 13);
	CHECK(r.job->stages[0].format != NULL &&
	      strcmp(r.job->stages[0].format->name, "json") == 0);
	CHECK(r.job->stages[0].key_format == NULL);
	CHECK(r.job->stages[0].settings.errors == SL_ERRORS_DEAD_LETTER);
	CHECK(r.job->stages[1].format == NULL && r.job->stages[1].plugin != NULL);
	CHECK(r.job->stages[6].settings.errors == SL_ERRORS_SKIP);
	CHECK(r.job->stages[6].format != NULL &&
	      strcmp(r.job->stages[6].format->name, "string") == 0);
	done(&r);

	CHECK(sl_job_override_parse(a, &ov[0]) == 0);
	CHECK(sl_job_override_parse(b, &ov[1]) == 0);
	r = check_job(JOB "[source s]\nplugin = gen\npath = p\ncount = 1\n"
		      "[sink k]\nplugin = out\nfrom = s\n", ov, 2);
	CHECK(r.problems == 2);
	CHECK(said(&r, 0, "--set s.count: count: 'x' is not an integer"));
	CHECK(said(&r, 0, "--set s.extra: unknown option 'extra'"));
	done(&r);

	r = check_job(JOB "[source s]\n[sink k]\nplugin =\n", NULL, 0);
	CHECK(said(&r, 3, "[source s] has no plugin: add plugin = NAME"));
	CHECK(said(&r, 5, "plugin: the value is empty"));
	done(&r);
}

/* Each default's text and parsed value say the same. */
static void defaults_agree(const sl_opt_desc *o, size_t n)
{
	sl_opt_value v;
	char why[256];
	size_t i;

	for (i = 0; i < n; i++) {
		if (o[i].def == NULL)
			continue;
		CHECK(sl_opt_parse(&o[i], o[i].def, &v, why, sizeof why) == 0);
		if (v.i != o[i].def_value.i || v.d != o[i].def_value.d)
			fprintf(stderr, "default of %s: parsed value differs\n",
				o[i].name);
		CHECK(v.i == o[i].def_value.i && v.d == o[i].def_value.d);
	}
}

static void test_engine_options(void)
{
	size_t n, i;
	const sl_opt_desc *o = sl_engine_stage_options(&n);
	int seen = 0;

	CHECK(n == 10);
	for (i = 0; i < n; i++)
		if (strcmp(o[i].name, "from") == 0)
			seen = !(o[i].kinds & SL_KIND_SOURCE);
	CHECK(seen);
	defaults_agree(o, n);
	o = sl_job_keys(&n);
	CHECK(n == 11); /* http.connections, http.connections.per-ip */
	defaults_agree(o, n);
	/* a descriptor may not redefine what the engine handles */
	CHECK(sl_engine_stage_option("max.event.time.skew") != NULL);
	CHECK(sl_engine_stage_option("kafka.acks") == NULL);
}

/* The typed settings: parsed once, defaults where the file sets none. */
static void test_settings(void)
{
	result r;

	r = check_job(JOB "[source s]\nplugin = gen\npath = p\n"
		      "[operator k]\nplugin = op\nmax.event.time.skew = 2m\n"
		      "repartition.partitions = 12\nerrors = skip\n"
		      "[operator d]\nplugin = op\n"
		      "[sink out]\nplugin = out\n", NULL, 0);
	CHECK(r.problems == 0);
	CHECK(r.job->stages[1].settings.max_event_time_skew_ms == 120000);
	CHECK(r.job->stages[1].settings.repartition_partitions == 12);
	CHECK(r.job->stages[1].settings.errors == SL_ERRORS_SKIP);
	CHECK(r.job->stages[2].settings.max_event_time_skew_ms == 60000);
	CHECK(r.job->stages[2].settings.repartition_partitions == 0);
	CHECK(r.job->stages[2].settings.errors == SL_ERRORS_FAIL);
	CHECK(strcmp(r.job->stages[0].settings.format, "string") == 0);
	/* the parsed value travels with the option, for the runtime */
	CHECK(r.job->stages[1].options[1].desc != NULL);
	CHECK(r.job->stages[1].options[1].parsed.i == 120000);
	done(&r);
}

int main(void)
{
	dir = check_tmpdir();
	setup_plugins();
	test_job_section();
	test_wiring();
	test_options();
	test_engine_options();
	test_settings();
	sl_registry_free(&reg);
	check_rmdir(dir);
	return check_done("test_validate");
}
