#!/bin/sh
# The postgresql sink's exactly-once against its at-least-once, on a
# local broker and a local PostgreSQL of the bench's own, in the same
# run: N rows of 5 columns from a Kafka topic of 3 partitions (JSON,
# read to its end, stop = end) inserted into a table without a key,
# commit.interval.ms = 1000, the two deliveries interleaved REPS times
# (each run with a consumer group of its own, the table and the stored
# positions emptied first); best and median of each, and the ratios.
# Each time is a whole run, process start (joining the group) to exit.
#
# Env: SLUICE, top_srcdir (set by `make bench`), SLUICE_BENCH_PG_EOS_ROWS
# (500000), SLUICE_BENCH_PG_EOS_REPS (3), SLUICE_BOOTSTRAP (a broker to
# use instead of a private one).
set -eu
: "${SLUICE:?}" "${top_srcdir:?}"
N=${SLUICE_BENCH_PG_EOS_ROWS:-500000}
REPS=${SLUICE_BENCH_PG_EOS_REPS:-3}

if ! "$SLUICE" plugins postgresql >/dev/null 2>&1; then
	echo "postgresql exactly-once benchmark skipped: the plugin was not built (libpq-dev)"
	exit 0
fi
SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
SLUICE_PG_HOME=$top_srcdir/tests/postgres
export SLUICE_KAFKA_HOME SLUICE_PG_HOME
. "$SLUICE_KAFKA_HOME/kafka-env.sh"
. "$SLUICE_PG_HOME/pg-env.sh"
sl_no_postgres() { echo "postgresql exactly-once benchmark skipped: $*"; exit 0; }
sl_bench_init pg-eos
trap 'sl_pg_stop; rm -rf "$work"' EXIT
sl_need_postgres "$work/pg"

topic=pg-eos-in-$run
sl_topic "$topic" 3
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++)
	printf "k%d\t{\"id\":%d,\"user\":\"u%d\",\"kind\":\"click\",\"amount\":%d.5,\"ts\":%d}\n",
		i, i, i % 1000, i, 1700000000000 + i }' | sl_produce "$topic" 2>"$work/produce.log" ||
	{ echo "postgresql exactly-once benchmark: producing failed" >&2; exit 1; }
sl_psql -c 'create table plain (id bigint, "user" text, kind text,
	amount double precision, ts bigint)'

# job DELIVERY
job() {
	cat >"$work/$1.ini" <<-EOF
	[job]
	name = bench-pg-$1
	delivery = $1
	commit.interval.ms = 1000

	[source in]
	plugin = kafka
	bootstrap.servers = $B
	topics = $topic
	stop = end
	format = json

	[sink out]
	plugin = postgresql
	conninfo = \${SLUICE_PG_CONNINFO} password=\${SLUICE_PG_PASSWORD}
	table = plain
	EOF
}
job at-least-once
job exactly-once

# once DELIVERY REP: the wall time in ms of one run, N rows checked after
once() {
	sl_psql -c "truncate plain" -c "set client_min_messages = warning" \
		-c "drop table if exists sluice_offsets" >/dev/null
	_s=$(sl_now_ms)
	"$SLUICE" run "$work/$1.ini" --set in.group.id=bench-pg-$1-$run-$2 \
		>"$work/$1.log" 2>&1 ||
		{ echo "postgresql exactly-once benchmark: the $1 run failed" >&2; cat "$work/$1.log" >&2; exit 1; }
	_ms=$(($(sl_now_ms) - _s))
	[ "$(sl_psql -c "select count(*), count(distinct id) from plain")" = "$N|$N" ] ||
		{ echo "postgresql exactly-once benchmark: $1 did not write $N distinct rows" >&2; exit 1; }
	echo "$_ms"
}

: >"$work/alo" ; : >"$work/eos"
for r in $(seq "$REPS"); do
	a=$(once at-least-once "$r")
	e=$(once exactly-once "$r")
	echo "  rep $r: at-least-once $a ms, exactly-once $e ms"
	echo "$a" >>"$work/alo"
	echo "$e" >>"$work/eos"
done
best() { sort -n "$1" | head -n 1; }
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rate() { awk -v n="$N" -v ms="$1" 'BEGIN { printf "%.0f", n * 1000 / ms }'; }
ratio() { awk -v a="$1" -v e="$2" 'BEGIN { printf "%.2f", a / e }'; }
ab=$(best "$work/alo") am=$(median "$work/alo")
eb=$(best "$work/eos") em=$(median "$work/eos")
printf '%s\n' "postgresql sink, Kafka (3 partitions) -> insert, $N rows, $REPS runs each, interleaved:"
printf '  %-16s best %6s ms %8s rows/s, median %6s ms\n' at-least-once "$ab" "$(rate "$ab")" "$am"
printf '  %-16s best %6s ms %8s rows/s, median %6s ms\n' exactly-once "$eb" "$(rate "$eb")" "$em"
printf '  exactly-once / at-least-once throughput: %s (best), %s (median)\n' \
	"$(ratio "$ab" "$eb")" "$(ratio "$am" "$em")"
