#!/bin/sh
# Quick start, first command: install what is needed, build, run the demo
# (make demo: tests/quickstart/demo.sh starts a Kafka of its own, runs
# conf/examples/user-behavior.ini over sample events and prints a table).
set -eu
cd "$(dirname "$0")/.."
sh tests/setup-debian.sh
sh tests/build.sh
make demo
