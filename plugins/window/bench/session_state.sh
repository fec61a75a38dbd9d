#!/bin/sh
# Session windows hold state for the sessions open, not for the events
# (issue 30): N keyed user events (1,000,000; SLUICE_BENCH_EVENTS) of
# 10,000 users, 10 ms apart in event time, in order, file to null sink,
# no Kafka, through session windows of gap 1 s, 60 s and 10 min, and the
# first quarter of the same events through gap 60 s.  For each run: the
# window stage's peak state as its summary reports it (`state at most
# BYTES bytes (KEYS keys)`: values and timers), and the peak number of
# open sessions, counted by awk from the input (a user's session is open
# at time t while its last record is less than gap before t; the
# watermark is the newest event time), and the peak number held: open,
# or closed within the batch that has not fired yet (windows fire after
# each batch, of 1,024 records here).  The state must follow the
# sessions held: about the same bytes per held session in every run,
# and the same state for N / 4 events as for N at one gap.
#
# Env: SLUICE, top_builddir, RUNJOB (set by `make bench`),
# SLUICE_BENCH_EVENTS.
set -eu
: "${SLUICE:?}" "${top_builddir:?}"
N=${SLUICE_BENCH_EVENTS:-1000000}
runjob=${RUNJOB:-$top_builddir/tests/bench/runjob}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk -v n="$N" -v users=10000 -v t0=1700000000000 'BEGIN {
	srand(13)
	for (i = 0; i < n; i++)
		printf "{\"user_id\":%d,\"amount\":%d,\"ts\":%.0f}\n",
			1 + int(rand() * users), int(rand() * 1000), t0 + i * 10
}' >"$work/in.json"
head -n $((N / 4)) "$work/in.json" >"$work/quarter.json"

# open_peak FILE GAP_MS -> "OPEN HELD": the most sessions open at once,
# and the most the state holds at once: windows fire after each batch of
# BATCH records (the engine's batch of a source poll), so a session that
# closes within a batch stays until its end
BATCH=1024
open_peak() {
	awk -v gap="$2" -v batch="$BATCH" '
	function expire(thr) {
		while (head < tail && qt[head] <= thr) {
			if (last[qk[head]] == qt[head])
				open--
			head++
		}
	}
	function expire_held(thr) {
		while (hhead < tail && qt[hhead] <= thr) {
			if (last[qk[hhead]] == qt[hhead])
				held--
			delete qt[hhead]; delete qk[hhead]; hhead++
		}
	}
	{
		match($0, /"user_id":[0-9]+/)
		k = substr($0, RSTART + 10, RLENGTH - 10)
		match($0, /"ts":[0-9]+/)
		t = substr($0, RSTART + 5, RLENGTH - 5) + 0
		# sessions whose last record is gap behind t have closed
		expire(t - gap)
		if (!(k in last) || last[k] <= t - gap)
			open++
		if (!(k in last) || last[k] <= fired - gap)
			held++
		last[k] = t; qt[tail] = t; qk[tail] = k; tail++
		if (open > peak)
			peak = open
		if (NR % batch == 0) {
			if (held > held_peak)
				held_peak = held
			fired = t
			expire_held(fired - gap)
		}
	} END { print peak + 0, (held > held_peak ? held : held_peak) + 0 }' "$1"
}

# run INPUT GAP -> "CPU_MS STATE_BYTES STATE_KEYS SESSIONS"
run() {
	cat >"$work/job.ini" <<EOF
[job]
name = bench-session-state
[source in]
plugin = file
path = $1
format = json
[operator by_user]
plugin = key_by
field = user_id
[operator w]
plugin = window
type = session
gap = $2
time = event:ts
idle.timeout = 0
function = count, sum(amount)
[sink out]
plugin = null
EOF
	r=$(RUNJOB_CPU=1 "$runjob" "$SLUICE" run "$work/job.ini" 2>"$work/log") ||
		{ cat "$work/log" >&2; exit 1; }
	line=$(grep "w: records in" "$work/log") ||
		{ cat "$work/log" >&2; exit 1; }
	echo "$r $line" | tr -d ',(' |
		awk '{ cpu = $3
			for (i = 1; i <= NF; i++) {
				if ($i == "out") out = $(i + 1) + 0
				if ($i == "most") bytes = $(i + 1)
				if ($i == "bytes") keys = $(i + 1)
			}
			print cpu, bytes, keys, out }'
}

echo "session state against open sessions: $N events of 10000 users 10 ms apart, file to null; peak state from the window's summary"
echo "  events   gap      sessions open / held (peaks)   state peak               bytes / held session   sessions out   CPU"
for spec in "in.json 1s 1000" "in.json 60s 60000" "in.json 10m 600000" \
	"quarter.json 60s 60000"; do
	set -- $spec
	peaks=$(open_peak "$work/$1" "$3")
	events=$(wc -l <"$work/$1")
	run "$work/$1" "$2" | awk -v ev="$events" -v gap="$2" -v peaks="$peaks" '{
		split(peaks, p, " ")
		printf "  %7d  %-6s   %6d / %6d                %9d B %6d keys      %6.0f               %8d   %5d ms\n",
			ev, gap, p[1], p[2], $2, $3, $2 / p[2], $4, $1 }'
done
echo "  goal: the state follows the sessions held (bytes per held session about equal), not the events (N / 4 events at 60 s: the state of N)"
