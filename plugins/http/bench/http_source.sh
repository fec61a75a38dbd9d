#!/bin/sh
# The http source into Kafka under at-least-once, against a bare
# libmicrohttpd server that answers 200 as soon as it has read a request
# (http-bench serve), both under the same load: 8 clients, each on one
# keep-alive connection, posting one small JSON record per request, one
# request after the other (http-bench load).  Prints requests/s, p50 and
# p99 latency of each, and the ratios.  The job answers a request only
# once its record is acknowledged by Kafka and committed, so its latency
# is bounded below by the commit cycle: measured with commit.interval.ms
# (printed), then with commit.eager = true (a commit as soon as answered
# requests wait for it, the default).  The bare server does not wait for
# Kafka at all, so the same load also runs against the plain baseline
# for "answer once the record is safe in Kafka" (http-bench serve-kafka:
# an idempotent librdkafka producer, acks=all, each answer sent from its
# record's delivery report), in its two ways: a group commit (the
# requests read together produced together and flushed, the default)
# and each record sent as soon as it is read (linger.ms=0); and against
# the job with the sink's kafka.linger.ms=0 and
# kafka.socket.nagle.disable=true.
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
base_topic=bench-http-base-$run
sl_topic "$base_topic" 4 >/dev/null
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

# The baseline that waits for Kafka: each request's record produced and
# acknowledged before the answer, with nothing else in between.
# serve_kafka MODE: served_kafka="req/s p50 p99" of http-bench
# serve-kafka MODE (in this shell, so that a failure stops the server)
serve_kafka() {
	_mode=$1
	"$bench" serve-kafka "$port" "$B" "$base_topic" "$_mode" 2>"$work/serve-kafka.log" &
	serverpid=$!
	wait_port
	"$bench" load "$port" $CLIENTS 2 >/dev/null
	"$bench" load "$port" $CLIENTS "$SECONDS_EACH" >"$work/serve-kafka.out"
	set -- $(cat "$work/serve-kafka.out")
	[ "${4:-}" = 0 ] || die "serve-kafka $_mode: ${4:-?} requests not answered 200"
	kill "$serverpid"
	wait "$serverpid" || die "serve-kafka failed: $(tail -n 5 "$work/serve-kafka.log")"
	serverpid=
	served_kafka="$1 $2 $3"
}
serve_kafka rounds
set -- $served_kafka
kbase_rps=$1 kbase_p50=$2 kbase_p99=$3
serve_kafka each
set -- $served_kafka
keach_rps=$1 keach_p50=$2 keach_p99=$3

cat >"$work/job.ini" <<EOF
[job]
name = bench-http-$run
delivery = at-least-once

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
# measure NAME [ARGS]: the job under the load: "req/s p50 p99"
measure() {
	_name=$1
	shift
	"$SLUICE" run "$work/job.ini" "$@" 2>"$work/$_name.log" &
	jobpid=$!
	wait_port
	"$bench" load "$port" $CLIENTS 2 >/dev/null
	set -- $("$bench" load "$port" $CLIENTS "$SECONDS_EACH")
	kill -TERM "$jobpid"
	wait "$jobpid" || die "the job failed: $(tail -n 5 "$work/$_name.log")"
	jobpid=
	[ "$4" = 0 ] || echo "  ($_name: $4 requests not answered 200)" >&2
	echo "$1 $2 $3"
}
set -- $(measure interval --set in.commit.eager=false \
	--set job.commit.interval.ms="$COMMIT_MS")
job_rps=$1 job_p50=$2 job_p99=$3
set -- $(measure eager)
eager_rps=$1 eager_p50=$2 eager_p99=$3
set -- $(measure linger0 --set out.kafka.linger.ms=0 \
	--set out.kafka.socket.nagle.disable=true)
linger_rps=$1 linger_p50=$2 linger_p99=$3

echo "http source -> Kafka at-least-once, $CLIENTS clients, ${SECONDS_EACH} s each:"
printf '  %-44s %8s req/s  p50 %7s ms  p99 %7s ms\n' \
	"bare libmicrohttpd (answers at once)" "$bare_rps" "$bare_p50" "$bare_p99" \
	"sluice, defaults (commit.eager = true)" "$eager_rps" "$eager_p50" "$eager_p99" \
	"sluice, commit.eager = false, every $COMMIT_MS ms" "$job_rps" "$job_p50" "$job_p99" \
	"librdkafka baseline, group commit" "$kbase_rps" "$kbase_p50" "$kbase_p99" \
	"librdkafka baseline, each record, linger 0" "$keach_rps" "$keach_p50" "$keach_p99" \
	"sluice, kafka.linger.ms=0, nagle off" "$linger_rps" "$linger_p50" "$linger_p99"
awk -v a="$bare_rps" -v b="$job_rps" -v c="$eager_rps" \
	-v pa="$bare_p50" -v pb="$job_p50" -v pc="$eager_p50" \
	'BEGIN { printf "  throughput bare / sluice: %.1fx (interval), %.1fx (eager); p50 sluice / bare: %.0fx, %.0fx\n", a / b, a / c, pb / pa, pc / pa }'
awk -v k="$kbase_rps" -v c="$eager_rps" -v l="$linger_rps" \
	-v pk="$kbase_p50" -v pc="$eager_p50" -v pl="$linger_p50" \
	'BEGIN { printf "  throughput sluice / librdkafka baseline (group commit): %.2fx (defaults), %.2fx (linger 0); p50 sluice / baseline: %.2fx, %.2fx\n", c / k, l / k, pc / pk, pl / pk }'
