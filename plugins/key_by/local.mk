# key_by: set each record's key from a field or an expression.
plugin_LTLIBRARIES += plugins/key_by/key_by.la
plugins_key_by_key_by_la_SOURCES = plugins/key_by/key_by.c
plugins_key_by_key_by_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_key_by_key_by_la_LIBADD = plugins/lib/libslop.la
dist_plugin_DATA += plugins/key_by/key_by.plugin

check_PROGRAMS += plugins/key_by/tests/test_key_by
TESTS += plugins/key_by/tests/test_key_by
plugins_key_by_tests_test_key_by_SOURCES = plugins/key_by/tests/test_key_by.c
plugins_key_by_tests_test_key_by_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_key_by_tests_test_key_by_LDADD = $(OPTEST_LIBS)
