#!/bin/sh
# The source's read-ahead against its input's partitions, on the local
# broker: N small records (~20 bytes: "kN" -> "N") in a topic of 4 and
# one of 200 partitions, each copied by a bounded passthrough job (kafka
# -> kafka, at-least-once, stop = end, memory.limit at its default) to a
# 4-partition topic, REPS times on a fresh consumer group each.  Per
# topic: peak resident memory (VmHWM, read every 0.1 s until the job
# exits), wall time from start to exit, and CPU time (user + system, as
# the shell's `times` counts its children; the sampling's `sleep`s are
# among them), median and max of REPS.
#
# Env: SLUICE, top_srcdir, top_builddir (set by `make bench`),
# SLUICE_BENCH_READ_AHEAD_RECORDS (1500000), SLUICE_BENCH_READ_AHEAD_REPS
# (3), SLUICE_BOOTSTRAP (a broker to use instead of a private one).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}" "${top_builddir:?}"
N=${SLUICE_BENCH_READ_AHEAD_RECORDS:-1500000}
REPS=${SLUICE_BENCH_READ_AHEAD_REPS:-3}

SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
export SLUICE_KAFKA_HOME
. "$SLUICE_KAFKA_HOME/kafka-env.sh"
sl_bench_init read-ahead

# job FILE NAME INPUT
job() {
	cat >"$1" <<-EOF
	[job]
	name = $2

	[source input]
	plugin = kafka
	bootstrap.servers = $B
	topics = $3
	format = string
	stop = end

	[sink output]
	plugin = kafka
	bootstrap.servers = $B
	topic = read-ahead-out-$run
	format = string
	EOF
}

# seconds "XmY.ZZZs" (as `times` prints them) -> milliseconds
ms() {
	echo "$1" | awk -F'[ms]' '{ printf "%.0f\n", ($1 * 60 + $2) * 1000 }'
}

# measure INI LOG: "peak_kB wall_ms cpu_ms" of one run
measure() {
	(
		t0=$(sl_now_ms)
		"$SLUICE" run "$1" 2>"$2" &
		p=$!
		hwm=0
		while [ -r "/proc/$p/status" ]; do
			while read -r k v _; do
				[ "$k" = VmHWM: ] && hwm=$v
			done <"/proc/$p/status" 2>/dev/null || :
			sleep 0.1
		done
		wait "$p" || { tail -n 5 "$2" >&2; echo "bench run failed" >&2; exit 1; }
		t1=$(sl_now_ms)
		# its second line: the children's user and system time (in
		# this shell: a pipe or $(...) would run it in a new process)
		times >"$2.times"
		set -- $(sed -n 2p "$2.times")
		echo "$hwm $((t1 - t0)) $(($(ms "$1") + $(ms "$2")))"
	)
}

echo "read-ahead benchmark: $N records of ~20 bytes, passthrough to kafka; median (max) of $REPS"
sl_topic "read-ahead-out-$run" 4 retention.ms=-1
seq 1 "$N" | awk '{ print "k" $1 "\t" $1 }' >"$work/records"
for parts in 4 200; do
	sl_topic "read-ahead-$parts-$run" "$parts" retention.ms=-1
	kcat -P -X enable.idempotence=true -b "$B" -t "read-ahead-$parts-$run" \
		-K '\t' -X linger.ms=50 <"$work/records"
done
for parts in 4 200; do
	: >"$work/figures"
	for r in $(seq 1 "$REPS"); do
		name=read-ahead-$parts-$r-$run
		job "$work/$name.ini" "$name" "read-ahead-$parts-$run"
		measure "$work/$name.ini" "$work/$name.log" >>"$work/figures"
	done
	# median and max of each column
	for c in 1 2 3; do
		sort -n -k "$c,$c" "$work/figures" |
			awk -v c="$c" -v m=$(((REPS + 1) / 2)) \
				'NR == m { med = $c } { max = $c } END { print med, max }'
	done | tr '\n' ' ' | awk -v p="$parts" '{
		printf "  %3d partitions: peak RSS %4.0f MB (%4.0f), wall %6d ms (%6d), CPU %6d ms (%6d)\n",
			p, $1 / 1024, $2 / 1024, $3, $4, $5, $6
	}'
done
