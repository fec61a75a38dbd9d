#!/bin/sh
# The postgresql sink against the server's own bulk path, on a local
# PostgreSQL of the bench's own (tests/postgres/pg-local.sh), in the same
# run: N rows of 5 columns (bigint, text, text, double, bigint) from a
# file of JSON lines,
#
#   psql \copy of the same rows as tab-separated text into a table with a
#   primary key (the baseline), and the same into one without
#   sluice insert, at-least-once, into the table without a key
#   sluice upsert, at-least-once, into the table with the primary key
#   sluice with the null sink (reading and decoding alone)
#
# best of REPS, each table emptied first; the ratios baseline / sluice.
# Env: SLUICE, top_srcdir (set by `make bench`), SLUICE_BENCH_PG_ROWS
# (1000000), SLUICE_BENCH_PG_REPS (3).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}"
N=${SLUICE_BENCH_PG_ROWS:-1000000}
REPS=${SLUICE_BENCH_PG_REPS:-3}

if ! "$SLUICE" plugins postgresql >/dev/null 2>&1; then
	echo "postgresql benchmark skipped: the plugin was not built (libpq-dev)"
	exit 0
fi
SLUICE_PG_HOME=$top_srcdir/tests/postgres
. "$SLUICE_PG_HOME/pg-env.sh"
# a bench leaves, it does not fail, when the server is missing
sl_no_postgres() { echo "postgresql benchmark skipped: $*"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-pg.XXXXXX")
trap 'sl_pg_stop; rm -rf "$work"' EXIT
sl_need_postgres "$work/pg"

awk -v n=$N 'BEGIN { for (i = 0; i < n; i++)
	printf "{\"id\":%d,\"user\":\"u%d\",\"kind\":\"click\",\"amount\":%d.5,\"ts\":%d}\n",
		i, i % 1000, i, 1700000000000 + i }' >"$work/rows.json"
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++)
	printf "%d\tu%d\tclick\t%d.5\t%d\n", i, i % 1000, i, 1700000000000 + i }' >"$work/rows.tsv"
sl_psql -c 'create table keyed (id bigint primary key, "user" text, kind text,
	amount double precision, ts bigint)' \
	-c 'create table plain (id bigint, "user" text, kind text,
	amount double precision, ts bigint)'

# job FILE SINK-LINES
job() {
	cat >"$1" <<-EOF
	[job]
	name = bench-pg
	commit.interval.ms = 1000

	[source in]
	plugin = file
	path = $work/rows.json
	format = json

	[sink out]
	$2
	EOF
}
pg="plugin = postgresql
conninfo = \${SLUICE_PG_CONNINFO} password=\${SLUICE_PG_PASSWORD}"
job "$work/insert.ini" "$pg
table = plain"
job "$work/upsert.ini" "$pg
table = keyed
mode = upsert
key.columns = id"
job "$work/null.ini" "plugin = null"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# best TABLE COMMAND...: the best of REPS wall times in ms, TABLE emptied
# before each and holding N rows after
best() {
	_t=$1 _best=
	shift
	for _r in $(seq "$REPS"); do
		[ "$_t" = - ] || sl_psql -c "truncate $_t"
		_s=$(now_ms)
		"$@" >/dev/null 2>&1 || { echo "postgresql benchmark: $* failed" >&2; exit 1; }
		_ms=$(($(now_ms) - _s))
		if [ "$_t" != - ] && [ "$(sl_psql -c "select count(*) from $_t")" != "$N" ]; then
			echo "postgresql benchmark: $_t does not hold $N rows" >&2
			exit 1
		fi
		[ -n "$_best" ] && [ "$_best" -le "$_ms" ] || _best=$_ms
	done
	echo "$_best"
}

copy_keyed=$(best keyed sl_psql -c "\\copy keyed from '$work/rows.tsv'")
copy_plain=$(best plain sl_psql -c "\\copy plain from '$work/rows.tsv'")
insert=$(best plain "$SLUICE" run "$work/insert.ini")
upsert=$(best keyed "$SLUICE" run "$work/upsert.ini")
null=$(best - "$SLUICE" run "$work/null.ini")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$N" -v ms="$1" 'BEGIN { printf "%.0f", n * 1000 / ms }'; }
# printf, not echo: dash's echo reads \c as "no more output"
printf '%s\n' "postgresql sink, $N rows of 5 columns, best of $REPS (ms, rows/s):"
printf '  %-26s %6s ms %8s/s\n' 'psql \copy, primary key' "$copy_keyed" "$(rate "$copy_keyed")"
printf '  %-26s %6s ms %8s/s\n' 'psql \copy, no key' "$copy_plain" "$(rate "$copy_plain")"
printf '  %-26s %6s ms %8s/s  %sx %s\n' 'sluice insert (no key)' "$insert" \
	"$(rate "$insert")" "$(ratio "$copy_plain" "$insert")" 'psql \copy'
printf '  %-26s %6s ms %8s/s  %sx %s\n' 'sluice upsert (key)' "$upsert" \
	"$(rate "$upsert")" "$(ratio "$copy_keyed" "$upsert")" 'psql \copy'
printf '  %-26s %6s ms  (reading and decoding the JSON)\n' 'sluice, null sink' "$null"
