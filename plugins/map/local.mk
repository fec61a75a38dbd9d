# map: rewrite each record's value with expressions.
plugin_LTLIBRARIES += plugins/map/map.la
plugins_map_map_la_SOURCES = plugins/map/map.c plugins/map/map.h \
	plugins/map/map_path.c
plugins_map_map_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_map_map_la_LIBADD = plugins/lib/libslop.la
dist_plugin_DATA += plugins/map/map.plugin

check_PROGRAMS += plugins/map/tests/test_map
TESTS += plugins/map/tests/test_map
plugins_map_tests_test_map_SOURCES = plugins/map/tests/test_map.c
plugins_map_tests_test_map_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_map_tests_test_map_LDADD = $(OPTEST_LIBS)
