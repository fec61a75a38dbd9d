#!/bin/sh
# What hopping windows cost beside tumbling ones (issue 30): N keyed
# user events (1,000,000; SLUICE_BENCH_EVENTS) of 1,000 users, 10 ms
# apart in event time (dense, in order), file to file, no Kafka, through
#   tumbling 60 s,
#   hopping 60 s every 15 s (advance = size / 4: each record in 4
#     windows, one accumulator per 15 s pane per key, merged when a
#     window fires; 4x the output records),
#   tumbling 15 s (the hopping job's panes, alone: the same state
#     entries and the output records of its panes),
# each counting, summing and count_if-ing, on the same input, interleaved,
# median CPU (user + system) of REPS runs.  Prints CPU per input event
# and per output record, the ratio hopping / tumbling, and how much of
# it the extra output records explain: each costs what an output record
# of tumbling 15 s costs beyond tumbling 60 s (its entry and its record:
# (CPU 15 s - CPU 60 s) / (outputs 15 s - outputs 60 s), an upper bound);
# and tumbling 60 s and hopping to the null sink, which encodes and
# writes nothing:
# their ratio without the sink's cost of the output records.
#
# Goal: hopping with advance = size / 4 costs at most 1.5x tumbling CPU
# per event (not 4x).
#
# Env: SLUICE, top_builddir, RUNJOB (set by `make bench`),
# SLUICE_BENCH_EVENTS, SLUICE_BENCH_WINDOW_REPS (5).
set -eu
: "${SLUICE:?}" "${top_builddir:?}"
N=${SLUICE_BENCH_EVENTS:-1000000}
REPS=${SLUICE_BENCH_WINDOW_REPS:-5}
runjob=${RUNJOB:-$top_builddir/tests/bench/runjob}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk -v n="$N" -v users=1000 -v t0=1700000000000 'BEGIN {
	srand(11)
	split("page_view click purchase", kinds, " ")
	for (i = 0; i < n; i++)
		printf "{\"user_id\":%d,\"event_type\":\"%s\",\"amount\":%d,\"ts\":%.0f}\n",
			1 + int(rand() * users), kinds[1 + int(rand() * 3)],
			int(rand() * 1000), t0 + i * 10
}' >"$work/in.json"

# job NAME SHAPE [SINK]: a window job of that shape (its ini lines, \n
# between), writing to a file (the default) or to the null sink
job() {
	cat >"$work/$1.ini" <<EOF
[job]
name = bench-window-$1
[source in]
plugin = file
path = $work/in.json
format = json
[operator by_user]
plugin = key_by
field = user_id
[operator w]
plugin = window
time = event:ts
idle.timeout = 0
function = count, count_if(event_type == "click") as clicks, sum(amount)
$(printf '%b' "$2")
[sink out]
$(if [ "${3:-file}" = null ]; then echo "plugin = null"; else
	printf 'plugin = file\npath = %s\nformat = json\n' "$work/$1.out"; fi)
EOF
}
job tumbling60 'size = 60s'
job hopping60 'type = hopping\nsize = 60s\nadvance = 15s'
job tumbling15 'size = 15s'
job tumbling60null 'size = 60s' null
job hopping60null 'type = hopping\nsize = 60s\nadvance = 15s' null

# cpu NAME -> "CPU_MS OUTPUTS" of one run
cpu() {
	r=$(RUNJOB_CPU=1 "$runjob" "$SLUICE" run "$work/$1.ini" 2>"$work/$1.log") ||
		{ cat "$work/$1.log" >&2; exit 1; }
	grep -q "w: records in $N, .* skipped 0" "$work/$1.log" ||
		{ grep "w: records" "$work/$1.log" >&2
		  echo "$1: the window did not take every event" >&2; exit 1; }
	out=$(sed -n 's/.* w: records in [0-9]*, out \([0-9]*\),.*/\1/p' "$work/$1.log")
	echo "$r $out" | awk '{ print $3, $4 }'
}

for rep in $(seq 1 "$REPS"); do
	for name in tumbling60 hopping60 tumbling15 tumbling60null hopping60null; do
		cpu "$name" >>"$work/$name.cpu"
	done
done
m=$(((REPS + 1) / 2))
median() { sort -n "$work/$1.cpu" | sed -n "${m}p"; }
runs() { awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }' "$work/$1.cpu"; }

echo "hopping against tumbling: $N events of 1000 users 10 ms apart, file to file; CPU median of $REPS"
echo "$(median tumbling60) $(median hopping60) $(median tumbling15) $(median tumbling60null) $(median hopping60null)" |
awk -v n="$N" -v rt="$(runs tumbling60)" -v rh="$(runs hopping60)" \
	-v rp="$(runs tumbling15)" -v rtn="$(runs tumbling60null)" \
	-v rhn="$(runs hopping60null)" '{
	t = $1; to = $2; h = $3; ho = $4; p = $5; po = $6; tn = $7; hn = $9
	printf "  %-26s %6d ms  %5.3f us/event  %5.3f us/output  %7d outputs  (runs %s)\n",
		"tumbling 60 s", t, t * 1000 / n, t * 1000 / to, to, rt
	printf "  %-26s %6d ms  %5.3f us/event  %5.3f us/output  %7d outputs  (runs %s)\n",
		"hopping 60 s / 15 s", h, h * 1000 / n, h * 1000 / ho, ho, rh
	printf "  %-26s %6d ms  %5.3f us/event  %5.3f us/output  %7d outputs  (runs %s)\n",
		"tumbling 15 s (the panes)", p, p * 1000 / n, p * 1000 / po, po, rp
	per = (p - t) / (po - to)
	extra = per * (ho - to)
	printf "  hopping / tumbling CPU per event: %.2f (goal <= 1.5)\n", h / t
	printf "  an output record costs %.3f us (tumbling 15 s beyond 60 s, per extra output);\n", per * 1000
	printf "  hopping'\''s %d extra outputs explain %d ms, %.2f of the ratio; without them %.2f\n",
		ho - to, extra, extra / t, (h - extra) / t
	printf "  to the null sink (outputs neither encoded nor written): tumbling %d ms, hopping %d ms, ratio %.2f  (runs %s / %s)\n",
		tn, hn, hn / tn, rtn, rhn
}'
