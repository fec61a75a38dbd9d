#!/bin/sh
# Engine throughput and memory: datagen -> 3 pass-through operators -> null
# sink, beside the same job without operators, measured in the same run.
# Prints records/s, ns per record and peak RSS for 1M and 10M records.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
runjob=${RUNJOB:-./tests/bench/runjob}
: "${SLUICE:?}"
SLUICE_PLUGIN_PATH="$top_builddir/tests/plugins:$top_srcdir/tests/plugins:$SLUICE_PLUGIN_PATH"
export SLUICE_PLUGIN_PATH

pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

# measure JOB COUNT -> "ms rss" (best wall time of 3 runs, its RSS)
measure() {
	best=
	for _ in 1 2 3; do
		r=$(COUNT=$2 $pin "$runjob" "$SLUICE" run "$here/$1")
		ms=${r% *}
		if [ -z "$best" ] || awk -v a="$ms" -v b="${best% *}" 'BEGIN { exit !(a < b) }'; then
			best=$r
		fi
	done
	echo "$best"
}

echo "engine benchmark (best of 3, pinned to one core when taskset exists)"
for n in 1000000 10000000; do
	base=$(measure engine-baseline.ini $n)
	full=$(measure engine-3ops.ini $n)
	awk -v n=$n -v b="$base" -v f="$full" 'BEGIN {
		split(b, B, " "); split(f, F, " ");
		printf "  %9d records  baseline (datagen->null): %6.2f M rec/s %6.1f ns/rec  rss %6d KiB\n", n, n / B[1] / 1e3, B[1] * 1e6 / n, B[2];
		printf "  %9d records  3 pass-through operators: %6.2f M rec/s %6.1f ns/rec  rss %6d KiB\n", n, n / F[1] / 1e3, F[1] * 1e6 / n, F[2];
		printf "  %9d records  ratio 3ops/baseline throughput: %.2f; engine cost per operator: %.1f ns/rec\n", n, B[1] / F[1], (F[1] - B[1]) * 1e6 / n / 3;
	}'
done
