# Sourced by the http sink's tests: a scratch folder, the test server
# (http_test_server.c) started and stopped, job files with a file source
# and an http sink.  The caller sets `name` before sourcing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SLUICE=${SLUICE:-$top_builddir/core/sluice}
SERVER=$top_builddir/plugins/http/tests/http_test_server
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-http-${name:-test}.XXXXXX")
server_pids=
cleanup() {
	for p in $server_pids; do
		kill "$p" 2>/dev/null || :
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
fail() { echo "FAIL: $*" >&2; exit 1; }

if ! "$SLUICE" plugins http >/dev/null 2>&1; then
	[ -z "${CI:-}" ] || fail "the http plugin was not built in CI"
	echo "SKIP: the http plugin was not built (apt-get install libcurl4-openssl-dev)"
	exit 77
fi
if [ ! -x "$SERVER" ]; then
	[ -z "${CI:-}" ] || fail "the test server was not built in CI"
	echo "SKIP: no test server (libmicrohttpd-dev; make check builds it)"
	exit 77
fi

# server_start NAME [SERVER-OPTIONS...]: a server whose accepted bodies go
# to $work/NAME.out and whose requests are logged to $work/NAME.log; sets
# $port and $server_pid.
server_start() {
	_n=$1
	shift
	rm -f "$work/$_n.port"
	: >"$work/$_n.out"
	"$SERVER" --port-file "$work/$_n.port" --out "$work/$_n.out" \
		--log "$work/$_n.log" "$@" 2>>"$work/$_n.server-err" &
	server_pid=$!
	server_pids="$server_pids $server_pid"
	_t=0
	while [ ! -s "$work/$_n.port" ]; do
		kill -0 "$server_pid" 2>/dev/null ||
			fail "the test server did not start: $(cat "$work/$_n.server-err")"
		_t=$((_t + 1))
		[ $_t -lt 100 ] || fail "the test server wrote no port"
		sleep 0.1
	done
	port=$(cat "$work/$_n.port")
}

server_stop() {
	kill "$server_pid" 2>/dev/null || :
	wait "$server_pid" 2>/dev/null || :
}

# records N FILE: N JSON records {"n":1} .. {"n":N}, one per line
records() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"n\":%d}\n", i }' >"$2"
}

# job NAME INPUT SINK-LINES: $work/NAME.ini, the lines of INPUT (JSON)
# POSTed to the server at $port, path /NAME
job() {
	cat >"$work/$1.ini" <<-EOF
	[job]
	name = http-$1

	[source in]
	plugin = file
	path = $2
	format = json

	[sink out]
	plugin = http
	url = http://127.0.0.1:$port/$1
	format = json
	$3
	EOF
}

# run NAME: run $work/NAME.ini; its exit code in $rc, output in NAME.err
run() {
	rc=0
	"$SLUICE" run "$work/$1.ini" >"$work/$1.stdout" 2>"$work/$1.err" || rc=$?
}

# same WANT GOT WHAT: the files are equal
same() {
	cmp -s "$1" "$2" || fail "$3: delivered differs from what was sent:
$(diff "$1" "$2" | head -n 20)"
}
