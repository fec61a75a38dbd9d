/* Plugin descriptors, option checks, the registry and the plugin path. */
#include "config.h"

#include <limits.h>
#include <sys/stat.h>

#include "check.h"
#include "plugin/descriptor.h"

static char *dir;

static void mkdir_p(const char *sub)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	if (mkdir(path, 0755) != 0) {
		perror(path);
		exit(99);
	}
}

static int said(const sl_diag *diag, const char *text)
{
	size_t i;

	for (i = 0; i < diag->count; i++)
		if (diag->lines[i] && strstr(diag->lines[i], text))
			return 1;
	for (i = 0; i < diag->count; i++)
		fprintf(stderr, "  diag: %s\n", diag->lines[i]);
	return 0;
}

static const char *good =
	"[plugin]\n"                                   /* 1 */
	"name = demo\n"
	"kinds = source, sink\n"
	"library = demo\n"
	"abi = 1\n"                                    /* 5 */
	"summary = A demo plugin\n"
	"\n"
	"[option path]\n"
	"type = string\n"
	"required = true\n"                            /* 10 */
	"summary = Where\n"
	"\n"
	"[option count]\n"
	"kinds = source\n"
	"type = int\n"                                 /* 15 */
	"min = 0\n"
	"max = 100\n"
	"default = 10\n"
	"\n"
	"[option start]\n"                             /* 20 */
	"type = enum\n"
	"values = earliest | latest | timestamp:\n"
	"default = latest\n"
	"\n"
	"[option linger]\n"                            /* 25 */
	"type = duration\n"
	"min = 1s\n"
	"\n"
	"[option kafka.*]\n"
	"type = string\n"                              /* 30 */
	"summary = Passed on\n"
	"\n"
	"[option kafka.sasl.*]\n"
	"type = string\n"
	"kinds = sink\n";                              /* 35 */

static void test_parse(void)
{
	sl_diag diag = { 0 };
	const char *path = check_write(dir, "demo.plugin", good);
	sl_descriptor *d = sl_descriptor_load(path, "sub", &diag);
	const sl_opt_desc *o;

	CHECK(d != NULL && diag.count == 0);
	if (d == NULL) {
		said(&diag, "?");
		return;
	}
	CHECK_STR(d->name, "demo");
	CHECK(d->kinds == (SL_KIND_SOURCE | SL_KIND_SINK));
	CHECK_STR(d->library, "demo");
	CHECK(d->abi == 1);
	CHECK_STR(d->summary, "A demo plugin");
	CHECK_STR(d->path, path);
	CHECK_STR(d->subdir, "sub");
	CHECK(d->option_count == 6);

	o = sl_descriptor_option(d, SL_KIND_SINK, "path");
	CHECK(o != NULL && o->required && o->type == SL_OPT_STRING &&
	      o->kinds == d->kinds && o->def == NULL);
	CHECK(sl_descriptor_option(d, SL_KIND_SINK, "count") == NULL);
	o = sl_descriptor_option(d, SL_KIND_SOURCE, "count");
	CHECK(o != NULL && o->type == SL_OPT_INT && o->has_min && o->min == 0 &&
	      o->has_max && o->max == 100 && !o->required);
	CHECK(o != NULL && strcmp(o->def, "10") == 0);
	o = sl_descriptor_option(d, SL_KIND_SOURCE, "start");
	CHECK(o != NULL && o->type == SL_OPT_ENUM && o->value_count == 3);
	if (o != NULL && o->value_count == 3)
		CHECK_STR(o->values[2], "timestamp:");
	o = sl_descriptor_option(d, SL_KIND_SOURCE, "linger");
	CHECK(o != NULL && o->has_min && o->min == 1000 && !o->has_max);
	o = sl_descriptor_option(d, SL_KIND_SOURCE, "kafka.acks");
	CHECK(o != NULL && o->is_prefix && strcmp(o->name, "kafka.") == 0);
	/* the longest prefix wins, for the kinds it applies to */
	o = sl_descriptor_option(d, SL_KIND_SINK, "kafka.sasl.mechanism");
	CHECK(o != NULL && strcmp(o->name, "kafka.sasl.") == 0);
	o = sl_descriptor_option(d, SL_KIND_SOURCE, "kafka.sasl.mechanism");
	CHECK(o != NULL && strcmp(o->name, "kafka.") == 0);
	CHECK(sl_descriptor_option(d, SL_KIND_SOURCE, "kafka.") == NULL);
	CHECK(sl_descriptor_option(d, SL_KIND_SOURCE, "kafka") == NULL);
	CHECK(sl_descriptor_option(d, SL_KIND_OPERATOR, "path") == NULL);
	sl_descriptor_free(d);
	sl_diag_free(&diag);
}

