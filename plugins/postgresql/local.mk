# postgresql: a sink into a PostgreSQL table (libpq; Debian libpq-dev).
# Built only when configure found libpq.
if HAVE_LIBPQ
plugin_LTLIBRARIES += plugins/postgresql/postgresql.la
dist_plugin_DATA += plugins/postgresql/postgresql.plugin
endif
plugins_postgresql_postgresql_la_SOURCES = \
	plugins/postgresql/pg_internal.h \
	plugins/postgresql/pg_options.c \
	plugins/postgresql/pg_rows.c \
	plugins/postgresql/pg_conn.c \
	plugins/postgresql/pg_positions.c \
	plugins/postgresql/pg_state.c \
	plugins/postgresql/pg_store.c \
	plugins/postgresql/pg_sink.h \
	plugins/postgresql/pg_session.c \
	plugins/postgresql/pg_send.c \
	plugins/postgresql/pg_stream.c \
	plugins/postgresql/pg_txn.c \
	plugins/postgresql/pg_sink.c
plugins_postgresql_postgresql_la_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
plugins_postgresql_postgresql_la_LIBADD = $(LIBPQ_LIBS) $(LIBM)
plugins_postgresql_postgresql_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# Its tests: validate's refusals (no server), and against a real
# PostgreSQL (tests/postgres/pg-local.sh) and a real Kafka broker.
PG_TESTS = \
	plugins/postgresql/tests/eos_fence.test \
	plugins/postgresql/tests/eos_server.test \
	plugins/postgresql/tests/eos_crash.test \
	plugins/postgresql/tests/eos_window_kill.test \
	plugins/postgresql/tests/upsert_kill.test \
	plugins/postgresql/tests/server_restart.test \
	plugins/postgresql/tests/kafka_insert.test \
	plugins/postgresql/tests/row_errors.test \
	plugins/postgresql/tests/stream_errors.test \
	plugins/postgresql/tests/example.test \
	plugins/postgresql/tests/validate.test
TESTS += $(PG_TESTS)
EXTRA_DIST += $(PG_TESTS) plugins/postgresql/tests/pg_lib.sh

# `make bench`: insert and upsert against psql \copy of the same rows;
# exactly-once against at-least-once from Kafka.
bench_scripts += plugins/postgresql/bench/postgresql.sh \
	plugins/postgresql/bench/postgresql-eos.sh
