# pg_lib.sh: sourced by the postgresql sink's tests.
#
#   pg_init NAME [kafka]  work dir, cleanup trap, $SLUICE, a PostgreSQL
#                         server of the test's own (sl_psql), and with
#                         `kafka` a broker ($SLUICE_BOOTSTRAP); $in names
#                         an input topic and $job the job, after NAME and
#                         the pid
#   pg_start FILE LOG [ARGS...]   run the job in the background: $pid
#   pg_random_delay MIN MAX       MIN..MAX seconds, in tenths
#
# POSIX sh; the caller sets -eu.

pg_fail() { echo "FAIL: $*" >&2; exit 1; }

pg_init() {
	here=$(cd "$(dirname "$0")" && pwd)
	: "${top_srcdir:=$(cd "$here/../../.." && pwd)}"
	: "${top_builddir:=$top_srcdir}"
	SLUICE=${SLUICE:-$top_builddir/core/sluice}
	SLUICE_PG_HOME=$top_srcdir/tests/postgres
	SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
	export SLUICE_PG_HOME SLUICE_KAFKA_HOME
	. "$SLUICE_PG_HOME/pg-env.sh"
	work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$1.XXXXXX")
	pid=
	trap 'pg_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	"$SLUICE" plugins postgresql >/dev/null 2>&1 ||
		sl_no_postgres "the postgresql plugin was not built (configure found no libpq: apt-get install libpq-dev)"
	if [ "${2:-}" = kafka ]; then
		. "$SLUICE_KAFKA_HOME/kafka-env.sh"
		sl_need_kafka
	fi
	sl_need_postgres "$work/pg"
	in=$1-in-$$
	job=$1-$$
}

pg_cleanup() {
	rc=$?
	[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
	sl_pg_stop
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		for f in "$work"/*.log; do
			[ -f "$f" ] || continue
			echo "--- $f (last 15 lines)" >&2
			tail -n 15 "$f" >&2
		done
	fi
	[ -n "${SLUICE_KEEP:-}" ] || rm -rf "$work"
	exit $rc
}

pg_start() {
	_f=$1 _log=$2
	shift 2
	"$SLUICE" run "$_f" "$@" >>"$_log" 2>&1 &
	pid=$!
}

pg_random_delay() {
	_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	_t=$(( $1 * 10 + _r % (($2 - $1) * 10 + 1) ))
	echo "$((_t / 10)).$((_t % 10))"
}
