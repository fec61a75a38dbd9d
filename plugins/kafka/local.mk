# kafka: the Kafka source (the sink joins it in the same library).
plugin_LTLIBRARIES += plugins/kafka/kafka.la
plugins_kafka_kafka_la_SOURCES = \
	plugins/kafka/plugin.c \
	plugins/kafka/kafka_conf.c plugins/kafka/kafka_conf.h \
	plugins/kafka/kafka_source.c plugins/kafka/kafka_source_shared.h \
	plugins/kafka/kafka_source_commit.c \
	plugins/kafka/kafka_source_parts.c \
	plugins/kafka/kafka_source_ends.c \
	plugins/kafka/kafka_source_assignment.c \
	plugins/kafka/kafka_source_poll.c \
	plugins/kafka/kafka_source_rebalance.c \
	plugins/kafka/kafka_source_txn.c \
	plugins/kafka/kafka_sink.c plugins/kafka/kafka_sink.h \
	plugins/kafka/kafka_sink_handle.h \
	plugins/kafka/kafka_sink_write.c \
	plugins/kafka/kafka_sink_route.c \
	plugins/kafka/kafka_sink_dead_letter.c \
	plugins/kafka/kafka_sink_pack.c plugins/kafka/kafka_sink_pack.h \
	plugins/kafka/kafka_pack.c plugins/kafka/kafka_pack.h \
	plugins/kafka/kafka_txn.c plugins/kafka/kafka_txn.h \
	plugins/kafka/kafka_txn_async.c plugins/kafka/kafka_txn_async.h \
	plugins/kafka/kafka_txn_job.c plugins/kafka/kafka_txn_job.h \
	plugins/kafka/kafka_delivery.c plugins/kafka/kafka_delivery.h \
	plugins/kafka/kafka_topic_watch.c plugins/kafka/kafka_topic_watch.h \
	plugins/kafka/kafka_producer.c plugins/kafka/kafka_producer.h \
	plugins/kafka/kafka_changelog.c plugins/kafka/kafka_changelog.h \
	plugins/kafka/kafka_changelog_read.c \
	plugins/kafka/kafka_store.c \
	plugins/kafka/kafka_internal_topic.c \
	plugins/kafka/kafka_source_state.c \
	plugins/kafka/kafka_source_bounds.c \
	plugins/kafka/kafka_source_align.c \
	plugins/kafka/kafka_source_queues.c \
	plugins/kafka/kafka_source_prefetch.c \
	plugins/kafka/kafka_source_budget.c \
	plugins/kafka/kafka_source_hop.c \
	plugins/kafka/kafka_source_lag.c \
	plugins/kafka/kafka_source_pattern.c \
	plugins/kafka/kafka_topic_pattern.c plugins/kafka/kafka_topic_pattern.h
plugins_kafka_kafka_la_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS) $(PCRE2_CFLAGS)
plugins_kafka_kafka_la_LIBADD = $(RDKAFKA_LIBS) $(PCRE2_LIBS)
plugins_kafka_kafka_la_LDFLAGS = $(PLUGIN_LDFLAGS)
dist_plugin_DATA += plugins/kafka/kafka.plugin

# Tests against a real broker (tests/kafka/kafka-env.sh), and a test-only
# sink that writes out every part of a record.
KAFKA_TESTS = \
	plugins/kafka/tests/source_config.test \
	plugins/kafka/tests/source_start.test \
	plugins/kafka/tests/source_records.test \
	plugins/kafka/tests/source_pattern.test \
	plugins/kafka/tests/source_prefetch.test \
	plugins/kafka/tests/source_errors.test \
	plugins/kafka/tests/source_group.test \
	plugins/kafka/tests/source_txn.test \
	plugins/kafka/tests/source_broker_restart.test
TESTS += $(KAFKA_TESTS)
EXTRA_DIST += $(KAFKA_TESTS) plugins/kafka/tests/source_lib.sh \
	plugins/kafka/tests/dump.plugin
check_LTLIBRARIES += plugins/kafka/tests/dump.la
plugins_kafka_tests_dump_la_SOURCES = plugins/kafka/tests/dump.c
plugins_kafka_tests_dump_la_LDFLAGS = -module -avoid-version -shared \
	-rpath $(abs_builddir) -export-symbols-regex '^sluice_plugin_entry$$' \
	$(SANITIZER_CFLAGS)
check_PROGRAMS += plugins/kafka/tests/txn-produce
plugins_kafka_tests_txn_produce_SOURCES = plugins/kafka/tests/txn-produce.c
plugins_kafka_tests_txn_produce_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
plugins_kafka_tests_txn_produce_LDADD = $(RDKAFKA_LIBS)

# C unit tests of the source's decisions on its partition book: the end
# of a bounded run (stop = end) and what a rebalance changes.  The first
# two need nothing; the third runs librdkafka's in-process mock cluster
# for the ends and the group's committed offsets (not for transactions,
# which the eos tests run against a real broker).  test_pack: the codec
# of a repartition topic's packs of records.
KAFKA_UNIT_TESTS = \
	plugins/kafka/tests/test_source_ends \
	plugins/kafka/tests/test_source_assignment \
	plugins/kafka/tests/test_source_ends_mock \
	plugins/kafka/tests/test_pack
check_PROGRAMS += $(KAFKA_UNIT_TESTS)
TESTS += $(KAFKA_UNIT_TESTS)
KAFKA_UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/kafka \
	-I$(top_srcdir)/tests/unit