/* Load @p text as NAME.plugin; expect it refused with @p msg. */
static void expect_bad(const char *name, const char *text, const char *msg)
{
	sl_diag diag = { 0 };
	char file[128];
	const char *path;
	sl_descriptor *d;

	snprintf(file, sizeof file, "%s.plugin", name);
	path = check_write(dir, file, text);
	d = sl_descriptor_load(path, "", &diag);
	CHECK(d == NULL);
	CHECK(said(&diag, msg));
	sl_descriptor_free(d);
	sl_diag_free(&diag);
}

#define HEAD "[plugin]\nname = x\nkinds = source\nlibrary = x\nabi = 1\n"

static void test_bad(void)
{
	expect_bad("x", "", "x.plugin: missing [plugin] section");
	expect_bad("x", "[plugin]\nkinds = source\nlibrary = x\nabi = 1\n",
		   "x.plugin:1: [plugin] has no name");
	expect_bad("y", HEAD, "y.plugin:2: plugin name 'x' does not match the "
		   "file name y.plugin");
	expect_bad("x", HEAD "colour = red\n", "x.plugin:6: unknown key 'colour' "
		   "in [plugin]");
	expect_bad("x", HEAD "name = x\n", "x.plugin:6: duplicate key 'name' "
		   "(first at line 2)");
	expect_bad("x", "[plugin]\nname = x\nkinds = source, filter\nlibrary = x\n"
		   "abi = 1\n", "x.plugin:3: unknown kind 'filter'");
	expect_bad("x", "[plugin]\nname = x\nkinds = source\nlibrary = x\n"
		   "abi = one\n", "x.plugin:5: abi: 'one' is not a version number");
	expect_bad("x", "[plugin]\nname = x\nkinds = source\nlibrary = ../x\n"
		   "abi = 1\n", "x.plugin:4: bad library '../x'");
	expect_bad("x", HEAD "[option a]\n", "x.plugin:6: [option a] has no type");
	expect_bad("x", HEAD "[option a]\ntype = float\n", "x.plugin:7: unknown "
		   "type 'float'");
	expect_bad("x", HEAD "[option a]\ntype = enum\n", "x.plugin:6: [option a] "
		   "is an enum without values");
	expect_bad("x", HEAD "[option a]\ntype = int\nvalues = a | b\n",
		   "x.plugin:8: values applies to enum options only");
	expect_bad("x", HEAD "[option a]\ntype = enum\nvalues = a | | b\n",
		   "x.plugin:8: values: empty item");
	expect_bad("x", HEAD "[option a]\ntype = string\nmin = 1\n",
		   "x.plugin:8: min applies to int, number, duration and size "
		   "options only");
	expect_bad("x", HEAD "[option a]\ntype = number\nmin = low\n",
		   "x.plugin:8: min: 'low' is not a number");
	expect_bad("x", HEAD "[option a]\ntype = number\nmin = 2.5\nmax = 1\n",
		   "x.plugin:9: max is below min");
	expect_bad("x", HEAD "[option a]\ntype = number\nmin = 0\ndefault = -1\n",
		   "x.plugin:9: default: '-1' is below the minimum 0");
	expect_bad("x", HEAD "[option a]\ntype = int\nmin = 5\nmax = 1\n",
		   "x.plugin:9: max is below min");
	expect_bad("x", HEAD "[option a]\ntype = duration\nmax = 5 s\n",
		   "x.plugin:8: max: '5 s' is not a duration");
	expect_bad("x", HEAD "[option a]\ntype = int\nmin = 1\ndefault = 0\n",
		   "x.plugin:9: default: '0' is below the minimum 1");
	expect_bad("x", HEAD "[option a]\ntype = enum\nvalues = a|b\ndefault = c\n",
		   "x.plugin:9: default: 'c' is not one of: a, b");
	expect_bad("x", HEAD "[option a]\ntype = bool\nrequired = sure\n",
		   "x.plugin:8: required: 'sure' is not true or false");
	expect_bad("x", HEAD "[option a]\ntype = int\nkinds = sink\n",
		   "x.plugin:8: option kinds 'sink' are not all kinds of the plugin");
	expect_bad("x", HEAD "[option format]\ntype = string\n",
		   "x.plugin:6: option 'format' is handled by the engine");
	expect_bad("x", HEAD "[option a b]\ntype = string\n",
		   "x.plugin:6: bad option name 'a b'");
	expect_bad("x", HEAD "[option a]\ntype = int\n[option a]\ntype = int\n",
		   "x.plugin:8: duplicate [option a] (first at line 6)");
	expect_bad("x", HEAD "[plugin]\n", "x.plugin:6: duplicate [plugin] "
		   "section (the first is at line 1)");
	expect_bad("x", HEAD "[options a]\n", "x.plugin:6: unknown section "
		   "[options a]");
	expect_bad("x", "k = v\n" HEAD, "x.plugin:1: key 'k' is outside any "
		   "section");
	expect_bad("x", HEAD "[option a]\ntype = int\nmin = -\n",
		   "x.plugin:8: min: '-' is not an integer");
}

