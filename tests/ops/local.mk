# Operating a job: the HTTP endpoint of http.listen (/metrics, /health,
# /ready, /status; a real Prometheus scraping it), the JSON log, and with
# Kafka, per-partition positions and lag, state and transactions;
# Dockerfile and systemd unit checks; the endpoint's HTTP (keep-alive,
# paths) and under abuse.  Helpers: a JSON-lines checker (jansson), a
# free loopback port for Prometheus, and HTTP clients good and hostile
# (http-clients.py).
OPS_TESTS = tests/ops/logs.test tests/ops/docker.test tests/ops/address-space.test
if HAVE_SYSTEMD_UNITDIR
OPS_TESTS += tests/ops/unit.test
endif
if HAVE_MICROHTTPD
OPS_TESTS += tests/ops/endpoint.test tests/ops/prometheus.test \
	tests/ops/kafka-state.test \
	tests/ops/kafka-lag.test tests/ops/endpoint-http.test \
	tests/ops/endpoint-fds.test tests/ops/endpoint-slowloris.test \
	tests/ops/kafka-sink-topic.test
endif
TESTS += $(OPS_TESTS)
EXTRA_DIST += tests/ops/logs.test tests/ops/endpoint.test \
	tests/ops/address-space.test \
	tests/ops/prometheus.test tests/ops/kafka-lag.test tests/ops/ops_lib.sh \
	tests/ops/unit.test tests/ops/docker.test tests/ops/kafka-state.test \
	tests/ops/endpoint-http.test tests/ops/http-clients.py \
	tests/ops/endpoint-fds.test tests/ops/endpoint-slowloris.test \
	tests/ops/kafka-sink-topic.test
check_PROGRAMS += tests/ops/json-lines tests/ops/free-port
tests_ops_json_lines_SOURCES = tests/ops/json-lines.c
tests_ops_json_lines_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_ops_json_lines_LDADD = $(JANSSON_LIBS)
tests_ops_free_port_SOURCES = tests/ops/free-port.c
# `make bench`: the endpoint's cost to the data path, against the same job
# without it, in the same run.
bench_scripts += tests/ops/bench.sh
bench: tests/ops/free-port