KAFKA_UNIT_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS) $(PCRE2_CFLAGS)
KAFKA_BOOK = plugins/kafka/kafka_source_parts.c \
	plugins/kafka/kafka_source_shared.h plugins/kafka/kafka_conf.h \
	plugins/kafka/kafka_topic_pattern.c plugins/kafka/kafka_topic_pattern.h
plugins_kafka_tests_test_source_ends_SOURCES = \
	plugins/kafka/tests/test_source_ends.c plugins/kafka/kafka_source_ends.c \
	$(KAFKA_BOOK) tests/unit/check.h
plugins_kafka_tests_test_source_ends_CPPFLAGS = $(KAFKA_UNIT_CPPFLAGS)
plugins_kafka_tests_test_source_ends_CFLAGS = $(KAFKA_UNIT_CFLAGS)
plugins_kafka_tests_test_source_ends_LDADD = $(RDKAFKA_LIBS) $(PCRE2_LIBS)
plugins_kafka_tests_test_source_assignment_SOURCES = \
	plugins/kafka/tests/test_source_assignment.c \
	plugins/kafka/kafka_source_assignment.c $(KAFKA_BOOK) tests/unit/check.h
plugins_kafka_tests_test_source_assignment_CPPFLAGS = $(KAFKA_UNIT_CPPFLAGS)
plugins_kafka_tests_test_source_assignment_CFLAGS = $(KAFKA_UNIT_CFLAGS)
plugins_kafka_tests_test_source_assignment_LDADD = $(RDKAFKA_LIBS) $(PCRE2_LIBS)
plugins_kafka_tests_test_source_ends_mock_SOURCES = \
	plugins/kafka/tests/test_source_ends_mock.c \
	plugins/kafka/kafka_source_ends.c plugins/kafka/kafka_source_assignment.c \
	$(KAFKA_BOOK) tests/unit/check.h
plugins_kafka_tests_test_source_ends_mock_CPPFLAGS = $(KAFKA_UNIT_CPPFLAGS)
plugins_kafka_tests_test_source_ends_mock_CFLAGS = $(KAFKA_UNIT_CFLAGS)
plugins_kafka_tests_test_source_ends_mock_LDADD = $(RDKAFKA_LIBS) $(PCRE2_LIBS)
plugins_kafka_tests_test_pack_SOURCES = plugins/kafka/tests/test_pack.c \
	plugins/kafka/kafka_pack.c plugins/kafka/kafka_pack.h tests/unit/check.h
plugins_kafka_tests_test_pack_CPPFLAGS = $(KAFKA_UNIT_CPPFLAGS) \
	-I$(top_srcdir)/core
plugins_kafka_tests_test_pack_LDADD = core/libslcore.la

# The sink's tests: settings refused before anything runs, what it writes,
# and the delivery guarantees through SIGKILLs, a fencing second instance,
# a broker restart and SIGTERM (real broker; the longest first).
KAFKA_SINK_TESTS = \
	plugins/kafka/tests/eos_crash.test \
	plugins/kafka/tests/sink_alo_crash.test \
	plugins/kafka/tests/eos_pipelined.test \
	plugins/kafka/tests/eos_broker_restart.test \
	plugins/kafka/tests/eos_txn_timeout.test \
	plugins/kafka/tests/eos_fence.test \
	plugins/kafka/tests/eos_sigterm.test \
	plugins/kafka/tests/sink_records.test \
	plugins/kafka/tests/sink_route.test \
	plugins/kafka/tests/dead_letter.test \
	plugins/kafka/tests/sink_config.test
TESTS += $(KAFKA_SINK_TESTS)
EXTRA_DIST += $(KAFKA_SINK_TESTS) plugins/kafka/tests/sink_lib.sh

# Kafka as the state backend: changelog topics refused or created,
# running counts and windows exact through SIGKILLs, state moving between
# two instances (real broker; the longest first).
KAFKA_STATE_TESTS = \
	plugins/kafka/tests/state_count_crash.test \
	plugins/kafka/tests/state_window_crash.test \
	plugins/kafka/tests/state_window_functions.test \
	plugins/kafka/tests/state_window_hopping.test \
	plugins/kafka/tests/state_window_session.test \
	plugins/kafka/tests/state_upgrade.test \
	plugins/kafka/tests/state_handover.test \
	plugins/kafka/tests/state_topic.test \
	plugins/kafka/tests/store.test
TESTS += $(KAFKA_STATE_TESTS)
EXTRA_DIST += $(KAFKA_STATE_TESTS) plugins/kafka/tests/state_lib.sh

# `make bench`: Kafka -> map -> Kafka against a bare librdkafka loop.
bench_scripts += plugins/kafka/bench/kafka.sh
# and Kafka as the state backend: the cost of state writes, a 1M-key restore
bench_scripts += plugins/kafka/bench/state.sh
# and the source's read-ahead: peak memory, wall and CPU on 4 and 200 partitions
bench_scripts += plugins/kafka/bench/read_ahead.sh
EXTRA_PROGRAMS += plugins/kafka/bench/kafka-bare
plugins_kafka_bench_kafka_bare_SOURCES = plugins/kafka/bench/kafka-bare.c
plugins_kafka_bench_kafka_bare_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
plugins_kafka_bench_kafka_bare_LDADD = $(RDKAFKA_LIBS)
CLEANFILES += plugins/kafka/bench/kafka-bare
bench: plugins/kafka/bench/kafka-bare
