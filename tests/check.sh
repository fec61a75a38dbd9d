#!/bin/sh
# Quick start, second command: build if needed and run the whole test
# suite (make check).  --sanitizers: the same in a separate ASan+UBSan
# build of the distribution's sources under build-asan/.  --distcheck:
# also make distcheck.  --fuzz: a clang build with libFuzzer, ASan and
# UBSan under build-fuzz/, its make check, then every fuzz target fuzzed
# for $FUZZ_SECONDS seconds (default 60).
set -eu
cd "$(dirname "$0")/.."
sh tests/setup-debian.sh
sh tests/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
# make check; when it fails, the end of every failing test's log, so that
# a CI run that shows only its last lines says why
run_check() {
	make -j"$jobs" check && return 0
	find . -name '*.trs' | while read -r trs; do
		grep -q '^:test-result: \(FAIL\|ERROR\)' "$trs" || continue
		echo "==== ${trs%.trs}.log, last 40 lines:"
		tail -n 40 "${trs%.trs}.log"
	done
	return 1
}
run_check
# unpack DIR: the distribution's sources in DIR/sluice-VERSION
unpack() {
	make dist >/dev/null
	rm -rf "$1"
	mkdir "$1"
	tar -xzf "$(ls -t sluice-*.tar.gz | head -n 1)" -C "$1"
}
for arg in "$@"; do
	case $arg in
	--sanitizers)
		# The source tree is configured in place, so a second build
		# cannot share it (VPATH): build the distribution tarball's
		# sources instead, which also proves the tarball complete.
		unpack build-asan
		(cd build-asan/sluice-* && ./configure --enable-sanitizers &&
			make -j"$jobs" && run_check)
		;;
	--fuzz)
		unpack build-fuzz
		(cd build-fuzz/sluice-* &&
			./configure CC=clang --enable-fuzzing --enable-sanitizers &&
			make -j"$jobs" && make -j"$jobs" check TESTS=tests/fuzz/corpora.test &&
			make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}")
		;;
	--distcheck)
		make -j"$jobs" distcheck
		;;
	*)
		echo "check.sh: unknown option $arg" >&2
		exit 2
		;;
	esac
done
