#!/bin/sh
# Configure and build in the source tree unless that is already done.
# Extra arguments go to ./configure.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x configure ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ]; then
	./configure "$@"
fi
make -j"$(nproc 2>/dev/null || echo 2)"
