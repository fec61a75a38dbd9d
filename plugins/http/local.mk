# http: records POSTed to an HTTP endpoint (the source; libmicrohttpd).
# Built only when configure found libmicrohttpd.
if HAVE_MICROHTTPD
plugin_LTLIBRARIES += plugins/http/http.la
dist_plugin_DATA += plugins/http/http.plugin
endif
plugins_http_http_la_SOURCES = \
	plugins/http/plugin.c \
	plugins/http/http_source.h \
	plugins/http/http_source_internal.h \
	plugins/http/http_source.c \
	plugins/http/http_source_server.c \
	plugins/http/http_source_lines.c \
	plugins/http/http_source_opts.c
plugins_http_http_la_CFLAGS = $(AM_CFLAGS) $(MICROHTTPD_CFLAGS)
plugins_http_http_la_LIBADD = $(MICROHTTPD_LIBS) -lpthread
plugins_http_http_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# Its tests: curl against a real job (file sink; Kafka for exactly-once).
HTTP_TESTS = \
	plugins/http/tests/records.test \
	plugins/http/tests/refusals.test \
	plugins/http/tests/sigterm.test \
	plugins/http/tests/backpressure.test \
	plugins/http/tests/eos_kafka.test \
	plugins/http/tests/eos_abort.test \
	plugins/http/tests/example.test
TESTS += $(HTTP_TESTS)
EXTRA_DIST += $(HTTP_TESTS) plugins/http/tests/http_lib.sh

# `make bench`: the source into Kafka against a bare libmicrohttpd server
# under the same load (http-bench: the baseline server and the load).
bench_scripts += plugins/http/bench/http_source.sh
EXTRA_PROGRAMS += plugins/http/bench/http-bench
if HAVE_MICROHTTPD
http_bench_tools = plugins/http/bench/http-bench
else
http_bench_tools =
endif
bench: $(http_bench_tools)
plugins_http_bench_http_bench_SOURCES = plugins/http/bench/http-bench.c
plugins_http_bench_http_bench_CFLAGS = $(AM_CFLAGS) $(MICROHTTPD_CFLAGS)
plugins_http_bench_http_bench_LDADD = $(MICROHTTPD_LIBS) -lpthread
CLEANFILES += plugins/http/bench/http-bench
EXTRA_DIST += plugins/http/bench/http_source.sh
