# Tests against a real Apache Kafka broker (kafka-local.sh).
#
# One broker serves the whole `make check`: the first test that needs it
# starts it (kafka-env.sh: sl_need_kafka), the others reuse it, and a
# watcher stops it and removes its directory once the make process that
# runs the tests ($$PPID of each test's shell) has exited, whether the
# tests passed or not.  Suites elsewhere add their own Kafka tests to
# TESTS; the broker comes up only when one of them runs.
AM_TESTS_ENVIRONMENT += \
	SLUICE_KAFKA_SHARED_DIR=$${TMPDIR:-/tmp}/sluice-kafka-$$PPID; \
	SLUICE_TEST_OWNER_PID=$$PPID; \
	SLUICE_KAFKA_SHARED_RMDIR=1; \
	export SLUICE_KAFKA_SHARED_DIR SLUICE_TEST_OWNER_PID \
		SLUICE_KAFKA_SHARED_RMDIR;

TESTS += tests/kafka/broker.test tests/kafka/sink_count.test
EXTRA_DIST += tests/kafka/broker.test tests/kafka/sink_count.test \
	tests/kafka/kafka-env.sh \
	tests/kafka/kafka-local.sh tests/kafka/pom.xml tests/lib/ports.sh
