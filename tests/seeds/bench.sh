#!/bin/sh
# JSON benchmark: the page-view job (seed 3: datagen -> filter page views
# -> key_by user -> 60 s event-time window count -> json -> null) beside
# its baselines, measured in the same run on one core.  A baseline is a
# bare loop (jsonloop.c) that parses each event with one JSON parser and
# reads the fields the job reads (event_type, user_id, ts), nothing more:
# one per parser built in (jansson, yajl, simdjson).  The job is timed
# whole (start-up, generating the events, every stage); a loop only while
# it loops, over events already in memory.  Then where the job's time
# goes, one stage added at a time (bench-raw, -stages, -keyed).  Runs are interleaved, and the best of
# 3 of each is kept: on a noisy machine quote the ratios.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${SLUICE:?}" "${RUNJOB:?}" "${top_builddir:?}"
jsonloop=$top_builddir/tests/seeds/jsonloop
n=${BENCH_COUNT:-2000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

# keep_best FILE MS: FILE holds the smallest MS so far
keep_best() {
	if [ ! -s "$1" ] || awk -v a="$2" -v b="$(cat "$1")" 'BEGIN { exit !(a < b) }'; then
		echo "$2" >"$1"
	fi
}

loop() { # PARSER: ms of its loop; what it read goes to $tmp/PARSER.read
	r=$($pin "$jsonloop" "$1" "$tmp/events.jsonl" 2>"$tmp/$1.read") || {
		cat "$tmp/$1.read" >&2
		return 1
	}
	echo "${r#* }"
}

job() { # JOB.ini: wall ms of one run of the job
	r=$(COUNT=$n $pin "$RUNJOB" "$SLUICE" run "$1") || return 1
	echo "${r% *}"
}

COUNT=$n EVENTS=$tmp/events.jsonl "$SLUICE" run "$here/bench-events.ini"
parsers=$("$jsonloop" --parsers)
for _ in 1 2 3; do
	for p in $parsers; do
		ms=$(loop "$p")
		keep_best "$tmp/$p.ms" "$ms"
	done
	for j in pageviews raw stages keyed; do
		ms=$(job "$here/bench-$j.ini")
		keep_best "$tmp/$j.ms" "$ms"
	done
done

# Every baseline must have read the same thing, or it skipped work.
first=
for p in $parsers; do
	if [ -z "$first" ]; then
		first=$p
	elif ! cmp -s "$tmp/$first.read" "$tmp/$p.read"; then
		echo "bench.sh: $first and $p read different events:" >&2
		cat "$tmp/$first.read" "$tmp/$p.read" >&2
		exit 1
	fi
done

full=$(cat "$tmp/pageviews.ms")
echo "JSON benchmark: $n user events, best of 3, one core"
echo "  baselines: parse each event, read event_type, user_id and ts"
for p in $parsers; do
	awk -v p="$p" -v n="$n" -v b="$(cat "$tmp/$p.ms")" -v f="$full" 'BEGIN {
		printf "    %-9s %7.3f M ev/s %6.0f ns/ev   job/baseline throughput %.2f\n",
			p, n / b / 1e3, b * 1e6 / n, b / f
	}'
done
# The job's JSON decode (the decode-only job less the same job reading
# strings) beside the fastest baseline, both per event, same run.
best=
for p in $parsers; do
	if [ -z "$best" ] || awk -v a="$(cat "$tmp/$p.ms")" -v b="$(cat "$tmp/$best.ms")" \
		'BEGIN { exit !(a < b) }'; then
		best=$p
	fi
done
awk -v n="$n" -v p="$best" -v b="$(cat "$tmp/$best.ms")" -v r="$(cat "$tmp/raw.ms")" \
    -v d="$(cat "$tmp/stages.ms")" 'BEGIN {
	printf "  JSON decode in the job %.0f ns/ev; best baseline (%s) %.0f ns/ev;", (d - r) * 1e6 / n, p, b * 1e6 / n
	printf " decode/baseline throughput %.2f\n", (d > r) ? b / (d - r) : 0
}'
awk -v n="$n" -v f="$full" -v r="$(cat "$tmp/raw.ms")" -v d="$(cat "$tmp/stages.ms")" \
    -v k="$(cat "$tmp/keyed.ms")" 'BEGIN {
	printf "  page-view job (whole process) %7.3f M ev/s %6.0f ns/ev   (goal: 2 M ev/s per core)\n", n / f / 1e3, f * 1e6 / n
	printf "  where the job time goes (ns/ev): start, generate, engine (string format) %.0f;\n", r * 1e6 / n
	printf "    JSON decode beyond the string format %.0f; filter + key_by %.0f; window + output %.0f\n",
		(d - r) * 1e6 / n, (k - d) * 1e6 / n, (f - k) * 1e6 / n
}'
