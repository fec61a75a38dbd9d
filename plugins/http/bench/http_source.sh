#!/bin/sh
# The http source into Kafka under at-least-once, against a bare
# libmicrohttpd server that answers 200 as soon as it has read a request
# (http-bench serve), both under the same load: 8 clients, each on one
# keep-alive connection, posting one small JSON record per request, one
# request after the other (http-bench load).  Prints requests/s, p50 and
# p99 latency of each, and the ratios.  The job answers a request only
# once its record is acknowledged by Kafka and committed, so its latency
# is bounded below by the commit cycle (commit.interval.ms, printed).
#
# Env: SLUICE, top_srcdir, top_builddir (set by `make bench`),
# HTTP_BENCH (the program), SLUICE_BENCH_HTTP_SECONDS (10 per
# measurement), SLUICE_BENCH_HTTP_COMMIT_MS (100), SLUICE_BOOTSTRAP (a
# broker to use instead of a private one).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}" "${top_builddir:?}"
bench=${HTTP_BENCH:-$top_builddir/plugins/http/bench/http-bench}
SECONDS_EACH=${SLUICE_BENCH_HTTP_SECONDS:-10}
COMMIT_MS=${SLUICE_BENCH_HTTP_COMMIT_MS:-100}
CLIENTS=8
if ! "$SLUICE" plugins http >/dev/null 2>&1; then
	echo "http source benchmark skipped: no http plugin (built without libmicrohttpd)"
	exit 0
fi

SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
export SLUICE_KAFKA_HOME
. "$SLUICE_KAFKA_HOME/kafka-env.sh"
. "$top_srcdir/tests/lib/ports.sh"
die() { echo "http source benchmark: $*" >&2; exit 1; }
sl_bench_init http
jobpid=
serverpid=
trap '[ -z "$jobpid" ] || kill "$jobpid" 2>/dev/null; [ -z "$serverpid" ] || kill "$serverpid" 2>/dev/null; rm -rf "$work"' EXIT
topic=bench-http-$run
sl_topic "$topic" 4 >/dev/null
port=$(pick_port 21000 8000)

# wait_port: until something answers on $port
wait_port() {
	_i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 200 ] || die "nothing listens on $port"
		sleep 0.1
	done
}

# The baseline: the same load against a server that answers at once.
"$bench" serve "$port" &
serverpid=$!
wait_port
"$bench" load "$port" $CLIENTS 2 >/dev/null
set -- $("$bench" load "$port" $CLIENTS "$SECONDS_EACH")
bare_rps=$1 bare_p50=$2 bare_p99=$3
kill "$serverpid"
wait "$serverpid" || true
serverpid=

cat >"$work/job.ini" <<EOF
[job]
name = bench-http-$run
delivery = at-least-once
commit.interval.ms = $COMMIT_MS

[source in]
plugin = http
listen = 127.0.0.1:$port
format = json

[sink out]
plugin = kafka
bootstrap.servers = $B
topic = $topic
format = json
EOF
"$SLUICE" run "$work/job.ini" 2>"$work/job.log" &
jobpid=$!
wait_port
"$bench" load "$port" $CLIENTS 2 >/dev/null
set -- $("$bench" load "$port" $CLIENTS "$SECONDS_EACH")
job_rps=$1 job_p50=$2 job_p99=$3 job_non200=$4
kill -TERM "$jobpid"
wait "$jobpid" || die "the job failed: $(tail -n 5 "$work/job.log")"
jobpid=
[ "$job_non200" = 0 ] || echo "  ($job_non200 requests not answered 200)"

echo "http source -> Kafka at-least-once (commit.interval.ms = $COMMIT_MS), $CLIENTS clients, ${SECONDS_EACH} s each:"
printf '  %-34s %8s req/s  p50 %7s ms  p99 %7s ms\n' \
	"bare libmicrohttpd (answers at once)" "$bare_rps" "$bare_p50" "$bare_p99" \
	"sluice http -> kafka" "$job_rps" "$job_p50" "$job_p99"
awk -v a="$bare_rps" -v b="$job_rps" -v c="$job_p50" -v d="$bare_p50" \
	'BEGIN { printf "  throughput bare / sluice: %.1fx; p50 sluice / bare: %.0fx\n", a / b, c / d }'
