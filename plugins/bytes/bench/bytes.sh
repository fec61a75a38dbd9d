#!/bin/sh
# conf/examples/passthrough.ini with format = bytes (as shipped) against the
# same job with format = string, on the same input in the same run: N
# records of 100 bytes (ASCII, so string accepts them) on 4 partitions of
# the local broker, Kafka -> Kafka, stop = end.  The two take turns, each
# run in a consumer group of its own, timed by /usr/bin/time from process
# start to exit: wall, CPU (user + sys) and peak RSS, median of REPS, and
# the ratios string / bytes (above 1: bytes is the cheaper).
#
# Env: SLUICE, top_srcdir, top_builddir (set by `make bench`), KAFKA_BARE
# (the producer), SLUICE_BENCH_BYTES_RECORDS (1000000),
# SLUICE_BENCH_BYTES_REPS (5), SLUICE_BENCH_BYTES_WARMUP (2 untimed rounds
# of both), SLUICE_BOOTSTRAP (a broker to use instead of a private one).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}" "${top_builddir:?}"
bare=${KAFKA_BARE:-$top_builddir/plugins/kafka/bench/kafka-bare}
N=${SLUICE_BENCH_BYTES_RECORDS:-1000000}
REPS=${SLUICE_BENCH_BYTES_REPS:-5}
if [ ! -x /usr/bin/time ]; then
	echo "bytes benchmark skipped: /usr/bin/time not installed"
	exit 0
fi

SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
export SLUICE_KAFKA_HOME
. "$SLUICE_KAFKA_HOME/kafka-env.sh"
sl_bench_init bytes

for t in in out-string out-bytes; do
	sl_topic "bench-bytes-$t-$run" 4 &
done
wait
"$bare" produce "$B" "bench-bytes-in-$run" "$N" 100 0

# measure FORMAT REP: one bounded run; appends "FORMAT wall cpu rss_kb"
measure() {
	/usr/bin/time -f "$1 %e %U %S %M" -o "$work/time" \
		"$SLUICE" run "$top_srcdir/conf/examples/passthrough.ini" \
		--set job.name="bench-bytes-$1-$run-$2" \
		--set input.bootstrap.servers="$B" --set output.bootstrap.servers="$B" \
		--set input.topics="bench-bytes-in-$run" \
		--set output.topic="bench-bytes-out-$1-$run" --set input.stop=end \
		--set input.format="$1" --set input.key.format="$1" \
		--set output.format="$1" --set output.key.format="$1" \
		2>"$work/$1.log" || { cat "$work/$1.log" >&2; exit 1; }
	grep -q "records out $N\b" "$work/$1.log" ||
		{ echo "bytes benchmark: $1 did not copy $N records" >&2; cat "$work/$1.log" >&2; exit 1; }
	tail -n 1 "$work/time"
}
warm=1
while [ $warm -le "${SLUICE_BENCH_BYTES_WARMUP:-2}" ]; do
	measure string "warmup$warm" >/dev/null
	measure bytes "warmup$warm" >/dev/null
	warm=$((warm + 1))
done
: >"$work/times"
rep=1
order="string bytes"
while [ $rep -le "$REPS" ]; do
	for f in $order; do
		measure $f $rep | awk '{ print $1, $2, $3 + $4, $5 }' >>"$work/times"
	done
	set -- $order
	order="$2 $1"
	rep=$((rep + 1))
done

# median FORMAT COLUMN
median() {
	awk -v f="$1" -v c="$2" '$1 == f { print $c }' "$work/times" | sort -n |
		awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}
echo "bytes benchmark: passthrough.ini, $N records of 100 bytes, 4 partitions, local broker, median of $REPS"
awk -v n="$N" -v sw="$(median string 2)" -v bw="$(median bytes 2)" \
	-v sc="$(median string 3)" -v bc="$(median bytes 3)" \
	-v sr="$(median string 4)" -v br="$(median bytes 4)" 'BEGIN {
	printf "  format = string: %4.0f k rec/s  wall %.2f s  cpu %.2f s  peak RSS %d MB\n", n / sw / 1000, sw, sc, sr / 1024;
	printf "  format = bytes:  %4.0f k rec/s  wall %.2f s  cpu %.2f s  peak RSS %d MB\n", n / bw / 1000, bw, bc, br / 1024;
	printf "  string / bytes: wall %.2f  cpu %.2f  peak RSS %.2f (target: wall >= 1, bytes at least as fast)\n", sw / bw, sc / bc, sr / br;
}'
for f in string bytes; do
	echo "    $f, each run in turn (wall s, cpu s): $(awk -v f="$f" '$1 == f { printf " %s/%s", $2, $3 }' "$work/times")"
done

# The formats alone, no broker: 2 M lines of 100 bytes from a file into
# the null sink; what differs is string's UTF-8 check, which bytes skips.
awk 'BEGIN { for (i = 0; i < 2000000; i++) printf "k%s\n", sprintf("%098d", i) }' \
	>"$work/lines"
: >"$work/file-times"
rep=1
while [ $rep -le "$REPS" ]; do
	for f in string bytes; do
		printf '[job]\nname = bench-bytes-file\n[source in]\nplugin = file\npath = %s\nformat = %s\n[sink out]\nplugin = null\nformat = %s\n' \
			"$work/lines" $f $f >"$work/file-$f.ini"
		/usr/bin/time -f "$f %e %U %S %M" -o "$work/time" \
			"$SLUICE" run "$work/file-$f.ini" 2>"$work/$f.log" ||
			{ cat "$work/$f.log" >&2; exit 1; }
		awk '{ print $1, $2, $3 + $4, $5 }' "$work/time" >>"$work/file-times"
	done
	rep=$((rep + 1))
done
cp "$work/file-times" "$work/times"
echo "  file -> null sink, 2 M lines of 100 bytes, no broker, median of $REPS:"
awk -v sc="$(median string 3)" -v bc="$(median bytes 3)" 'BEGIN {
	printf "    cpu: string %.2f s, bytes %.2f s, string / bytes %.2f\n", sc, bc, sc / bc;
}'
