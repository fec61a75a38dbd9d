# source_lib.sh: sourced by the http source's tests (plugins/http/tests/*.test).
#
#   hs_init NAME        work dir ($work), cleanup trap, $SLUICE, a free
#                       port ($port) and the endpoint's base URL ($url)
#   hs_start JOB LOG [ARGS]  run the job in the background ($pid) and
#                       wait until it listens
#   hs_post PATH DATA [CURL-ARGS]  POST DATA: prints "CODE BODY"
#   hs_retry_clients C PER  C clients in the background ($clients), each
#                       sending PER requests, every one until answered 200
#   hs_check_topic TOPIC N WHAT  after hs_retry_clients: N requests
#                       answered 200, each in TOPIC (read_committed) and
#                       once unless a try of it got no answer
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

# hs_client C COUNT: requests "cC-I", each sent until answered 200; a line
# "cC-I CODE CURL-EXIT" per try
hs_client() {
	_i=0
	while [ $_i -lt "$2" ]; do
		_rc=0
		_code=$(curl -s -o /dev/null --max-time 60 -w '%{http_code}' \
			--data-binary "c$1-$_i" "$url/") || _rc=$?
		echo "c$1-$_i $_code $_rc"
		if [ "$_code" = 200 ]; then
			_i=$((_i + 1))
		else
			sleep 0.2
		fi
	done >"$work/client.$1"
}

hs_retry_clients() {
	_c=1
	while [ $_c -le "$1" ]; do
		hs_client $_c "$2" &
		hs_pids="$hs_pids $!"
		_c=$((_c + 1))
	done
	clients=$hs_pids
}

# Requests are clean when every try before their 200 was answered 503 or
# refused before sending (curl exit 7), unsure when a try got no answer.
hs_check_topic() {
	kcat -C -b "$SLUICE_BOOTSTRAP" -t "$1" -o beginning -e -q \
		-X isolation.level=read_committed -f '%s\n' >"$work/topic" ||
		hs_fail "consuming $1"
	cat "$work"/client.* >"$work/tries"
	# clean: every try before the 200 was a 503 or refused before sending
	# (curl exit 7); unsure: some try got no answer
	awk '{ if ($2 != 200 && $2 != 503 && $3 != 7) unsure[$1] = 1; if ($2 == 200) ok[$1] = 1 }
	     END { for (r in ok) print r, (r in unsure) ? "unsure" : "clean" }' \
		"$work/tries" | sort >"$work/requests"
	sort "$work/topic" | uniq -c | awk '{ print $2, $1 }' | sort >"$work/counts"
	join -a 1 -e 0 -o 1.1,1.2,2.2 "$work/requests" "$work/counts" >"$work/joined"
	answered=$(wc -l <"$work/requests")
	[ "$answered" -eq "$2" ] || hs_fail "$answered requests answered 200, not $2"
	missing=$(awk '$3 == 0' "$work/joined" | wc -l)
	clean_dup=$(awk '$2 == "clean" && $3 > 1' "$work/joined" | wc -l)
	unsure=$(awk '$2 == "unsure"' "$work/joined" | wc -l)
	unsure_dup=$(awk '$2 == "unsure" && $3 > 1' "$work/joined" | wc -l)
	tries=$(wc -l <"$work/tries")
	busy=$(awk '$2 == 503' "$work/tries" | wc -l)
	strays=$(join -v 2 "$work/requests" "$work/counts" | wc -l)
	echo "$answered requests by the clients in $3: $tries tries ($busy answered 503)"
	echo "in the topic (read_committed): $(wc -l <"$work/topic") records; missing $missing;" \
		"answered 200 after clean tries and in the topic more than once: $clean_dup"
	echo "retried after a try got no answer: $unsure, of which in the topic twice or more: $unsure_dup"
	[ "$missing" -eq 0 ] || hs_fail "$missing request(s) answered 200 are not in the topic"
	[ "$clean_dup" -eq 0 ] || hs_fail "$clean_dup request(s) answered 200 are in the topic more than once"
	[ "$strays" -eq 0 ] || hs_fail "$strays record(s) in the topic that no client sent"
}
