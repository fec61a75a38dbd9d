/*
 * http_limits.c - how many connections the endpoint takes, from the
 * descriptors the process may open.  The job's Kafka clients need most
 * of them (a socket per broker per client, and more while connecting):
 * the endpoint gets a quarter, of which a quarter is the waiting room
 * for clients whose request has not arrived yet.
 */
#include "config.h"

#include <sys/resource.h>

#include "ops/http_admit.h"

#define SHARE_MIN 6u     /* even under a tiny ulimit -n: 4 served, 2 waiting */
#define SHARE_MAX 1024u  /* no scraper needs more */
#define WAITING_MAX 256u

static unsigned clamp(uint64_t v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : (unsigned)v;
}

void sl_http_limits_derive(int64_t connections, int64_t per_ip,
			   sl_http_limits *out)
{
	struct rlimit rl;
	uint64_t share;

	out->nofile = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		out->nofile = (uint64_t)rl.rlim_cur;
	share = clamp(out->nofile ? out->nofile / 4 : SHARE_MAX, SHARE_MIN,
		      SHARE_MAX);
	if (connections > 0) {
		out->connections = clamp((uint64_t)connections, 1, 65536);
		out->waiting = clamp(out->connections / 2, 2, WAITING_MAX);
	} else {
		out->waiting = clamp(share / 4, 2, WAITING_MAX);
		out->connections = (unsigned)share - out->waiting;
	}
	if (per_ip > 0)
		out->per_ip = clamp((uint64_t)per_ip, 1, out->connections);
	else /* one address may take half: a scraper and a prober share a host */
		out->per_ip = clamp(out->connections / 2, 1, out->connections);
	out->over_budget = out->nofile != 0 &&
		(uint64_t)out->connections + out->waiting > out->nofile / 4;
}
