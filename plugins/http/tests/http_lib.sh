# http_lib.sh: sourced by the http source's tests (plugins/http/tests/*.test).
#
#   hs_init NAME        work dir ($work), cleanup trap, $SLUICE, a free
#                       port ($port) and the endpoint's base URL ($url)
#   hs_start JOB LOG [ARGS]  run the job in the background ($pid) and
#                       wait until it listens
#   hs_post PATH DATA [CURL-ARGS]  POST DATA: prints "CODE BODY"
#   hs_fail MESSAGE     fail the test
#
# POSIX sh; the caller sets -eu.

hs_fail() { echo "FAIL: $*" >&2; exit 1; }
die() { hs_fail "$@"; }

hs_init() {
	here=$(cd "$(dirname "$0")" && pwd)
	: "${top_srcdir:=$(cd "$here/../../.." && pwd)}"
	: "${top_builddir:=$top_srcdir}"
	SLUICE=${SLUICE:-$top_builddir/core/sluice}
	command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
	"$SLUICE" plugins http >/dev/null 2>&1 ||
		{ echo "SKIP: no http plugin (built without libmicrohttpd)"; exit 77; }
	. "$top_srcdir/tests/lib/ports.sh"
	work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$1.XXXXXX")
	pid=
	hs_pids=
	trap 'hs_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	port=$(pick_port 21000 8000)
	url=http://127.0.0.1:$port
}

hs_cleanup() {
	rc=$?
	for _p in $pid $hs_pids; do
		kill -KILL "$_p" 2>/dev/null || true
	done
	[ -z "${hs_private:-}" ] || sh "$SLUICE_KAFKA_HOME/kafka-local.sh" stop "$hs_private" || true
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

# Wait up to 20 s for the job's endpoint: any HTTP answer will do.
hs_wait_listening() {
	_i=0
	while [ $_i -lt 200 ]; do
		_c=$(curl -s -o /dev/null -w '%{http_code}' "$url/--probe" 2>/dev/null) || true
		[ "$_c" = 000 ] || return 0
		kill -0 "$pid" 2>/dev/null || hs_fail "the job ended before it listened"
		sleep 0.1
		_i=$((_i + 1))
	done
	hs_fail "the job did not listen on $url within 20 s"
}

hs_start() {
	_job=$1 _log=$2
	shift 2
	"$SLUICE" run "$_job" "$@" 2>>"$_log" &
	pid=$!
	hs_wait_listening
}

hs_post() {
	_path=$1 _data=$2
	shift 2
	rm -f "$work/body.$$" "$work/code.$$"
	curl -s --max-time 30 -o "$work/body.$$" -w '%{http_code}' --data-binary "$_data" \
		"$@" "$url$_path" >"$work/code.$$" 2>/dev/null || true
	printf '%s %s\n' "$(cat "$work/code.$$")" "$(cat "$work/body.$$" 2>/dev/null)"
}
