/*
 * job_keys.c - the keys of the [job] section: their table (types,
 * defaults, what `sluice-job(5)` documents; doc/man.test reads it) and
 * how a checked value lands in the job.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/job.h"

static char *delivery_values[] = { "none", "at-least-once", "exactly-once" };
static char *level_values[] = { "error", "warn", "info", "debug" };

enum { J_NAME, J_DELIVERY, J_COMMIT, J_PLUGIN_PATH, J_LOG_LEVEL, J_COUNT };
static sl_opt_desc job_keys[J_COUNT] = {
	{ .name = "name", .type = SL_OPT_STRING, .required = 1 },
	{ .name = "delivery", .type = SL_OPT_ENUM, .def = "at-least-once",
	  .values = delivery_values, .value_count = 3 },
	{ .name = "commit.interval.ms", .type = SL_OPT_INT, .def = "100",
	  .has_min = 1, .min = 1 },
	{ .name = "plugin.path", .type = SL_OPT_STRING },
	{ .name = "log.level", .type = SL_OPT_ENUM, .def = "info",
	  .values = level_values, .value_count = 4 },
};

static int valid_job_name(const char *name)
{
	if (*name == '\0')
		return 0;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && strchr("._-", *name) == NULL)
			return 0;
	return 1;
}

/* A checked value of [job] key @p k (or its default) into @p job. */
static void set_key(sl_job *job, size_t k, const char *value)
{
	switch (k) {
	case J_NAME:
		job->name = value;
		break;
	case J_DELIVERY:
		job->delivery = sl_opt_enum_index(&job_keys[k], value);
		break;
	case J_COMMIT:
		job->commit_interval_ms = strtoll(value, NULL, 10);
		break;
	case J_PLUGIN_PATH:
		job->plugin_path = value;
		break;
	case J_LOG_LEVEL:
		job->log_level = sl_opt_enum_index(&job_keys[k], value);
		break;
	}
}

int sl_job_key_set(sl_job *job, const char *key, const char *value,
		   char *why, size_t why_size)
{
	char reason[1024];
	size_t k;

	for (k = 0; k < J_COUNT; k++)
		if (strcmp(job_keys[k].name, key) == 0)
			break;
	if (k == J_COUNT) {
		snprintf(why, why_size, "unknown key '%s' in [job] (expected: "
			 "name, delivery, commit.interval.ms, plugin.path, "
			 "log.level)", key);
		return -1;
	}
	if (sl_opt_check(&job_keys[k], value, reason, sizeof reason) != 0) {
		snprintf(why, why_size, "%s: %s", key, reason);
		return -1;
	}
	if (k == J_NAME && !valid_job_name(value)) {
		snprintf(why, why_size, "name: bad job name '%s': use letters, "
			 "digits, '.', '_' and '-'", value);
		return -1;
	}
	set_key(job, k, value);
	return 0;
}

void sl_job_set_defaults(sl_job *job)
{
	size_t k;

	job->name = NULL;
	job->plugin_path = NULL;
	for (k = 0; k < J_COUNT; k++)
		if (job_keys[k].def != NULL)
			set_key(job, k, job_keys[k].def);
}

const char *sl_job_delivery_name(int delivery)
{
	return delivery >= 0 && delivery < 3 ? delivery_values[delivery] : "?";
}
