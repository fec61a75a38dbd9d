# string: the SimpleString format.
plugin_LTLIBRARIES += plugins/string/string.la
plugins_string_string_la_SOURCES = \
	plugins/string/string.c
plugins_string_string_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/lib
plugins_string_string_la_LIBADD = plugins/lib/libsltext.la
plugins_string_string_la_LDFLAGS = $(PLUGIN_LDFLAGS)
dist_plugin_DATA += plugins/string/string.plugin

# Unit test: the real plugin, loaded through the engine's registry and loader.
check_PROGRAMS += plugins/string/tests/string_format
plugins_string_tests_string_format_SOURCES = plugins/string/tests/string_format.c
plugins_string_tests_string_format_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_string_tests_string_format_LDADD = $(OPTEST_LIBS)
TESTS += plugins/string/tests/string_format
