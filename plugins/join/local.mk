# join: each record enriched with its key's latest value in a table read
# from a compacted Kafka topic; table values are decoded by the
# table.format plugin through the host.
plugin_LTLIBRARIES += plugins/join/join.la
plugins_join_join_la_SOURCES = plugins/join/join.c \
	plugins/join/join_reader.c plugins/join/join_reader.h \
	plugins/join/join_table.c plugins/join/join_table.h \
	plugins/join/join_file.c plugins/join/join_file.h
plugins_join_join_la_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS) -fvisibility=hidden
plugins_join_join_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_join_join_la_LIBADD = plugins/lib/libslop.la $(RDKAFKA_LIBS)
dist_plugin_DATA += plugins/join/join.plugin

# Lookups per second per core against the same job without the join.
bench_scripts += plugins/join/bench/join.sh

# Against a real broker (tests/kafka/kafka-env.sh).
TESTS += plugins/join/tests/join.test plugins/join/tests/join_split.test
EXTRA_DIST += plugins/join/tests/join.test plugins/join/tests/join_split.test

# The table from a file (table.path), no broker.
TESTS += plugins/join/tests/table_path.test
EXTRA_DIST += plugins/join/tests/table_path.test

# The table's hash map on its own.
check_PROGRAMS += plugins/join/tests/test_join_table
TESTS += plugins/join/tests/test_join_table
plugins_join_tests_test_join_table_SOURCES = \
	plugins/join/tests/test_join_table.c plugins/join/join_table.c
plugins_join_tests_test_join_table_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/join -I$(top_srcdir)/tests/unit
