# Each job of conf/examples/ end to end against a real broker, its output
# checked against hand-computed or awk-computed expectations.
EXAMPLE_TESTS = \
	tests/examples/message-length.test \
	tests/examples/key-count.test \
	tests/examples/user-behavior.test \
	tests/examples/passthrough.test \
	tests/examples/passthrough-bytes.test
TESTS += $(EXAMPLE_TESTS)
EXTRA_DIST += $(EXAMPLE_TESTS) tests/examples/lib.sh

# Each job of conf/examples/ through `sluice test` and its cases file,
# no broker needed; and each cases file, a record changed, failing.
TESTS += tests/examples/cases.test
EXTRA_DIST += tests/examples/cases.test

# passthrough.ini over a binary topic: records written and compared as hex
# by a librdkafka helper, since kcat's text formats are not binary-safe.
check_PROGRAMS += tests/examples/binary-records
tests_examples_binary_records_SOURCES = tests/examples/binary-records.c
tests_examples_binary_records_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
tests_examples_binary_records_LDADD = $(RDKAFKA_LIBS)
