# filter: keep the records for which an expression is true.
plugin_LTLIBRARIES += plugins/filter/filter.la
plugins_filter_filter_la_SOURCES = plugins/filter/filter.c
plugins_filter_filter_la_LDFLAGS = $(PLUGIN_LDFLAGS)
dist_plugin_DATA += plugins/filter/filter.plugin

check_PROGRAMS += plugins/filter/tests/test_filter
TESTS += plugins/filter/tests/test_filter
plugins_filter_tests_test_filter_SOURCES = plugins/filter/tests/test_filter.c
plugins_filter_tests_test_filter_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_filter_tests_test_filter_LDADD = $(OPTEST_LIBS)
