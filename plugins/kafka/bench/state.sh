#!/bin/sh
# Kafka as the state backend, on the local broker (4 partitions):
#
#   cost of state writes: kafka -> key_by key -> aggregate count -> kafka
#   over N records with N distinct keys, so that every record changes the
#   state of a new key and becomes a changelog record (the worst case; a
#   key changed many times between two commits is written once), best and
#   median of REPS, each run timed from process start to exit (stop = end):
#     exactly-once and at-least-once, state written to the changelog
#     delivery = none: the same job with state writes disabled (keyed
#       state in memory only: none writes no changelog)
#     at-least-once without the aggregate: the same pipeline with no state
#   restore: the exactly-once job started again over its N-key changelog,
#   with nothing new to read: the time the engine logs for the restore,
#   the progress lines it logged meanwhile, and start to exit
#
# Env: SLUICE, top_srcdir, top_builddir (set by `make bench`),
# KAFKA_BARE (the producer of the input), SLUICE_BENCH_STATE_RECORDS
# (1000000), SLUICE_BENCH_STATE_REPS (3), SLUICE_BOOTSTRAP (a broker to use
# instead of a private one).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}" "${top_builddir:?}"
bare=${KAFKA_BARE:-$top_builddir/plugins/kafka/bench/kafka-bare}
N=${SLUICE_BENCH_STATE_RECORDS:-1000000}
REPS=${SLUICE_BENCH_STATE_REPS:-3}

SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
export SLUICE_KAFKA_HOME
. "$SLUICE_KAFKA_HOME/kafka-env.sh"
sl_bench_init state

# job FILE NAME DELIVERY STATEFUL(0|1)
job() {
	cat >"$1" <<-EOF
	[job]
	name = $2
	delivery = $3
	commit.interval.ms = 100

	[source in]
	plugin = kafka
	bootstrap.servers = $B
	topics = state-in-$run
	stop = end
	kafka.queued.min.messages = 1000000

	[operator by_key]
	plugin = key_by
	expr = key
	EOF
	[ "$4" = 0 ] || cat >>"$1" <<-EOF

	[operator counts]
	plugin = aggregate
	function = count
	EOF
	cat >>"$1" <<-EOF

	[sink out]
	plugin = kafka
	bootstrap.servers = $B
	topic = state-out-$run
	format = json
	EOF
}

sl_topic "state-in-$run" 4 &
sl_topic "state-out-$run" 4 &
wait
"$bare" produce "$B" "state-in-$run" "$N" 100 0

# measure KIND REP -> milliseconds
measure() {
	case $1 in
	eos) d=exactly-once s=1 ;;
	alo) d=at-least-once s=1 ;;
	none) d=none s=1 ;;
	alo-nostate) d=at-least-once s=0 ;;
	none-nostate) d=none s=0 ;;
	esac
	job "$work/$1.ini" "state-$1-$run-$2" $d $s
	t0=$(sl_now_ms)
	"$SLUICE" run "$work/$1.ini" 2>"$work/$1-$2.log" || {
		cat "$work/$1-$2.log" >&2
		exit 1
	}
	echo $(($(sl_now_ms) - t0))
}

# untimed: the broker's coordinators load on first use
measure alo-nostate 0 >/dev/null
kinds="eos alo none alo-nostate none-nostate"
rep=1
: >"$work/times"
while [ $rep -le "$REPS" ]; do
	for k in $kinds; do
		echo "$k $(measure $k $rep)" >>"$work/times"
		sleep 1
	done
	set -- $kinds
	kinds="$2 $3 $4 $5 $1"
	rep=$((rep + 1))
done
stats() { # best median
	awk -v k="$1" '$1 == k { print $2 }' "$work/times" | sort -n |
		awk '{ t[NR] = $1 } END { print t[1], t[int((NR + 1) / 2)] }'
}

echo "state benchmark: $N records, $N distinct keys (a changelog record per input record), 4 partitions, local broker, best (median) of $REPS, start to exit"
awk -v n="$N" -v e="$(stats eos)" -v a="$(stats alo)" -v z="$(stats none)" \
	-v s="$(stats alo-nostate)" -v t="$(stats none-nostate)" '
function line(what, x,  X) {
	split(x, X, " ")
	printf "  %-58s %4.0f k rec/s (%d ms, median %d)\n", what, n / X[1], X[1], X[2]
	return X[1]
}
BEGIN {
	E = line("key_by -> aggregate count, exactly-once (state written):", e)
	A = line("key_by -> aggregate count, at-least-once (state written):", a)
	Z = line("key_by -> aggregate count, none (state writes disabled):", z)
	S = line("key_by only, at-least-once (no state):", s)
	T = line("key_by only, none (no state):", t)
	printf "  keyed state with its changelog writes, at-least-once: %.0f%% fewer records/s than no state\n", 100 * (1 - S / A)
	printf "  keyed state in memory only (none, no writes): %.0f%% fewer records/s than no state\n", 100 * (1 - T / Z)
}'

# Restore: the last exactly-once job again, its changelog holding N keys.
name=$(sed -n 's/^name = //p' "$work/eos.ini")
t0=$(sl_now_ms)
"$SLUICE" run "$work/eos.ini" 2>"$work/restore.log" || {
	cat "$work/restore.log" >&2
	exit 1
}
took=$(($(sl_now_ms) - t0))
line=$(grep "restored [0-9]* changelog records" "$work/restore.log" || true)
[ -n "$line" ] || { cat "$work/restore.log" >&2; echo "no restore logged" >&2; exit 1; }
echo "restore of job $name: $(echo "$line" | sed 's/.*: //');" \
	"$(grep -c 'records so far' "$work/restore.log" || true) progress line(s) (one every 2 s)" \
	"after \"$(sed -n 's/.*\(up to [0-9]* records\).*/\1/p' "$work/restore.log")\";" \
	"start to exit $took ms"
