# file: source (lines of a file or stdin) and sink (lines to a file or stdout).
plugin_LTLIBRARIES += plugins/file/file.la
plugins_file_file_la_SOURCES = \
	plugins/file/file.c plugins/file/file.h \
	plugins/file/file_fields.c plugins/file/file_fields.h \
	plugins/file/file_source.c \
	plugins/file/file_sink.c
plugins_file_file_la_LDFLAGS = $(PLUGIN_LDFLAGS)
dist_plugin_DATA += plugins/file/file.plugin

TESTS += plugins/file/tests/file.test
EXTRA_DIST += plugins/file/tests/file.test
