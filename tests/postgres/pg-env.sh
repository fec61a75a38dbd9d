# pg-env.sh: sourced by POSIX-sh tests that need a PostgreSQL server.
#
#   sl_need_postgres DIR   start a server of the test's own in DIR (a new
#                          folder) and export SLUICE_PG_CONNINFO (no
#                          password in it) and SLUICE_PG_PASSWORD; or leave
#                          the test: exit 77 (skip, saying why), or 99
#                          (hard error) when $CI is set
#   sl_pg_stop             stop it (for the test's EXIT trap; idempotent)
#   sl_pg_pause / sl_pg_resume   fast shutdown / start again, same port
#   sl_psql ARGS...        psql on that server, quiet, unaligned, stops on
#                          the first error
#
# The server is started by tests/postgres/pg-local.sh, looked for in
# $SLUICE_PG_HOME, beside the test and in $srcdir/tests/postgres.

sl_pg_local() {
	for _sl_d in "${SLUICE_PG_HOME:-}" "$(dirname "$0")" \
		"${srcdir:-.}/tests/postgres" "${top_srcdir:-.}/tests/postgres"; do
		if [ -n "$_sl_d" ] && [ -f "$_sl_d/pg-local.sh" ]; then
			echo "$(cd "$_sl_d" && pwd)/pg-local.sh"
			return 0
		fi
	done
	return 1
}

sl_no_postgres() {
	if [ -n "${CI:-}" ]; then
		echo "ERROR: PostgreSQL needed but unavailable in CI: $*" >&2
		exit 99
	fi
	echo "SKIP: $* (Debian: apt-get install postgresql)"
	exit 77
}

sl_need_postgres() {
	SL_PG_LOCAL=$(sl_pg_local) || sl_no_postgres "pg-local.sh not found"
	command -v psql >/dev/null 2>&1 || sl_no_postgres "psql not installed"
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
		[ -n "${SLUICE_PG_BIN:-}" ] ||
		sl_no_postgres "no PostgreSQL server (initdb) installed"
	if [ "$(id -u)" -eq 0 ] && ! id "${SLUICE_PG_USER:-postgres}" >/dev/null 2>&1; then
		sl_no_postgres "running as root without a user postgres to run the server"
	fi
	SL_PG_DIR=$1
	SLUICE_PG_CONNINFO=$(sh "$SL_PG_LOCAL" start "$SL_PG_DIR") ||
		sl_no_postgres "could not start PostgreSQL (messages above)"
	SLUICE_PG_PASSWORD=$(cat "$SL_PG_DIR/password")
	export SLUICE_PG_CONNINFO SLUICE_PG_PASSWORD
}

sl_pg_stop() {
	[ -z "${SL_PG_DIR:-}" ] || sh "$SL_PG_LOCAL" stop "$SL_PG_DIR" || true
}

sl_pg_pause() {
	sh "$SL_PG_LOCAL" stop "$SL_PG_DIR"
}

sl_pg_resume() {
	sh "$SL_PG_LOCAL" resume "$SL_PG_DIR" >/dev/null
}

sl_psql() {
	PGPASSWORD=$SLUICE_PG_PASSWORD psql "$SLUICE_PG_CONNINFO" -X -q -A -t \
		-v ON_ERROR_STOP=1 "$@"
}
