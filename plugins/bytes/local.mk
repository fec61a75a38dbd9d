# bytes: a record's bytes as they are (binary, Avro, Protobuf pass through).
plugin_LTLIBRARIES += plugins/bytes/bytes.la
plugins_bytes_bytes_la_SOURCES = \
	plugins/bytes/bytes.c
plugins_bytes_bytes_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/lib
plugins_bytes_bytes_la_LIBADD = plugins/lib/libsltext.la
plugins_bytes_bytes_la_LDFLAGS = $(PLUGIN_LDFLAGS)
dist_plugin_DATA += plugins/bytes/bytes.plugin

# Unit test: the real plugin, loaded through the engine's registry and loader.
check_PROGRAMS += plugins/bytes/tests/bytes_format
plugins_bytes_tests_bytes_format_SOURCES = plugins/bytes/tests/bytes_format.c
plugins_bytes_tests_bytes_format_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_bytes_tests_bytes_format_LDADD = $(OPTEST_LIBS)
TESTS += plugins/bytes/tests/bytes_format

# The format in real jobs (file to file, no broker).
TESTS += plugins/bytes/tests/bytes_jobs.test
EXTRA_DIST += plugins/bytes/tests/bytes_jobs.test

# `make bench`: passthrough.ini with bytes against string, same input.
bench_scripts += plugins/bytes/bench/bytes.sh
EXTRA_DIST += plugins/bytes/bench/bytes.sh
