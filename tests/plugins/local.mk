# Test-only plugins: a wrong ABI stamp, a missing entry symbol, NULL
# callbacks, an unresolved symbol, and a pass-through operator for wiring
# tests and benchmarks.  -rpath makes
# libtool build shared modules for check_LTLIBRARIES.
TEST_PLUGIN_LDFLAGS = -module -avoid-version -shared -rpath $(abs_builddir) \
	$(SANITIZER_CFLAGS)

check_LTLIBRARIES += tests/plugins/badabi/badabi.la \
	tests/plugins/noentry/noentry.la \
	tests/plugins/nullcb/noopen.la \
	tests/plugins/nullcb/noprocess.la \
	tests/plugins/nullcb/nodecode.la \
	tests/plugins/unresolved/unresolved.la \
	tests/plugins/passthrough/passthrough.la
tests_plugins_badabi_badabi_la_SOURCES = tests/plugins/badabi/badabi.c
tests_plugins_badabi_badabi_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_noentry_noentry_la_SOURCES = tests/plugins/noentry/noentry.c
tests_plugins_noentry_noentry_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_nullcb_noopen_la_SOURCES = tests/plugins/nullcb/nullcb.c
tests_plugins_nullcb_noopen_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DNULLCB_NAME='"noopen"' -DNULLCB_NO_OPEN
tests_plugins_nullcb_noopen_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_nullcb_noprocess_la_SOURCES = tests/plugins/nullcb/nullcb.c
tests_plugins_nullcb_noprocess_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DNULLCB_NAME='"noprocess"' -DNULLCB_NO_PROCESS
tests_plugins_nullcb_noprocess_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_nullcb_nodecode_la_SOURCES = tests/plugins/nullcb/nullcb.c
tests_plugins_nullcb_nodecode_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DNULLCB_NAME='"nodecode"' -DNULLCB_NO_DECODE
tests_plugins_nullcb_nodecode_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
# Built with its undefined symbol: a shared object may have one.
tests_plugins_unresolved_unresolved_la_SOURCES = \
	tests/plugins/unresolved/unresolved.c
tests_plugins_unresolved_unresolved_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_passthrough_passthrough_la_SOURCES = tests/plugins/passthrough/passthrough.c
tests_plugins_passthrough_passthrough_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS) \
	-export-symbols-regex '^sluice_plugin_entry$$'
EXTRA_DIST += tests/plugins/badabi/badabi.plugin \
	tests/plugins/noentry/noentry.plugin \
	tests/plugins/nullcb/noopen.plugin \
	tests/plugins/nullcb/noprocess.plugin \
	tests/plugins/nullcb/nodecode.plugin \
	tests/plugins/unresolved/unresolved.plugin \
	tests/plugins/passthrough/passthrough.plugin