static sl_opt_desc opt(sl_opt_type type)
{
	sl_opt_desc o;

	memset(&o, 0, sizeof o);
	o.type = type;
	o.kinds = SL_KIND_SOURCE;
	o.summary = "";
	return o;
}

/* What sl_opt_parse() hands on: the value, parsed once. */
static void test_parsed(void)
{
	static char *values[] = { "earliest", "latest", "timestamp:" };
	sl_opt_desc o;
	sl_opt_value v;
	char why[256];

	o = opt(SL_OPT_DURATION);
	CHECK(sl_opt_parse(&o, "5m", &v, why, sizeof why) == 0 && v.i == 300000);
	o = opt(SL_OPT_SIZE);
	CHECK(sl_opt_parse(&o, "2KB", &v, why, sizeof why) == 0 && v.i == 2048);
	o = opt(SL_OPT_NUMBER);
	CHECK(sl_opt_parse(&o, "0.25", &v, why, sizeof why) == 0 && v.d == 0.25);
	o = opt(SL_OPT_BOOL);
	CHECK(sl_opt_parse(&o, "off", &v, why, sizeof why) == 0 && v.i == 0);
	CHECK(sl_opt_parse(&o, "on", &v, why, sizeof why) == 0 && v.i == 1);
	o = opt(SL_OPT_ENUM);
	o.values = values;
	o.value_count = 3;
	CHECK(sl_opt_parse(&o, "latest", &v, why, sizeof why) == 0 && v.i == 1);
	CHECK(sl_opt_parse(&o, "timestamp:5", &v, why, sizeof why) == 0 &&
	      v.i == 2);
}

