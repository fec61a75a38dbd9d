# http: a sink of HTTP requests (libcurl; Debian libcurl4-openssl-dev).
# Built only when configure found libcurl.
if HAVE_LIBCURL
plugin_LTLIBRARIES += plugins/http/http.la
dist_plugin_DATA += plugins/http/http.plugin
endif
plugins_http_http_la_SOURCES = \
	plugins/http/plugin.c \
	plugins/http/http_sink.h \
	plugins/http/http_sink.c \
	plugins/http/http_sink_options.c \
	plugins/http/http_sink_request.c \
	plugins/http/http_sink_response.c
plugins_http_http_la_CFLAGS = $(AM_CFLAGS) $(LIBCURL_CFLAGS)
plugins_http_http_la_LIBADD = $(LIBCURL_LIBS)
plugins_http_http_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# Its tests run jobs against a server of their own (libmicrohttpd) that
# answers as each test tells it; they skip when either is missing.
if HAVE_LIBCURL
if HAVE_MICROHTTPD
check_PROGRAMS += plugins/http/tests/http_test_server \
	plugins/http/tests/test_http_sink_response
endif
endif
plugins_http_tests_http_test_server_SOURCES = plugins/http/tests/http_test_server.c
plugins_http_tests_http_test_server_CFLAGS = $(AM_CFLAGS) $(MICROHTTPD_CFLAGS)
plugins_http_tests_http_test_server_LDADD = $(MICROHTTPD_LIBS) -lpthread
# The pure parts (statuses, Retry-After, redaction), unit-tested.
plugins_http_tests_test_http_sink_response_SOURCES = \
	plugins/http/tests/test_http_sink_response.c \
	plugins/http/http_sink_response.c
plugins_http_tests_test_http_sink_response_CFLAGS = $(AM_CFLAGS) \
	$(LIBCURL_CFLAGS) -I$(top_srcdir)/plugins/http -I$(top_srcdir)/tests/unit
plugins_http_tests_test_http_sink_response_LDADD = $(LIBCURL_LIBS)

HTTP_SINK_TESTS = \
	plugins/http/tests/sink_deliver.test \
	plugins/http/tests/sink_retry.test \
	plugins/http/tests/sink_refused.test \
	plugins/http/tests/sink_dead_letter.test \
	plugins/http/tests/sink_kill.test \
	plugins/http/tests/sink_tls.test \
	plugins/http/tests/sink_validate.test \
	plugins/http/tests/example_alerts.test
if HAVE_LIBCURL
if HAVE_MICROHTTPD
TESTS += plugins/http/tests/test_http_sink_response
endif
endif
TESTS += $(HTTP_SINK_TESTS)
EXTRA_DIST += $(HTTP_SINK_TESTS) plugins/http/tests/http_lib.sh

# `make bench`: NDJSON requests of 500 records against curl posting the
# same bodies to the same server.
bench_scripts += plugins/http/bench/http_sink.sh
