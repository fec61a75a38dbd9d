#!/bin/sh
# Operator benchmark: the page-view job (seed 3: datagen -> filter page
# views -> key_by user -> 60 s event-time window count -> json -> null)
# beside a bare C loop that parses and re-serializes the same JSON events
# with jansson, measured in the same run on one core.  The job is timed
# whole (start-up, generating the events, every stage); the loop only
# while it loops.  Then where the job's time goes, one stage added at a
# time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${SLUICE:?}" "${RUNJOB:?}" "${top_builddir:?}"
jsonloop=$top_builddir/tests/seeds/jsonloop
n=${BENCH_COUNT:-2000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

# best COMMAND...: the smallest of 3 runs of COMMAND, which prints ms
best() {
	b=
	for _ in 1 2 3; do
		ms=$("$@") || return 1
		if [ -z "$b" ] || awk -v a="$ms" -v b="$b" 'BEGIN { exit !(a < b) }'; then
			b=$ms
		fi
	done
	echo "$b"
}

loop() { # ms of the baseline's loop
	$pin "$jsonloop" "$tmp/events.jsonl" 2>/dev/null | awk '{ print $2 }'
}

job() { # JOB.ini [--set ...]: wall ms of one run of the job
	f=$1
	shift
	COUNT=$n $pin "$RUNJOB" "$SLUICE" run "$f" "$@" | awk '{ print $1 }'
}

COUNT=$n EVENTS=$tmp/events.jsonl "$SLUICE" run "$here/bench-events.ini"
base=$(best loop)
full=$(best job "$here/bench-pageviews.ini")

# the same job cut short: decoding only, then with filter and key_by
decode=$(best job "$here/bench-stages.ini")
keyed=$(best job "$here/bench-keyed.ini")
for v in "$base" "$full" "$decode" "$keyed"; do
	[ -n "$v" ] || { echo "bench.sh: a run failed" >&2; exit 1; }
done

echo "operator benchmark: $n user_events records, best of 3, one core"
awk -v n="$n" -v b="$base" -v f="$full" -v d="$decode" -v k="$keyed" 'BEGIN {
	printf "  baseline: jansson parse + serialize loop  %6.3f M rec/s  %6.0f ns/rec\n", n / b / 1e3, b * 1e6 / n
	printf "  page-view job (whole process)            %6.3f M rec/s  %6.0f ns/rec\n", n / f / 1e3, f * 1e6 / n
	printf "  ratio job/baseline throughput: %.2f (target >= 1)\n", b / f
	printf "  where the job time goes (ns/rec): decode JSON + engine %.0f, filter + key_by %.0f, window + output %.0f\n",
		d * 1e6 / n, (k - d) * 1e6 / n, (f - k) * 1e6 / n
}'
