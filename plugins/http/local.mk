# http: a sink of HTTP requests (libcurl; Debian libcurl4-openssl-dev)
# and a source of records POSTed to an endpoint (libmicrohttpd).  Built
# only when configure found both.
if HAVE_LIBCURL
if HAVE_MICROHTTPD
plugin_LTLIBRARIES += plugins/http/http.la
dist_plugin_DATA += plugins/http/http.plugin
endif
endif
plugins_http_http_la_SOURCES = \
	plugins/http/plugin.c \
	plugins/http/http_sink.h \
	plugins/http/http_sink.c \
	plugins/http/http_sink_options.c \
	plugins/http/http_sink_request.c \
	plugins/http/http_sink_response.c \
	plugins/http/http_source.h \
	plugins/http/http_source_internal.h \
	plugins/http/http_source.c \
	plugins/http/http_source_server.c \
	plugins/http/http_source_lines.c \
	plugins/http/http_source_opts.c
plugins_http_http_la_CFLAGS = $(AM_CFLAGS) $(LIBCURL_CFLAGS) $(MICROHTTPD_CFLAGS)
plugins_http_http_la_LIBADD = $(LIBCURL_LIBS) $(MICROHTTPD_LIBS) -lpthread
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
EXTRA_DIST += $(HTTP_SINK_TESTS) plugins/http/tests/sink_lib.sh

# `make bench`: NDJSON requests of 500 records against curl posting the
# same bodies to the same server.
bench_scripts += plugins/http/bench/http_sink.sh

# The source's tests: curl against a real job (file sink; Kafka for exactly-once).
HTTP_TESTS = \
	plugins/http/tests/source_records.test \
	plugins/http/tests/source_refusals.test \
	plugins/http/tests/source_sigterm.test \
	plugins/http/tests/source_backpressure.test \
	plugins/http/tests/source_eos_kafka.test \
	plugins/http/tests/source_eos_abort.test \
	plugins/http/tests/source_example.test \
	plugins/http/tests/bench_serve_kafka.test
TESTS += $(HTTP_TESTS)
EXTRA_DIST += $(HTTP_TESTS) plugins/http/tests/source_lib.sh

# `make bench`: the source into Kafka against a bare libmicrohttpd server
# and against one that answers from librdkafka's delivery report, under
# the same load (http-bench: the baseline servers and the load).  It needs
# libmicrohttpd and librdkafka; configure stops without librdkafka.
# A check program too: bench_serve_kafka.test runs its baseline server.
bench_scripts += plugins/http/bench/http_source.sh
if HAVE_MICROHTTPD
check_PROGRAMS += plugins/http/bench/http-bench
http_bench_tools = plugins/http/bench/http-bench
else
http_bench_tools =
endif
bench: $(http_bench_tools)
plugins_http_bench_http_bench_SOURCES = plugins/http/bench/http-bench.c
plugins_http_bench_http_bench_CFLAGS = $(AM_CFLAGS) $(MICROHTTPD_CFLAGS) \
	$(RDKAFKA_CFLAGS)
plugins_http_bench_http_bench_LDADD = $(MICROHTTPD_LIBS) $(RDKAFKA_LIBS) -lpthread
EXTRA_DIST += plugins/http/bench/http_source.sh
