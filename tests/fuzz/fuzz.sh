#!/bin/sh
# make fuzz: fuzz every target for $FUZZ_SECONDS seconds (default 60) with
# libFuzzer, starting from its seeds and corpus (targets.sh), in fuzz/
# under the build tree: fuzz/corpus/TARGET/ keeps what libFuzzer finds,
# fuzz/crashes/ what fails.  Prints the runs per target; exits 1 when a
# target failed: copy the input it names to tests/fuzz/corpus/TARGET/
# (as crash-WHAT), fix, and `make check` replays it from then on.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
seconds=${FUZZ_SECONDS:-60}
. "$top_srcdir/tests/fuzz/targets.sh"
out=$top_builddir/fuzz
mkdir -p "$out/crashes"
failed=
for t in $fuzz_targets; do
	mkdir -p "$out/corpus/$t"
	fuzz_seeds "$t" | while read -r f; do cp "$f" "$out/corpus/$t/"; done
	echo "fuzz: $t for ${seconds}s"
	"$top_builddir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" \
		-max_len="$(fuzz_max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/crashes/$t-" \
		"$out/corpus/$t" >"$out/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
	echo "fuzz: $t: ${runs:-?} runs, exit code $rc, corpus $(ls "$out/corpus/$t" | wc -l) inputs"
	if [ "$rc" -ne 0 ]; then
		failed="$failed $t"
		grep -E "ERROR|Test unit written|assertion" "$out/$t.log" | head -n 5
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed (logs in $out)" >&2
	exit 1
fi
