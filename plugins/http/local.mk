# http: records POSTed to an HTTP endpoint (the source; libmicrohttpd).
# Built only when configure found libmicrohttpd.
if HAVE_MICROHTTPD
plugin_LTLIBRARIES += plugins/http/http.la
dist_plugin_DATA += plugins/http/http.plugin
endif
plugins_http_http_la_SOURCES = \
	plugins/http/plugin.c \
	plugins/http/http_source.h \
	plugins/http/http_source.c \
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
	plugins/http/tests/eos_kafka.test
TESTS += $(HTTP_TESTS)
EXTRA_DIST += $(HTTP_TESTS) plugins/http/tests/http_lib.sh
