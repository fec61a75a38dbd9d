# ops_lib.sh: sourced by the tests of the HTTP endpoint (http.listen) and
# the JSON log (tests/ops/*.test).
#
#   ops_init NAME        $work (removed at exit), $SLUICE, $id
#   ops_need TOOL PACKAGE  skip (77) without TOOL, or fail (99) in CI
#   ops_start NAME [ARGS] run $work/NAME.ini in the background ($pid, its
#                        stderr in $work/NAME.err, stdin from $ops_stdin
#                        or /dev/null) and wait for the endpoint: $url
#   get PATH             GET $url/PATH: body in $work/body, status in $code
#   metric NAME LABELS   the value of the sample NAME{LABELS} in $work/metrics
#                        (LABELS as written: job="x",stage="y"), or nothing
#   wait_metric SECONDS NAME LABELS VALUE   scrape until it has that value
#   ok / bad / ops_done  one line per check, then the tally
#
# POSIX sh.
ops_init() {
	here=$(cd "$(dirname "$0")" && pwd)
	: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
	: "${top_builddir:=$top_srcdir}"
	SLUICE=${SLUICE:-$top_builddir/core/sluice}
	SLUICE_PLUGIN_PATH=${SLUICE_PLUGIN_PATH:-$top_builddir/plugins:$top_srcdir/plugins}
	JSON_LINES=$top_builddir/tests/ops/json-lines
	FREE_PORT=$top_builddir/tests/ops/free-port
	export SLUICE_PLUGIN_PATH
	work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$1.XXXXXX") || exit 99
	id=$1-$$
	pass=0 fail=0 ops_pids= ops_stdin=/dev/null
	trap 'ops_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
}

ops_need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ -n "${CI:-}" ]; then
		echo "ERROR: $1 missing in CI (apt-get install $2; tests/setup-debian.sh)"
		exit 99
	fi
	echo "SKIP: $1 not installed (apt-get install $2)"
	exit 77
}

ops_cleanup() {
	_rc=$?
	for _p in $ops_pids; do
		kill -KILL "$_p" 2>/dev/null || true
	done
	if [ $_rc -ne 0 ] && [ $_rc -ne 77 ]; then
		for _f in "$work"/*.err "$work"/*.log; do
			[ -s "$_f" ] || continue
			echo "--- $_f (last 15 lines)"
			tail -n 15 "$_f"
		done
	fi
	rm -rf "$work"
	exit $_rc
}

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

ops_done() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# The job logs where it listens (http.listen = 127.0.0.1:0 picks a port).
ops_start() {
	_n=$1
	shift
	# fds 3 and 4 are the test's ends of pipes: the job must not hold them
	"$SLUICE" run "$work/$_n.ini" "$@" <"$ops_stdin" >"$work/$_n.stdout" 3>&- 4>&- \
		2>"$work/$_n.err" &
	pid=$!
	ops_pids="$ops_pids $pid"
	_end=$(($(date +%s) + 30))
	url=
	while [ -z "$url" ]; do
		url=$(sed -n 's|.*serving /metrics.* on \(http://[^ "]*\)/.*|\1|p' \
			"$work/$_n.err" 2>/dev/null | head -n 1)
		[ -n "$url" ] && break
		if [ "$(date +%s)" -ge "$_end" ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "the job did not start serving:"
			cat "$work/$_n.err"
			exit 99
		fi
		sleep 0.1
	done
}

get() {
	code=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 10 "$url$1")
}

metric() {
	get /metrics
	cp "$work/body" "$work/metrics"
	awk -v want="$1{$2}" '$1 == want { print $2 }' "$work/metrics"
}

wait_metric() {
	_end=$(($(date +%s) + $1))
	while [ "$(metric "$2" "$3")" != "$4" ]; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}
