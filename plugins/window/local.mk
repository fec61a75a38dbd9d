# window: tumbling, hopping and session windows per key on event, record or processing time.
plugin_LTLIBRARIES += plugins/window/window.la
plugins_window_window_la_SOURCES = plugins/window/window.c \
	plugins/window/window_fire.c plugins/window/window_key.c \
	plugins/window/window_panes.c plugins/window/window_session.c \
	plugins/window/window_index.c plugins/window/window_index.h \
	plugins/window/window_shared.h
plugins_window_window_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_window_window_la_LIBADD = plugins/lib/libslop.la
dist_plugin_DATA += plugins/window/window.plugin

check_PROGRAMS += plugins/window/tests/test_window \
	plugins/window/tests/test_hopping plugins/window/tests/test_session \
	plugins/window/tests/test_window_index
TESTS += plugins/window/tests/test_window plugins/window/tests/test_hopping \
	plugins/window/tests/test_session plugins/window/tests/test_window_index \
	plugins/window/tests/function_list.test plugins/window/tests/hopping.test \
	plugins/window/tests/session.test \
	plugins/window/tests/independent.test
EXTRA_DIST += plugins/window/tests/function_list.test \
	plugins/window/tests/hopping.test plugins/window/tests/session.test \
	plugins/window/tests/independent.test \
	plugins/window/tests/independent.py
plugins_window_tests_test_window_SOURCES = plugins/window/tests/test_window.c
plugins_window_tests_test_window_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_window_tests_test_window_LDADD = $(OPTEST_LIBS)
plugins_window_tests_test_hopping_SOURCES = plugins/window/tests/test_hopping.c \
	plugins/window/tests/window_events.h
plugins_window_tests_test_hopping_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_window_tests_test_hopping_LDADD = $(OPTEST_LIBS)
plugins_window_tests_test_session_SOURCES = plugins/window/tests/test_session.c \
	plugins/window/tests/window_events.h
plugins_window_tests_test_session_CPPFLAGS = $(OPTEST_CPPFLAGS)
plugins_window_tests_test_session_LDADD = $(OPTEST_LIBS)
plugins_window_tests_test_window_index_SOURCES = \
	plugins/window/tests/test_window_index.c plugins/window/window_index.c
plugins_window_tests_test_window_index_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit

# make bench: open windows and memory at scale, with event-time alignment
# and without (real broker); the CPU the repartition hop costs; hopping
# windows' CPU against tumbling (file to file); session state against
# open sessions.
bench_scripts += plugins/window/bench/event_time.sh plugins/window/bench/hop.sh \
	plugins/window/bench/hopping_cost.sh plugins/window/bench/session_state.sh
