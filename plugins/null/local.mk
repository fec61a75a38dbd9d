# null: a sink that discards records.
plugin_LTLIBRARIES += plugins/null/null.la
plugins_null_null_la_SOURCES = plugins/null/null.c
plugins_null_null_la_LDFLAGS = $(PLUGIN_LDFLAGS)
dist_plugin_DATA += plugins/null/null.plugin

TESTS += plugins/null/tests/null.test
EXTRA_DIST += plugins/null/tests/null.test
