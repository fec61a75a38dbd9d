/* The planner adds a repartition hop in the engine's own formats: with no
 * json or string format plugin installed, the hop's stages get the
 * built-in record codec and key text, and the plan names the codec. */
#include "config.h"

#include <sys/stat.h>

#include "check.h"
#include "job/job.h"
#include "job/plan.h"
#include "plugin/hop_formats.h"

static char *dir;
static sl_registry reg;

/* A partitioned bus that can carry a hop, a stage that sets the key, a
 * keyed one, and a format of no special name: no json, no string. */
static void setup_plugins(void)
{
	char root[4200];
	char *roots[1];
	sl_diag diag = { 0 };

	snprintf(root, sizeof root, "%s/plugins", dir);
	if (mkdir(root, 0755) != 0)
		exit(99);
	check_write(dir, "plugins/bus.plugin",
		    "[plugin]\nname = bus\nkinds = source, sink\nlibrary = bus\n"
		    "abi = 1\ncapabilities = partitioned, repartition\n");
	check_write(dir, "plugins/rekey.plugin",
		    "[plugin]\nname = rekey\nkinds = operator\nlibrary = rekey\n"
		    "abi = 1\ncapabilities = sets-key\n");
	check_write(dir, "plugins/count.plugin",
		    "[plugin]\nname = count\nkinds = operator\nlibrary = count\n"
		    "abi = 1\ncapabilities = keyed\n");
	check_write(dir, "plugins/raw.plugin",
		    "[plugin]\nname = raw\nkinds = format\nlibrary = raw\nabi = 1\n");
	/* validation looks for the libraries, it does not load them */
	check_write(dir, "plugins/bus.so", "");
	check_write(dir, "plugins/rekey.so", "");
	check_write(dir, "plugins/count.so", "");
	check_write(dir, "plugins/raw.so", "");
	roots[0] = root;
	if (sl_registry_load(&reg, roots, 1, &diag) != 0 || diag.count != 0 ||
	    reg.plugin_count != 4) {
		sl_diag_print(&diag);
		exit(99);
	}
	sl_diag_free(&diag);
}

static const sl_job_stage *stage(const sl_job *job, const char *name)
{
	size_t i;

	for (i = 0; i < job->order_count; i++)
		if (strcmp(job->order[i]->name, name) == 0)
			return job->order[i];
	return NULL;
}

static void test_hop_formats(void)
{
	const char *path = check_write(dir, "job.ini",
		"[job]\nname = hops\n"
		"[source in]\nplugin = bus\nformat = raw\nkey.format = raw\n"
		"[operator by]\nplugin = rekey\n"
		"[operator per]\nplugin = count\n"
		"[sink out]\nplugin = bus\nformat = raw\nkey.format = raw\n");
	const sl_job_stage *out, *in, *per;
	sl_diag diag = { 0 };
	char printed[4096];
	sl_job *job;
	FILE *f;
	size_t n;

	CHECK(sl_registry_find(&reg, "json") == NULL);
	CHECK(sl_registry_find(&reg, "string") == NULL);
	job = sl_job_load(path, NULL, 0, &diag);
	CHECK(job != NULL);
	if (job == NULL)
		return;
	CHECK(sl_job_validate(job, &reg, &diag) == 0);
	CHECK(sl_plan_job(job, NULL) == 0);
	CHECK(sl_diag_total(&diag) == 0);
	sl_diag_print(&diag);
	out = stage(job, "per.repartition-out");
	in = stage(job, "per.repartition-in");
	per = stage(job, "per");
	CHECK(out != NULL && in != NULL && per != NULL);
	if (out == NULL || in == NULL || per == NULL)
		goto done;
	CHECK(out->role == SL_ROLE_REPARTITION_SINK &&
	      in->role == SL_ROLE_REPARTITION_SOURCE);
	CHECK(out->format == &sl_hop_value_format &&
	      in->format == &sl_hop_value_format);
	CHECK(out->key_format == &sl_hop_key_format &&
	      in->key_format == &sl_hop_key_format);
	CHECK(per->input_count == 1 && per->inputs[0] == in);
	/* the job's own stages keep the formats they name */
	CHECK_STR(stage(job, "in")->format->name, "raw");
	f = tmpfile();
	CHECK(f != NULL);
	if (f == NULL)
		goto done;
	sl_plan_print(job, f);
	rewind(f);
	n = fread(printed, 1, sizeof printed - 1, f);
	printed[n] = '\0';
	fclose(f);
	CHECK_HAS(printed, "hops-per-repartition: repartition of stage 'per' by its key");
	CHECK_HAS(printed, "every repartition topic: keys as text, values in "
		  "sluice's binary record codec v1\n");
done:
	sl_job_free(job);
	sl_diag_free(&diag);
}

int main(void)
{
	dir = check_tmpdir();
	setup_plugins();
	test_hop_formats();
	sl_registry_free(&reg);
	check_rmdir(dir);
	return check_done("test_plan");
}
