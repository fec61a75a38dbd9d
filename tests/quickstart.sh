#!/bin/sh
# Quick start, first command: install what is needed, build, run the demo.
set -eu
cd "$(dirname "$0")/.."
sh tests/setup-debian.sh
sh tests/build.sh
make demo