static void test_check(void)
{
	static char *values[] = { "earliest", "latest", "timestamp:" };
	sl_opt_desc o;
	char why[256];

	o = opt(SL_OPT_STRING);
	CHECK(sl_opt_check(&o, "anything at all", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "", why, sizeof why) == 0);
	o.required = 1;
	CHECK(sl_opt_check(&o, "", why, sizeof why) == -1);
	CHECK_STR(why, "the value is empty");

	o = opt(SL_OPT_INT);
	o.has_min = 1;
	o.min = 0;
	o.has_max = 1;
	o.max = 10;
	CHECK(sl_opt_check(&o, "0", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "10", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "-1", why, sizeof why) == -1);
	CHECK_STR(why, "'-1' is below the minimum 0");
	CHECK(sl_opt_check(&o, "11", why, sizeof why) == -1);
	CHECK_STR(why, "'11' is above the maximum 10");
	CHECK(sl_opt_check(&o, "ten", why, sizeof why) == -1);
	CHECK_STR(why, "'ten' is not an integer");
	CHECK(sl_opt_check(&o, "", why, sizeof why) == -1);

	o = opt(SL_OPT_DURATION);
	o.has_min = 1;
	o.min = 1000;
	CHECK(sl_opt_check(&o, "1s", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "999", why, sizeof why) == -1);
	CHECK_STR(why, "'999' is below the minimum 1s");
	CHECK(sl_opt_check(&o, "1 s", why, sizeof why) == -1);
	CHECK_HAS(why, "'1 s' is not a duration");

	o = opt(SL_OPT_SIZE);
	o.has_min = 1;
	o.min = 1 << 20;
	CHECK(sl_opt_check(&o, "1MB", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "64mb", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "1023KB", why, sizeof why) == -1);
	CHECK_STR(why, "'1023KB' is below the minimum 1MB");
	CHECK(sl_opt_check(&o, "lots", why, sizeof why) == -1);
	CHECK_HAS(why, "'lots' is not a size");

	o = opt(SL_OPT_NUMBER);
	CHECK(sl_opt_check(&o, "2.5", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "fast", why, sizeof why) == -1);
	CHECK_STR(why, "'fast' is not a number");
	o.has_min = 1;
	o.min_number = 0;
	o.has_max = 1;
	o.max_number = 1e6;
	CHECK(sl_opt_check(&o, "-5", why, sizeof why) == -1);
	CHECK_STR(why, "'-5' is below the minimum 0");
	CHECK(sl_opt_check(&o, "2e6", why, sizeof why) == -1);
	CHECK_STR(why, "'2e6' is above the maximum 1e+06");

	o = opt(SL_OPT_BOOL);
	CHECK(sl_opt_check(&o, "yes", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "yep", why, sizeof why) == -1);
	CHECK_HAS(why, "'yep' is not a boolean");

	o = opt(SL_OPT_ENUM);
	o.values = values;
	o.value_count = 3;
	CHECK(sl_opt_check(&o, "latest", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "timestamp:1700000000000", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "timestamp:", why, sizeof why) == -1);
	CHECK(sl_opt_check(&o, "Latest", why, sizeof why) == -1);
	CHECK_STR(why, "'Latest' is not one of: earliest, latest, timestamp:...");

	o = opt(SL_OPT_LIST);
	CHECK(sl_opt_check(&o, "a, b,c", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "a,,b", why, sizeof why) == -1);
	CHECK_STR(why, "empty item in the list 'a,,b'");
	CHECK(sl_opt_check(&o, "a, ", why, sizeof why) == -1);

	o = opt(SL_OPT_EXPR);
	CHECK(sl_opt_check(&o, "a == 1", why, sizeof why) == 0);
	CHECK(sl_opt_check(&o, "", why, sizeof why) == -1);
	test_parsed();
}

static void test_kinds_text(void)
{
	char buf[64];

	CHECK_STR(sl_kinds_text(SL_KIND_SINK | SL_KIND_SOURCE, buf, sizeof buf),
		  "source, sink");
	CHECK_STR(sl_kinds_text(SL_KIND_FORMAT, buf, sizeof buf), "format");
	CHECK_STR(sl_kinds_text(0, buf, sizeof buf), "");
	CHECK_STR(sl_kind_name(SL_KIND_OPERATOR), "operator");
}

