#!/bin/sh
# What the metrics endpoint costs the data path: datagen -> 3 pass-through
# operators -> null, 10M records, with http.listen off (the baseline),
# on with nobody reading, on with a scraper reading /metrics 10 times a
# second, on with one reading it back to back, and on with a scraper
# reading it 10 times a second while 500 slow clients (slowloris: half a
# request each, a header line a second, back when closed) attack the
# endpoint (with python3; BENCH_RECORDS sets the count).  Prints records/s and
# the ratio of each to the baseline measured in the same run (1.00: no
# cost), and the same for the job's CPU time.  The job runs on core 0
# and the scraper on core 1 when taskset exists, so that the scraper's
# own work is not what is measured.
set -eu
runjob=${RUNJOB:-./tests/bench/runjob}
free_port=${FREE_PORT:-$top_builddir/tests/ops/free-port}
: "${SLUICE:?}"
SLUICE_PLUGIN_PATH="$top_builddir/tests/plugins:$top_srcdir/tests/plugins:$SLUICE_PLUGIN_PATH"
export SLUICE_PLUGIN_PATH
job=$top_srcdir/tests/bench/engine-3ops.ini
n=${BENCH_RECORDS:-10000000}
# off_again: the baseline run twice, to show how far apart two runs of
# the same thing land on this machine
modes="off off_again idle 10hz flat_out"
command -v python3 >/dev/null 2>&1 && modes="$modes slowloris"

if ! command -v curl >/dev/null 2>&1 || [ ! -x "$free_port" ]; then
	echo "metrics endpoint benchmark: skipped (needs curl and $free_port)"
	exit 0
fi
if ! COUNT=1 "$SLUICE" validate "$job" --set job.http.listen=127.0.0.1:1 >/dev/null 2>&1; then
	echo "metrics endpoint benchmark: skipped (this sluice has no http.listen)"
	exit 0
fi
pin= pin2=
if command -v taskset >/dev/null 2>&1; then
	pin="taskset -c 0"
	pin2="taskset -c 1"
fi

scraper= attacker=
stop_scraper() {
	[ -z "$scraper" ] || kill "$scraper" 2>/dev/null || true
	[ -z "$attacker" ] || kill "$attacker" 2>/dev/null || true
	wait 2>/dev/null || true
	scraper= attacker=
}
trap 'stop_scraper; rm -f "$tmp"' EXIT

# run MODE -> "ms rss"
run() {
	if [ "$1" = off ] || [ "$1" = off_again ]; then
		COUNT=$n $pin "$runjob" "$SLUICE" run "$job"
		return
	fi
	port=$("$free_port")
	pause=
	[ "$1" = 10hz ] && pause=0.1
	if [ "$1" = slowloris ]; then
		pause=0.1
		# it waits for the job to listen
		$pin2 python3 "$top_srcdir/tests/ops/http-clients.py" "$port" \
			hold 500 3600 trickle reconnect >/dev/null 2>&1 &
		attacker=$!
	fi
	[ "$1" = flat_out ] && pause=0
	if [ -n "$pause" ]; then
		$pin2 sh -c "while :; do curl -s -o /dev/null --max-time 1 \
			http://127.0.0.1:$port/metrics; sleep $pause; done" &
		scraper=$!
	fi
	COUNT=$n $pin "$runjob" "$SLUICE" run "$job" --set "job.http.listen=127.0.0.1:$port"
	stop_scraper
}

# user + system seconds of this shell's children so far (POSIX times,
# run in this shell, not in a subshell whose children are not ours)
tmp=$(mktemp) || exit 1
cpu() {
	awk 'NR == 2 { split($1, u, "m"); split($2, s, "m");
		printf "%.3f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$tmp"
}

less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# Best of 7, each mode in turn so that the machine's other load hits them
# alike; CPU time is disturbed less by that load than wall time.
for m in $modes; do
	eval "wall_$m= cpu_$m="
done
for _ in 1 2 3 4 5 6 7; do
	for m in $modes; do
		times >"$tmp"
		c0=$(cpu)
		r=$(run $m 2>/dev/null)
		times >"$tmp"
		c1=$(cpu)
		ms=${r% *}
		c=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", b - a }')
		eval "w=\$wall_$m k=\$cpu_$m"
		if [ -z "$w" ] || less "$ms" "$w"; then eval "wall_$m=$ms"; fi
		if [ -z "$k" ] || less "$c" "$k"; then eval "cpu_$m=$c"; fi
	done
done

echo "metrics endpoint benchmark ($n records, datagen -> 3 operators -> null, best of 7)"
for m in $modes; do
	case $m in
	off) d="http.listen off (baseline)" ;;
	off_again) d="http.listen off, again (the noise)" ;;
	idle) d="http.listen on, not read" ;;
	10hz) d="http.listen on, /metrics read 10/s" ;;
	slowloris) d="the same, and 500 slow clients" ;;
	*) d="http.listen on, /metrics read back to back" ;;
	esac
	eval "w=\$wall_$m c=\$cpu_$m"
	awk -v n=$n -v w="$w" -v bw="$wall_off" -v c="$c" -v bc="$cpu_off" -v d="$d" 'BEGIN {
		printf "  %-44s %6.2f M rec/s  ratio %.3f   cpu %5.2f s  ratio %.3f\n",
			d, n / w / 1e3, bw / w, c, c / bc }'
done
echo "  (throughput ratio: the baseline's wall time over this one's, 1.00 = no"
echo "   cost; cpu ratio: the job's CPU time over the baseline's)"
