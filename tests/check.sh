#!/bin/sh
# Quick start, second command: build if needed and run the whole test
# suite (make check).  --sanitizers: the same in a separate ASan+UBSan
# build of the distribution's sources under build-asan/.  --distcheck:
# also make distcheck.
set -eu
cd "$(dirname "$0")/.."
sh tests/setup-debian.sh
sh tests/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs" check
for arg in "$@"; do
	case $arg in
	--sanitizers)
		# The source tree is configured in place, so a second build
		# cannot share it (VPATH): build the distribution tarball's
		# sources instead, which also proves the tarball complete.
		make dist >/dev/null
		rm -rf build-asan
		mkdir build-asan
		tar -xzf "$(ls -t sluice-*.tar.gz | head -n 1)" -C build-asan
		(cd build-asan/sluice-* && ./configure --enable-sanitizers &&
			make -j"$jobs" && make -j"$jobs" check)
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