static void test_registry(void)
{
	sl_diag diag = { 0 };
	sl_registry reg;
	char roots_buf[3][4200], *roots[3];
	const sl_descriptor *d;
	char *lib;

	/* root a: a.plugin at the top, b/b.plugin below, a broken one */
	mkdir_p("a");
	mkdir_p("a/b");
	mkdir_p("a/.hidden");
	check_write(dir, "a/one.plugin", "[plugin]\nname = one\nkinds = sink\n"
		    "library = one\nabi = 1\nsummary = first\n");
	check_write(dir, "a/b/two.plugin", "[plugin]\nname = two\nkinds = format\n"
		    "library = two\nabi = 1\n");
	check_write(dir, "a/broken.plugin", "[plugin]\nname = broken\n");
	check_write(dir, "a/.hidden/three.plugin", "[plugin]\nname = three\n"
		    "kinds = sink\nlibrary = three\nabi = 1\n");
	check_write(dir, "a/b/two.so", "not really a library");
	/* root c: shadowed one, and the library of "one" (a VPATH build) */
	mkdir_p("c");
	check_write(dir, "c/one.plugin", "[plugin]\nname = one\nkinds = source\n"
		    "library = one\nabi = 1\nsummary = second\n");
	check_write(dir, "c/one.la", "# libtool");
	snprintf(roots_buf[0], sizeof roots_buf[0], "%s/a", dir);
	snprintf(roots_buf[1], sizeof roots_buf[1], "%s/missing", dir);
	snprintf(roots_buf[2], sizeof roots_buf[2], "%s/c", dir);
	roots[0] = roots_buf[0];
	roots[1] = roots_buf[1];
	roots[2] = roots_buf[2];

	CHECK(sl_registry_load(&reg, roots, 3, &diag) == 0);
	CHECK(reg.root_count == 3 && reg.plugin_count == 2);
	CHECK(diag.count == 3 && said(&diag, "broken.plugin:1: [plugin] has no "
				      "kinds"));
	d = sl_registry_find(&reg, "one");
	CHECK(d != NULL && strcmp(d->summary, "first") == 0 &&
	      strcmp(d->subdir, "") == 0);
	if (d != NULL) {
		lib = sl_registry_library(&reg, d);
		CHECK(lib != NULL && strcmp(lib + strlen(dir), "/c/one.la") == 0);
		free(lib);
	}
	d = sl_registry_find(&reg, "two");
	CHECK(d != NULL && strcmp(d->subdir, "b") == 0);
	if (d != NULL) {
		lib = sl_registry_library(&reg, d);
		CHECK(lib != NULL && strcmp(lib + strlen(dir), "/a/b/two.so") == 0);
		free(lib);
	}
	CHECK(sl_registry_find(&reg, "three") == NULL);
	CHECK(sl_registry_find(&reg, "broken") == NULL);
	sl_registry_free(&reg);
	sl_diag_free(&diag);
}

static void test_roots(void)
{
	char **roots, cwd[PATH_MAX], want[PATH_MAX + 64], old_cwd[PATH_MAX];
	size_t n, i;

	CHECK(getcwd(old_cwd, sizeof old_cwd) != NULL);
	mkdir_p("jobs");
	mkdir_p("jobs/plug");
	mkdir_p("env");
	if (chdir(dir) != 0 || getcwd(cwd, sizeof cwd) == NULL)
		exit(99);
	setenv("SLUICE_PLUGIN_PATH", "env::/abs/x:jobs/plug", 1);
	CHECK(sl_plugin_roots("plug:/abs/x:missing:", "jobs", &roots, &n) == 0);
	CHECK(n == 5);
	if (n == 5) {
		snprintf(want, sizeof want, "%s/jobs/plug", cwd);
		CHECK_STR(roots[0], want);
		CHECK_STR(roots[1], "/abs/x");
		snprintf(want, sizeof want, "%s/jobs/missing", cwd);
		CHECK_STR(roots[2], want); /* kept, absolute, though missing */
		snprintf(want, sizeof want, "%s/env", cwd);
		CHECK_STR(roots[3], want);
		CHECK_STR(roots[4], SL_PLUGIN_DIR);
	}
	for (i = 0; i < n; i++)
		free(roots[i]);
	free(roots);

	unsetenv("SLUICE_PLUGIN_PATH");
	CHECK(sl_plugin_roots(NULL, NULL, &roots, &n) == 0);
	CHECK(n == 1 && strcmp(roots[0], SL_PLUGIN_DIR) == 0);
	for (i = 0; i < n; i++)
		free(roots[i]);
	free(roots);
	if (chdir(old_cwd) != 0)
		exit(99);
}

int main(void)
{
	dir = check_tmpdir();
	test_parse();
	test_bad();
	test_check();
	test_kinds_text();
	test_registry();
	test_roots();
	check_rmdir(dir);
	return check_done("test_descriptor");
}
