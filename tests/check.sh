#!/bin/sh
# Quick start, second command: build if needed and run the whole test
# suite (make check).  --sanitizers: the same in a separate ASan+UBSan
# build under build-asan/.  --distcheck: also make distcheck.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
sh tests/setup-debian.sh
sh tests/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs" check
for arg in "$@"; do
	case $arg in
	--sanitizers)
		mkdir -p build-asan
		(cd build-asan && { [ -f Makefile ] || "$top/configure" --enable-sanitizers; } &&
			make -j"$jobs" check)
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
