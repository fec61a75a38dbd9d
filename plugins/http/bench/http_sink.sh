#!/bin/sh
# The http sink against curl, in the same run, to the same local test
# server (plugins/http/tests/http_test_server): N JSON records as NDJSON
# requests of 500 lines,
#
#   curl, one process keeping its connection, POSTing the file cut in
#   files of 500 lines (the baseline)
#   sluice, file source -> http sink with batch.max.records = 500
#
# best of REPS; records/s and the ratio sluice / curl.  The server
# checks nothing and appends each body to a file, for both.
# Env: SLUICE, top_builddir (set by `make bench`), SLUICE_BENCH_HTTP_RECORDS
# (200000), SLUICE_BENCH_HTTP_REPS (3).
set -eu
: "${SLUICE:?}" "${top_builddir:?}"
N=${SLUICE_BENCH_HTTP_RECORDS:-200000}
REPS=${SLUICE_BENCH_HTTP_REPS:-3}
SERVER=$top_builddir/plugins/http/tests/http_test_server

if ! "$SLUICE" plugins http >/dev/null 2>&1; then
	echo "http benchmark skipped: the plugin was not built (libcurl4-openssl-dev)"
	exit 0
fi
if [ ! -x "$SERVER" ]; then
	make -C "$top_builddir" plugins/http/tests/http_test_server >/dev/null 2>&1 || {
		echo "http benchmark skipped: no test server (libmicrohttpd-dev)"
		exit 0
	}
fi
command -v curl >/dev/null 2>&1 || {
	echo "http benchmark skipped: no curl"
	exit 0
}
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-http.XXXXXX")
server_pid=
trap '[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

"$SERVER" --port-file "$work/port" --out "$work/out" 2>"$work/server.err" &
server_pid=$!
i=0
while [ ! -s "$work/port" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "http benchmark: the server did not start" >&2; exit 1; }
	sleep 0.1
done
url=http://127.0.0.1:$(cat "$work/port")/bench

awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf "{\"id\":%d,\"user\":\"u%d\",\"kind\":\"click\",\"amount\":%d.5}\n",
		i, i % 1000, i }' >"$work/rows.json"
mkdir "$work/chunks"
split -l 500 -a 5 "$work/rows.json" "$work/chunks/c"
# `next` between requests, not after the last: that would be one more
for f in "$work"/chunks/c*; do
	[ "$f" = "$work/chunks/caaaaa" ] || echo next
	printf 'url = "%s"\ndata-binary = "@%s"\nheader = "Content-Type: application/x-ndjson"\n' \
		"$url" "$f"
done >"$work/curl.conf"

cat >"$work/job.ini" <<EOF
[job]
name = bench-http

[source in]
plugin = file
path = $work/rows.json
format = json

[sink out]
plugin = http
url = $url
format = json
batch.max.records = 500
EOF

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# best COMMAND...: the best of REPS wall times in ms; the server must
# have received all N records each time
best() {
	_best=
	for _r in $(seq "$REPS"); do
		: >"$work/out"
		_s=$(now_ms)
		"$@" >/dev/null 2>"$work/cmd.err" ||
			{ echo "http benchmark: $* failed: $(cat "$work/cmd.err")" >&2; exit 1; }
		_ms=$(($(now_ms) - _s))
		[ "$(wc -l <"$work/out")" -eq "$N" ] ||
			{ echo "http benchmark: the server did not get $N records from $1" >&2; exit 1; }
		[ -n "$_best" ] && [ "$_best" -le "$_ms" ] || _best=$_ms
	done
	echo "$_best"
}

curl_ms=$(best curl -sS -o /dev/null -K "$work/curl.conf")
sluice_ms=$(best "$SLUICE" run "$work/job.ini")

rate() { awk -v n="$N" -v ms="$1" 'BEGIN { printf "%.0f", n * 1000 / ms }'; }
printf '%s\n' "http sink, $N JSON records in NDJSON requests of 500, best of $REPS (ms, records/s):"
printf '  %-34s %6s ms %9s/s\n' 'curl -K (one process, keep-alive)' "$curl_ms" "$(rate "$curl_ms")"
printf '  %-34s %6s ms %9s/s  %sx curl\n' 'sluice, batch.max.records = 500' \
	"$sluice_ms" "$(rate "$sluice_ms")" \
	"$(awk -v a="$curl_ms" -v b="$sluice_ms" 'BEGIN { printf "%.2f", a / b }')"
