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

#include "base/convert.h"
#include "job/job.h"

static char *delivery_values[] = { "none", "at-least-once", "exactly-once" };
static char *level_values[] = { "error", "warn", "info", "debug" };
static char *format_values[] = { "text", "json" };

#define FIELD(member) SL_OPT_FIELD(sl_job, member)

enum { J_NAME, J_DELIVERY, J_COMMIT, J_PLUGIN_PATH, J_LOG_LEVEL, J_LOG_FORMAT,
       J_HTTP_LISTEN, J_HEALTH_TIMEOUT, J_MEMORY, J_HTTP_CONNECTIONS,
       J_HTTP_PER_IP, J_COUNT };
/* Each key lands parsed in its field of sl_job; def_value is the parsed
 * def (test_validate checks the two agree). */
static const sl_opt_desc job_keys[J_COUNT] = {
	{ .name = "name", .type = SL_OPT_STRING, .required = 1,
	  .field = FIELD(name) },
	{ .name = "delivery", .type = SL_OPT_ENUM, .def = "at-least-once",
	  .def_value = { .i = SL_DELIVERY_AT_LEAST_ONCE },
	  .values = delivery_values, .value_count = 3, .field = FIELD(delivery) },
	{ .name = "commit.interval.ms", .type = SL_OPT_INT, .def = "100",
	  .def_value = { .i = 100 }, .has_min = 1, .min = 1,
	  .field = FIELD(commit_interval_ms) },
	{ .name = "plugin.path", .type = SL_OPT_STRING,
	  .field = FIELD(plugin_path) },
	{ .name = "log.level", .type = SL_OPT_ENUM, .def = "info",
	  .def_value = { .i = SL_LOG_INFO }, .values = level_values,
	  .value_count = 4, .field = FIELD(log_level) },
	{ .name = "log.format", .type = SL_OPT_ENUM, .def = "text",
	  .values = format_values, .value_count = 2, .field = FIELD(log_json) },
	{ .name = "http.listen", .type = SL_OPT_STRING,
	  .field = FIELD(http_listen) },
	{ .name = "http.health.timeout", .type = SL_OPT_DURATION, .def = "60s",
	  .def_value = { .i = 60000 }, .has_min = 1, .min = 100,
	  .field = FIELD(health_timeout_ms) },
	{ .name = "memory.limit", .type = SL_OPT_SIZE, .def = "128MB",
	  .def_value = { .i = 128 << 20 }, .has_min = 1, .min = 1 << 20,
	  .field = FIELD(memory_limit) },
	{ .name = "http.connections", .type = SL_OPT_INT, .def = "0",
	  .def_value = { .i = 0 }, .has_min = 1, .min = 0, .has_max = 1,
	  .max = 65536, .field = FIELD(http_connections) },
	{ .name = "http.connections.per-ip", .type = SL_OPT_INT, .def = "0",
	  .def_value = { .i = 0 }, .has_min = 1, .min = 0, .has_max = 1,
	  .max = 65536, .field = FIELD(http_connections_per_ip) },
};

const sl_opt_desc *sl_job_keys(size_t *count)
{
	*count = J_COUNT;
	return job_keys;
}

/*
 * HOST:PORT, [IPV6]:PORT: checked here so that `validate` refuses a
 * typo; the host is resolved when the job starts.
 */
static int check_listen(const char *value, char *why, size_t why_size)
{
	const char *colon = strrchr(value, ':');
	char *end;
	long port;

#ifndef HAVE_MICROHTTPD
	snprintf(why, why_size, "http.listen: this sluice was built without "
		 "the HTTP endpoint (libmicrohttpd-dev was missing when it was "
		 "configured): install it and rebuild, or remove http.listen");
	return -1;
#endif
	if (colon == NULL || colon == value) {
		snprintf(why, why_size, "http.listen: '%s' is not HOST:PORT "
			 "(127.0.0.1:9464, [::1]:9464, localhost:9464)", value);
		return -1;
	}
	if (value[0] == '[' && colon[-1] != ']') {
		snprintf(why, why_size, "http.listen: '%s': an IPv6 address is "
			 "written in brackets, [::1]:9464", value);
		return -1;
	}
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || port < 0 || port > 65535) {
		snprintf(why, why_size, "http.listen: bad port '%s' in '%s': "
			 "a number from 1 to 65535 (0: any free port, logged)",
			 colon + 1, value);
		return -1;
	}
	return 0;
}

static int valid_job_name(const char *name)
{
	if (*name == '\0')
		return 0;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && strchr("._-", *name) == NULL)
			return 0;
	return 1;
}

int sl_job_key_set(sl_job *job, const char *key, const char *value,
		   char *why, size_t why_size)
{
	sl_opt_value parsed;
	char reason[1024];
	size_t k;

	for (k = 0; k < J_COUNT; k++)
		if (strcmp(job_keys[k].name, key) == 0)
			break;
	if (k == J_COUNT) {
		size_t len = (size_t)snprintf(why, why_size, "unknown key '%s' in "
					      "[job] (expected:", key);

		for (k = 0; k < J_COUNT && len < why_size; k++)
			len += (size_t)snprintf(why + len, why_size - len, "%s %s",
						k ? "," : "", job_keys[k].name);
		if (len < why_size)
			snprintf(why + len, why_size - len, ")");
		return -1;
	}
	if (sl_opt_parse(&job_keys[k], value, &parsed, reason,
			 sizeof reason) != 0) {
		snprintf(why, why_size, "%s: %s", key, reason);
		return -1;
	}
	if (k == J_HTTP_LISTEN && check_listen(value, why, why_size) != 0)
		return -1;
	if (k == J_NAME && !valid_job_name(value)) {
		snprintf(why, why_size, "name: bad job name '%s': use letters, "
			 "digits, '.', '_' and '-'", value);
		return -1;
	}
	sl_opt_store(&job_keys[k], &parsed, value, job);
	return 0;
}

void sl_job_set_defaults(sl_job *job)
{
	size_t k;

	job->name = NULL;
	job->plugin_path = NULL;
	job->http_listen = NULL;
	for (k = 0; k < J_COUNT; k++)
		if (job_keys[k].def != NULL)
			sl_opt_store(&job_keys[k], &job_keys[k].def_value,
				     job_keys[k].def, job);
}

const char *sl_job_delivery_name(int delivery)
{
	return delivery >= 0 && delivery < 3 ? delivery_values[delivery] : "?";
}
