#!/bin/sh
# The cost of scale-out, on the local broker (4 partitions):
#
#   repartition hop: the keyed window job (filter page views -> 60 s
#   window count per user -> kafka) over N user events of 10,000 users,
#   once on a topic keyed by user (grouped by the message key: no
#   repartition topic), once on the same events without keys (key_by
#   user_id: through JOB-per_minute-repartition);
#   instances: the unkeyed job run by one instance, and by two started
#   together (each stop = end: both exit once the group has read all).
#
# Sluice at its defaults (at-least-once, commit.interval.ms 100); each run
# timed from process start to exit (bounded), best and median of REPS, on
# a fresh consumer group each time; ratios against the keyed run (hop)
# and the one-instance run (instances).
#
# Env: SLUICE, top_srcdir, top_builddir (set by `make bench`),
# SLUICE_BENCH_SCALE_RECORDS (400000), SLUICE_BENCH_SCALE_REPS (3),
# SLUICE_BOOTSTRAP (a broker to use instead of a private one).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}" "${top_builddir:?}"
N=${SLUICE_BENCH_SCALE_RECORDS:-400000}
REPS=${SLUICE_BENCH_SCALE_REPS:-3}

SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
export SLUICE_KAFKA_HOME
. "$SLUICE_KAFKA_HOME/kafka-env.sh"
sl_bench_init scale

# job FILE NAME INPUT KEYED(0|1)
job() {
	cat >"$1" <<-EOF
	[job]
	name = $2

	[source events]
	plugin = kafka
	bootstrap.servers = $B
	topics = $3
	format = json
	stop = end

	[operator views]
	plugin = filter
	where = event_type == "page_view"
	EOF
	[ "$4" = 1 ] || cat >>"$1" <<-EOF

	[operator by_user]
	plugin = key_by
	field = user_id
	EOF
	cat >>"$1" <<-EOF

	[operator per_minute]
	plugin = window
	size = 60s
	time = event:ts
	function = count

	[sink stats]
	plugin = kafka
	bootstrap.servers = $B
	topic = scale-out-$run
	format = json
	EOF
}

echo "scale benchmark: $N events, 10000 users, 4 partitions; best and median of $REPS"
for t in keyed unkeyed; do sl_topic "scale-$t-$run" 4; done
sl_topic "scale-out-$run" 4 retention.ms=-1
awk -v n="$N" 'BEGIN {
	srand(1)
	split("page_view click purchase", kinds, " ")
	for (i = 0; i < n; i++) {
		u = 1 + int(rand() * 10000)
		printf "%d\t{\"user_id\":%d,\"event_type\":\"%s\",\"ts\":%.0f}\n",
			u, u, kinds[1 + int(rand() * 3)], 1700000000000 + i * 30
	}
}' >"$work/events"
kcat -P -X enable.idempotence=true -b "$B" -t "scale-keyed-$run" -K '\t' -X linger.ms=50 <"$work/events"
cut -f 2 "$work/events" | kcat -P -X enable.idempotence=true -b "$B" -t "scale-unkeyed-$run" -X linger.ms=50

# time_runs NAME INSTANCES INPUT KEYED: one line of ms per rep in NAME.ms
time_runs() {
	: >"$work/$1.ms"
	for r in $(seq 1 "$REPS"); do
		name=scale-$1-$r-$run
		job "$work/$name.ini" "$name" "$3" "$4"
		t0=$(sl_now_ms)
		pids=
		for i in $(seq 1 "$2"); do
			"$SLUICE" run "$work/$name.ini" 2>"$work/$name.$i.log" &
			pids="$pids $!"
		done
		for p in $pids; do
			wait "$p" || { tail -n 5 "$work/$name".*.log; echo "bench run failed"; exit 1; }
		done
		echo $(($(sl_now_ms) - t0)) >>"$work/$1.ms"
	done
	sort -n "$work/$1.ms" >"$work/$1.sorted"
	best=$(head -n 1 "$work/$1.sorted")
	median=$(sed -n "$(((REPS + 1) / 2))p" "$work/$1.sorted")
	eval "best_$1=$best median_$1=$median"
	printf '  %-28s best %6d ms  median %6d ms  (%d instance(s))\n' "$1" "$best" "$median" "$2"
}

time_runs keyed 1 "scale-keyed-$run" 1
time_runs hop 1 "scale-unkeyed-$run" 0
time_runs hop_2 2 "scale-unkeyed-$run" 0
# shellcheck disable=SC2154 # set by eval in time_runs
awk -v kb="$best_keyed" -v km="$median_keyed" -v hb="$best_hop" -v hm="$median_hop" \
	-v tb="$best_hop_2" -v tm="$median_hop_2" -v n="$N" 'BEGIN {
	printf "  repartition hop: %.2fx the time of the keyed input (median %.2fx); %.0f events/s through the hop\n", hb / kb, hm / km, n / (hb / 1000)
	printf "  two instances:   %.2fx the time of one (median %.2fx)\n", tb / hb, tm / hm
}'
