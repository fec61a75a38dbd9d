#!/bin/sh
# The join's lookups per second per core: CPU time (user + system) of
# datagen user events (format json, keyed by user_id with key_by) through
# a left join on a table of K keys (one row per user id, ~40-byte JSON
# values, read from a compacted topic) into the null sink, against the
# same job without the join, measured in the same run.  Each job also
# runs with 1 event, so that starting, and for the join reading the
# table, is taken out:
#
#   lookup cost = (join(N) - join(1)) - (base(N) - base(1))
#
# Every event finds its row (users = K), so each is a full lookup: the
# key rendered, hashed and found, the row's JSON decoded, the value
# rebuilt with it.  A value an operator changed is encoded again at the
# sink, which the job without the join never does: a second baseline, a
# map stage setting a field instead, pays that too, so the figure
# against it is the join's own work beyond changing the value.  Median
# of REPS runs of each.
#
# Goal (issue 30): at least 2 M lookups/s/core.
#
# Env: SLUICE, top_srcdir, top_builddir, RUNJOB (set by `make bench`),
# SLUICE_BENCH_JOIN_EVENTS (3000000), SLUICE_BENCH_JOIN_KEYS (100000),
# SLUICE_BENCH_JOIN_REPS (3), SLUICE_BOOTSTRAP (a broker to use instead
# of a private one).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}" "${top_builddir:?}"
N=${SLUICE_BENCH_JOIN_EVENTS:-3000000}
K=${SLUICE_BENCH_JOIN_KEYS:-100000}
REPS=${SLUICE_BENCH_JOIN_REPS:-3}
runjob=${RUNJOB:-$top_builddir/tests/bench/runjob}
SLUICE_PLUGIN_PATH=${SLUICE_PLUGIN_PATH:-$top_builddir/plugins:$top_srcdir/plugins}
export SLUICE_PLUGIN_PATH

SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
export SLUICE_KAFKA_HOME
. "$SLUICE_KAFKA_HOME/kafka-env.sh"
sl_bench_init join

pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

table=bench-join-table-$run
sl_topic "$table" 4 cleanup.policy=compact
awk -v k="$K" 'BEGIN { for (i = 1; i <= k; i++)
	printf "%d\t{\"name\":\"user %d\",\"tier\":\"%s\"}\n", i, i,
		(i % 3 ? "silver" : "gold") }' | sl_produce "$table"

# job FILE WHAT(base|map|join): datagen -> key_by user_id [-> map | join]
# -> null
job() {
	{
		cat <<EOF
[job]
name = bench-join-$run
log.level = warn
[source gen]
plugin = datagen
profile = user_events
users = $K
count = \${COUNT}
format = json
[operator by_user]
plugin = key_by
field = user_id
EOF
		[ "$2" != map ] || cat <<EOF
[operator with_user]
plugin = map
set.user = 'constant'
EOF
		[ "$2" != join ] || cat <<EOF
[operator with_user]
plugin = join
bootstrap.servers = $B
table.topic = $table
type = left
as = user
EOF
		cat <<EOF
[sink out]
plugin = null
EOF
	} >"$1"
}
job "$work/base.ini" base
job "$work/map.ini" map
job "$work/join.ini" join

# cpu JOB COUNT -> CPU ms, median of REPS
cpu() {
	for _ in $(seq 1 "$REPS"); do
		COUNT=$2 RUNJOB_CPU=1 $pin "$runjob" "$SLUICE" run "$1" \
			2>"$work/run.log" | awk '{ print $3 }' ||
			{ cat "$work/run.log" >&2; exit 1; }
	done | sort -n | sed -n "$(((REPS + 1) / 2))p"
}

# the join must find every key: a miss would be a cheaper lookup
COUNT=100000 "$SLUICE" run "$work/join.ini" --set job.log.level=info \
	2>"$work/check.log" || { cat "$work/check.log" >&2; exit 1; }
grep -q "with_user: records in 100000, out 100000" "$work/check.log" &&
	! grep -q "with_user: .*unmatched [1-9]" "$work/check.log" ||
	{ grep "with_user" "$work/check.log" >&2
	  echo "join bench: some events found no row" >&2; exit 1; }

b1=$(cpu "$work/base.ini" 1)
bn=$(cpu "$work/base.ini" "$N")
m1=$(cpu "$work/map.ini" 1)
mn=$(cpu "$work/map.ini" "$N")
j1=$(cpu "$work/join.ini" 1)
jn=$(cpu "$work/join.ini" "$N")
echo "join: $N events, left join on a table of $K keys (4 partitions), CPU ms, median of $REPS, pinned to one core when taskset exists"
awk -v n="$N" -v b1="$b1" -v bn="$bn" -v m1="$m1" -v mn="$mn" \
	-v j1="$j1" -v jn="$jn" 'BEGIN {
	printf "  without join %d ms (1 event: %d)   map setting a field %d ms (1 event: %d)   with join %d ms (1 event, table read: %d)\n", bn, b1, mn, m1, jn, j1
	l = (jn - j1) - (bn - b1)
	o = (jn - j1) - (mn - m1)
	if (l <= 0 || o <= 0) { print "  lookup cost lost in the noise"; exit }
	printf "  join against the job without it:        %4.0f ns per lookup, %.2f M lookups/s/core   (goal >= 2 M: %s)\n",
		l * 1e6 / n, n / l / 1e3, (n / l / 1e3 >= 2 ? "met" : "NOT met")
	printf "  join against the map (value re-encoded): %4.0f ns per lookup, %.2f M lookups/s/core\n",
		o * 1e6 / n, n / o / 1e3
}'
