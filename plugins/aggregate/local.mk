# aggregate: a running per-key count, sum, min, max or avg.
plugin_LTLIBRARIES += plugins/aggregate/aggregate.la
plugins_aggregate_aggregate_la_SOURCES = plugins/aggregate/aggregate.c
plugins_aggregate_aggregate_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_aggregate_aggregate_la_LIBADD = plugins/lib/libslop.la
dist_plugin_DATA += plugins/aggregate/aggregate.plugin

check_PROGRAMS += plugins/aggregate/tests/test_aggregate
TESTS += plugins/aggregate/tests/test_aggregate plugins/aggregate/tests/function_list.test
EXTRA_DIST += plugins/aggregate/tests/function_list.test
plugins_aggregate_tests_test_aggregate_SOURCES = plugins/aggregate/tests/test_aggregate.c
plugins_aggregate_tests_test_aggregate_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_aggregate_tests_test_aggregate_LDADD = $(OPTEST_LIBS)
