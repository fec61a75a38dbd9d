#!/bin/sh
# Event time at scale: the shipped user-behavior job
# (conf/examples/user-behavior.ini: key by user, through a repartition
# topic, into a 60 s event-time window counting page views, clicks and
# purchases) over N user events of
# 10,000 users on a 4-partition topic written by
# conf/examples/user-events.ini, bounded (stop = end), for each delivery
# mode; beside each, the same run with event-time alignment off
# (max.event.time.skew = 0), measured in the same run:
#
#   peak RSS; time to the first window read from its output
#   (read_committed), from the source's first assignment (records flow
#   from then on: the goal's "first record", measured no later than it)
#   and from the job's start (topics, transactions and the group join
#   before it); CPU per event; the ratios aligned / unaligned.
#   Then the same job over N dense events without keys (every partition
#   covers the whole time range): wall time against the job's own CPU
#   time, aligned and not.  Then at-least-once over 4N events: its peak
#   RSS beside N's.
#
# Goals: peak RSS <= 64 MB, flat from N to 4N; the first window within
# 1 s; CPU per event at most half of what it was before alignment
# (13.2 us exactly-once, 8.4 us none, measured on 1M events).
#
# Env: SLUICE, top_srcdir, top_builddir, RUNJOB (set by `make bench`),
# KAFKA_BARE, SLUICE_BENCH_EVENTS (1000000), SLUICE_BOOTSTRAP (a broker
# to use instead of a private one).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}" "${top_builddir:?}"
N=${SLUICE_BENCH_EVENTS:-1000000}
runjob=${RUNJOB:-$top_builddir/tests/bench/runjob}
bare=${KAFKA_BARE:-$top_builddir/plugins/kafka/bench/kafka-bare}
examples=$top_srcdir/conf/examples

SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
export SLUICE_KAFKA_HOME
. "$SLUICE_KAFKA_HOME/kafka-env.sh"
sl_bench_init event-time

# events TOPIC COUNT: generated user events, keyed by user
events() {
	sl_topic "$1" 4 retention.ms=-1
	BOOTSTRAP=$B OUT_TOPIC=$1 COUNT=$2 USERS=10000 \
		"$SLUICE" run "$examples/user-events.ini" 2>"$work/events.log" ||
		{ cat "$work/events.log" >&2; exit 1; }
}

# assigned_ms LOG: when the source `events` was first given partitions,
# from the JSON log line that says so
assigned_ms() {
	t=$(grep -m1 '"stage":"events","message":"assigned' "$1" |
		sed 's/^{"time":"\([^"]*\)".*/\1/')
	[ -n "$t" ] || { echo "no assignment logged in $1" >&2; exit 1; }
	date -d "$t" +%s%3N
}

# dense_events TOPIC COUNT: user events 30 ms apart in event time,
# written without keys, so every partition covers the whole time range
# in runs (librdkafka's partitioner for keyless records): the input on
# which alignment used to leave the engine idle
dense_events() {
	sl_topic "$1" 4 retention.ms=-1
	awk -v n="$2" -v users=10000 -v t0=1700000000000 'BEGIN {
		srand(7)
		split("page_view click purchase", kinds, " ")
		for (i = 0; i < n; i++)
			printf "{\"user_id\":%d,\"event_type\":\"%s\",\"ts\":%.0f}\n",
				1 + int(rand() * users), kinds[1 + int(rand() * 3)], t0 + i * 30
	}' >"$work/dense.json"
	kcat -P -X enable.idempotence=true -l -b "$B" -t "$1" "$work/dense.json" || { echo "producing $1 failed" >&2; exit 1; }
	rm -f "$work/dense.json"
}

# measure NAME DELIVERY TOPIC SKEW [EVENTS]
#   -> "RSS_MB FIRST_MS CPU_US_PER_EVENT FIRST_FROM_START_MS WALL_MS CPU_MS"
measure() {
	count=${5:-$N}
	out=bench-et-out-$1-$run
	sl_topic "$out" 4 retention.ms=-1
	"$bare" first "$B" "$out" 300 >"$work/$1.first" 2>/dev/null &
	reader=$!
	t0=$(sl_now_ms)
	r=$(BOOTSTRAP=$B IN_TOPIC=$3 OUT_TOPIC=$out RUNJOB_CPU=1 "$runjob" \
		"$SLUICE" run "$examples/user-behavior.ini" \
		--set job.name="bench-et-$1-$run" --set job.delivery="$2" \
		--set events.stop=end --set per_minute.max.event.time.skew="$4" \
		--set job.log.format=json 2>"$work/$1.log") || { cat "$work/$1.log" >&2; exit 1; }
	wait "$reader" || { echo "$1: no window came out" >&2; exit 1; }
	first=$(cat "$work/$1.first")
	t1=$(assigned_ms "$work/$1.log")
	set -- $r
	awk -v rss="$2" -v cpu="$3" -v first="$first" \
		-v t0="$t0" -v t1="$t1" -v n="$count" \
		-v wall="$1" \
		'BEGIN { printf "%.0f %d %.2f %d %.0f %.0f\n", rss / 1024, first - t1, cpu * 1000 / n, first - t0, wall, cpu }'
}

events "bench-et-in-$run" "$N"
echo "event time at scale: user-behavior.ini over $N events of 10000 users, 4 partitions, bounded"
echo "  delivery        peak RSS (aligned / off)   first window (aligned / off)   CPU per event (aligned / off)   first window from start (aligned / off)"
for d in at-least-once exactly-once none; do
	a=$(measure "$d" "$d" "bench-et-in-$run" 60s)
	o=$(measure "$d-off" "$d" "bench-et-in-$run" 0)
	echo "$d $a $o" | awk '{
		printf "  %-14s %5d MB / %5d MB (%.2f)   %6d ms / %6d ms        %5.2f us / %5.2f us (%.2f)     %6d ms / %6d ms\n",
			$1, $2, $8, $2 / $8, $3, $9, $4, $10, $4 / $10, $5, $11 }'
done
# Dense input: the engine must not idle.  Wall time against the job's own
# CPU time (goal: wall <= 1.25 x CPU), aligned (the default) and with
# alignment off, measured in the same run.
dense_events "bench-et-dense-$run" "$N"
echo "dense event time: user-behavior.ini over $N keyless events 30 ms apart, 4 partitions, bounded"
echo "  delivery        wall / CPU (aligned)       wall / CPU (off)           peak RSS (aligned / off)   first window (aligned / off)"
for d in at-least-once exactly-once none; do
	a=$(measure "$d-dense" "$d" "bench-et-dense-$run" 60s)
	o=$(measure "$d-dense-off" "$d" "bench-et-dense-$run" 0)
	echo "$d $a $o" | awk '{
		printf "  %-14s %5d / %5d ms (%.2f)   %5d / %5d ms (%.2f)   %5d MB / %5d MB        %6d ms / %6d ms\n",
			$1, $6, $7, $6 / $7, $12, $13, $12 / $13, $2, $8, $3, $9 }'
done
echo "  goals: wall <= 1.25 x the job's CPU time; peak RSS <= 64 MB; first window <= 1000 ms of the first record"
events "bench-et-in4-$run" $((N * 4))
a=$(measure at-least-once-4n at-least-once "bench-et-in4-$run" 60s $((N * 4)))
set -- $a
echo "  at-least-once over $((N * 4)) events: peak RSS $1 MB, first window $2 ms ($4 ms from start), $3 us per event"
echo "  goals: peak RSS <= 64 MB and flat from N to 4N; first window <= 1000 ms of the first record; CPU per event <= 6.6 us (exactly-once), 4.2 us (none)"
