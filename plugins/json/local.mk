# json: one JSON document per record.  Decoded with simdjson (one C++
# file) when configure found it, else with jansson alone; jansson words
# every error either way (json.c).
plugin_LTLIBRARIES += plugins/json/json.la
plugins_json_json_la_SOURCES = \
	plugins/json/json.c plugins/json/json_internal.h \
	plugins/json/json_simd.h \
	plugins/json/json_decode.c \
	plugins/json/json_encode.c \
	plugins/json/json_scratch.c
plugins_json_json_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -fvisibility=hidden
plugins_json_json_la_LIBADD = $(JANSSON_LIBS)
plugins_json_json_la_LDFLAGS = $(PLUGIN_LDFLAGS)
if HAVE_SIMDJSON
plugins_json_json_la_SOURCES += plugins/json/json_simdjson.cpp
plugins_json_json_la_CXXFLAGS = $(JSON_SIMD_CXXFLAGS)
plugins_json_json_la_LIBADD += $(SIMDJSON_LIBS)
endif
dist_plugin_DATA += plugins/json/json.plugin
# The C++ file: simdjson's error codes, no exceptions, no RTTI.
JSON_SIMD_CXXFLAGS = $(WARN_CXXFLAGS) $(SANITIZER_CXXFLAGS) $(SIMDJSON_CFLAGS) \
	-fno-exceptions -fno-rtti -fvisibility=hidden -fvisibility-inlines-hidden
# Automake links with C++ whenever a target may have a C++ source; the
# plugin is C alone without simdjson, and links as C then.  Linking as
# C++, libtool's -export-symbols-regex only trims the static symbol table
# (-retain-symbols-file): -fvisibility=hidden above is what keeps every
# name but the entry point (SL_EXPORT) out of the dynamic one.
if HAVE_SIMDJSON
plugins_json_json_la_LINK = $(LIBTOOL) $(AM_V_lt) --tag=CXX \
	$(AM_LIBTOOLFLAGS) $(LIBTOOLFLAGS) --mode=link $(CXXLD) \
	$(plugins_json_json_la_CXXFLAGS) $(CXXFLAGS) \
	$(plugins_json_json_la_LDFLAGS) $(LDFLAGS) -o $@
else
plugins_json_json_la_LINK = $(LIBTOOL) $(AM_V_lt) --tag=CC \
	$(AM_LIBTOOLFLAGS) $(LIBTOOLFLAGS) --mode=link $(CCLD) \
	$(plugins_json_json_la_CFLAGS) $(CFLAGS) \
	$(plugins_json_json_la_LDFLAGS) $(LDFLAGS) -o $@
endif

# Unit test: the real plugin, loaded through the engine's registry and
# loader; and JSON lines through a real job.
check_PROGRAMS += plugins/json/tests/json_format
plugins_json_tests_json_format_SOURCES = plugins/json/tests/json_format.c
plugins_json_tests_json_format_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_json_tests_json_format_LDADD = $(OPTEST_LIBS)
TESTS += plugins/json/tests/json_format plugins/json/tests/json.test \
	plugins/json/tests/exports.test
EXTRA_DIST += plugins/json/tests/json.test plugins/json/tests/exports.test
