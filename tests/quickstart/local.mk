# The README's Quick start: its two scripts (and what they call) go into
# the tarball too, and the demo that `sh tests/quickstart.sh` and `make
# demo` run (demo.sh) is tested on the test run's Kafka broker.
TESTS += tests/quickstart/quickstart.test
EXTRA_DIST += tests/quickstart/quickstart.test tests/quickstart/demo.sh \
	tests/quickstart.sh tests/check.sh tests/setup-debian.sh tests/build.sh
