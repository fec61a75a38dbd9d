#!/bin/sh
# The cost of the repartition hop in the user-behaviour job: CPU per
# event of conf/examples/user-behavior.ini (key_by user, through the
# topic JOB-per_minute-repartition, into a 60 s event-time window that
# counts page views, clicks and purchases) against the same window over
# the same topic, which is keyed by user already, grouped by its message
# key (no key_by: no hop).  Both over N
# user events of 10,000 users on 4 partitions, bounded (stop = end), at
# exactly-once (the example's delivery) and at-least-once; median of REPS
# runs, each on a fresh consumer group, the builds' runs interleaved.
#
# With SLUICE_BASE_BUILD set to another build tree (main's, say), the same
# runs are made with its sluice and plugins in turn, for a before/after
# on the same broker.
#
# Goal (issue 25): the hop costs at most 1.3x the keyed run.
#
# Env: SLUICE, top_srcdir, top_builddir, RUNJOB (set by `make bench`),
# SLUICE_BENCH_EVENTS (200000), SLUICE_BENCH_HOP_REPS (3),
# SLUICE_BASE_BUILD, SLUICE_BOOTSTRAP (a broker to use instead of a
# private one).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}" "${top_builddir:?}"
N=${SLUICE_BENCH_EVENTS:-200000}
REPS=${SLUICE_BENCH_HOP_REPS:-3}
runjob=${RUNJOB:-$top_builddir/tests/bench/runjob}
examples=$top_srcdir/conf/examples
plugins=$top_builddir/plugins:$top_srcdir/plugins
SLUICE_PLUGIN_PATH=${SLUICE_PLUGIN_PATH:-$plugins}
export SLUICE_PLUGIN_PATH

SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
export SLUICE_KAFKA_HOME
. "$SLUICE_KAFKA_HOME/kafka-env.sh"
sl_bench_init hop

# The builds: NAME SLUICE PLUGIN_PATH, one per line.
builds="this $SLUICE $SLUICE_PLUGIN_PATH"
if [ -n "${SLUICE_BASE_BUILD:-}" ]; then
	builds="$(basename "$SLUICE_BASE_BUILD") $SLUICE_BASE_BUILD/core/sluice $SLUICE_BASE_BUILD/plugins
$builds"
fi

# The keyed job: user-behavior.ini without its key_by stage, grouping
# by the message key, the user, as user-events.ini writes it.
awk '/^\[operator by_user\]/ { skip = 1; next }
	/^\[/ { skip = 0 } !skip' "$examples/user-behavior.ini" >"$work/keyed.ini"

sl_topic "bench-hop-in-$run" 4 retention.ms=-1
BOOTSTRAP=$B OUT_TOPIC=bench-hop-in-$run COUNT=$N USERS=10000 SEED=1 \
	"$SLUICE" run "$examples/user-events.ini" 2>"$work/events.log" ||
	{ cat "$work/events.log" >&2; exit 1; }

# cpu BUILD_SLUICE BUILD_PLUGINS JOB_FILE INPUT DELIVERY NAME -> CPU us per event
cpu() {
	sl_topic "bench-hop-out-$6" 4 retention.ms=-1
	r=$(BOOTSTRAP=$B IN_TOPIC=$4 OUT_TOPIC=bench-hop-out-$6 RUNJOB_CPU=1 \
		SLUICE_PLUGIN_PATH=$2 "$runjob" "$1" run "$3" \
		--set job.name="bench-hop-$6" --set job.delivery="$5" \
		--set events.stop=end 2>"$work/$6.log") ||
		{ cat "$work/$6.log" >&2; exit 1; }
	# both jobs must count every event: a late one skipped is work not done
	grep -q "per_minute: records in $N, .* skipped 0" "$work/$6.log" ||
		{ grep "per_minute: records" "$work/$6.log" >&2
		  echo "$6: the window did not count every event" >&2; exit 1; }
	echo "$r" | awk -v n="$N" '{ printf "%.2f\n", $3 * 1000 / n }'
}

echo "repartition hop: user-behavior.ini over $N events of 10000 users, 4 partitions, bounded; CPU per event, median of $REPS"
for d in exactly-once at-least-once; do
	for rep in $(seq 1 "$REPS"); do
		echo "$builds" | while read -r name bin path; do
			h=$(cpu "$bin" "$path" "$examples/user-behavior.ini" \
				"bench-hop-in-$run" "$d" "$name-hop-$d-$rep-$run")
			k=$(cpu "$bin" "$path" "$work/keyed.ini" \
				"bench-hop-in-$run" "$d" "$name-keyed-$d-$rep-$run")
			echo "$h $k" >>"$work/$d.$name"
		done
	done
	echo "$builds" | while read -r name bin path; do
		m=$(((REPS + 1) / 2))
		h=$(awk '{ print $1 }' "$work/$d.$name" | sort -n | sed -n "${m}p")
		k=$(awk '{ print $2 }' "$work/$d.$name" | sort -n | sed -n "${m}p")
		runs=$(awk '{ printf "%s%s/%s", (NR > 1 ? " " : ""), $1, $2 }' "$work/$d.$name")
		awk -v d="$d" -v b="$name" -v h="$h" -v k="$k" -v runs="$runs" 'BEGIN {
			printf "  %-14s %-10s hop %5.2f us   keyed, no hop %5.2f us   hop / keyed %.2f   (runs, hop/keyed: %s)\n",
				d, b, h, k, h / k, runs }'
	done
done
echo "  goal: hop / keyed <= 1.3"
