#!/bin/sh
# The Quick start demo (`make demo`): a real Kafka, sample user events in
# it, conf/examples/user-behavior.ini run over them exactly-once, and its
# output read back as a table of per-user counts per minute.
#
# The table goes to stdout, everything else to stderr.
#
# Env: SLUICE, SLUICE_PLUGIN_PATH (default: this source tree, built in
#      place); SLUICE_BOOTSTRAP: use that broker instead of starting one
#      (then topic and job names get the suffix DEMO_SUFFIX, default -$$,
#      so that runs sharing a broker do not meet); COUNT, USERS, SEED: the
#      sample events (see conf/examples/user-events.ini).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
SLUICE=${SLUICE:-$top/core/sluice}
SLUICE_PLUGIN_PATH=${SLUICE_PLUGIN_PATH:-$top/plugins}
export SLUICE_PLUGIN_PATH
examples=$top/conf/examples
kafka_local=$top/tests/kafka/kafka-local.sh

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[ -x "$SLUICE" ] || die "$SLUICE not found: build first (sh tests/build.sh)"
command -v kcat >/dev/null || die "kcat not found (apt-get install kcat)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo.XXXXXX")
own_broker=
cleanup() {
	rc=$?
	if [ -n "$own_broker" ]; then
		say "Stopping the demo's Kafka broker"
		sh "$kafka_local" stop "$tmp/kafka" || true
	fi
	rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

if [ -n "${SLUICE_BOOTSTRAP:-}" ]; then
	BOOTSTRAP=$SLUICE_BOOTSTRAP
	sfx=${DEMO_SUFFIX--$$}
	say "Using the Kafka broker at $BOOTSTRAP"
else
	say "Starting a Kafka broker of its own (the first time, Maven downloads Kafka 3.9: a few minutes)"
	own_broker=1
	BOOTSTRAP=$(sh "$kafka_local" start "$tmp/kafka") ||
		die "the broker did not start"
	echo "Kafka at $BOOTSTRAP, data in $tmp/kafka" >&2
	sfx=
fi
export BOOTSTRAP
events=user_events$sfx
stats=user_behavior_stats$sfx

say "Creating topics $events and $stats (3 partitions each)"
# The sample events carry 2023 timestamps, and so do the window counts:
# the default 7-day retention would let the broker delete them mid-demo.
sh "$kafka_local" create-topic "$BOOTSTRAP" "$events" 3 retention.ms=-1
sh "$kafka_local" create-topic "$BOOTSTRAP" "$stats" 3 retention.ms=-1

say "Producing sample user events: sluice run conf/examples/user-events.ini"
OUT_TOPIC=$events "$SLUICE" run "$examples/user-events.ini" \
	--set job.name="user-events$sfx" --set job.log.level=warn </dev/null

say "Counting them: sluice run conf/examples/user-behavior.ini --set events.stop=end"
IN_TOPIC=$events OUT_TOPIC=$stats "$SLUICE" run "$examples/user-behavior.ini" \
	--set job.name="user-behavior$sfx" --set events.stop=end </dev/null

say "Page views, clicks and purchases per user and minute (topic $stats, read_committed)"
# Only committed transactions: what a downstream exactly-once reader sees.
# The commit markers of the job's last transaction reach the partitions
# just after it has exited, and until then such a reader stops short: wait
# until it sees all that a read_uncommitted one does (at most 10 s, in
# case an aborted transaction keeps the two apart).
read_stats() {
	kcat -C -b "$BOOTSTRAP" -t "$stats" -o beginning -e -q \
		-X isolation.level="$1" -f '%s\n'
}
tries=0
while :; do
	read_stats read_committed >"$tmp/stats.json"
	written=$(read_stats read_uncommitted | wc -l)
	[ "$(wc -l <"$tmp/stats.json")" -lt "$written" ] || break
	tries=$((tries + 1))
	[ $tries -lt 50 ] || break
	sleep 0.2
done
[ -s "$tmp/stats.json" ] || die "no output on topic $stats"

# {"key":"USER","window_start":MS,...,"page_views":P,"clicks":C,
# "purchases":B} -> one line per user and window, its three counts.
awk '
{
	gsub(/[{}"]/, "")
	n = split($0, field, ",")
	user = ""; start = ""; views = clicks = purchases = 0
	for (i = 1; i <= n; i++) {
		c = index(field[i], ":")
		name = substr(field[i], 1, c - 1)
		val = substr(field[i], c + 1)
		if (name == "key") user = val
		else if (name == "window_start") start = val
		else if (name == "page_views") views = val
		else if (name == "clicks") clicks = val
		else if (name == "purchases") purchases = val
	}
	printf "%s\t%s\t%d\t%d\t%d\n", user, start, views, clicks, purchases
}' "$tmp/stats.json" | sort -t "$(printf '\t')" -k1,1n -k1,1 -k2,2n |
awk -F '\t' '
# ms since the epoch -> "YYYY-MM-DD HH:MM:SS" UTC, with no strftime (not
# POSIX awk): days to a civil date as in H. Hinnant'\''s date algorithms.
function utc(ms,   s, days, secs, z, era, doe, yoe, doy, mp, y, m, d) {
	s = int(ms / 1000)
	days = int(s / 86400)
	secs = s - days * 86400
	z = days + 719468
	era = int(z / 146097)
	doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	y = yoe + era * 400 + (m <= 2)
	return sprintf("%04d-%02d-%02d %02d:%02d:%02d", y, m, d,
		int(secs / 3600), int(secs % 3600 / 60), secs % 60)
}
BEGIN {
	printf "%-6s  %-19s  %10s  %6s  %9s\n", "user", "window start (UTC)",
		"page views", "clicks", "purchases"
}
{ printf "%-6s  %-19s  %10d  %6d  %9d\n", $1, utc($2), $3, $4, $5 }'

# The demo ran this tree's sluice, which is not on the PATH: say how to run
# a job of one's own, installed or from here (a sluice run from its build
# tree finds the tree's plugins by itself).
say "Done.  To run a job of your own: 'sudo make install' puts sluice on \
your PATH (/usr/local/bin), then: sluice run JOB.ini.  Without installing: \
$SLUICE run JOB.ini"
