# json: one JSON document per record, read with jansson.
plugin_LTLIBRARIES += plugins/json/json.la
plugins_json_json_la_SOURCES = \
	plugins/json/json.c plugins/json/json_internal.h \
	plugins/json/json_decode.c \
	plugins/json/json_encode.c \
	plugins/json/json_scratch.c
plugins_json_json_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_json_json_la_LIBADD = $(JANSSON_LIBS)
plugins_json_json_la_LDFLAGS = $(PLUGIN_LDFLAGS)
dist_plugin_DATA += plugins/json/json.plugin

# Unit test: the real plugin, loaded through the engine's registry and
# loader; and JSON lines through a real job.
check_PROGRAMS += plugins/json/tests/json_format
plugins_json_tests_json_format_SOURCES = plugins/json/tests/json_format.c
plugins_json_tests_json_format_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_json_tests_json_format_LDADD = $(OPTEST_LIBS)
TESTS += plugins/json/tests/json_format plugins/json/tests/json.test
EXTRA_DIST += plugins/json/tests/json.test
