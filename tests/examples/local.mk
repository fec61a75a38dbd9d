# Each job of conf/examples/ end to end against a real broker, its output
# checked against hand-computed or awk-computed expectations.
EXAMPLE_TESTS = \
	tests/examples/message-length.test \
	tests/examples/key-count.test \
	tests/examples/user-behavior.test \
	tests/examples/passthrough.test
TESTS += $(EXAMPLE_TESTS)
EXTRA_DIST += $(EXAMPLE_TESTS) tests/examples/lib.sh
