# scale_lib.sh: sourced by the scale-out tests (tests/scale/*.test), on
# top of the Kafka sink's and state's test helpers (sk_*, st_*).
#
#   sc_init NAME             as sk_init: $work, $in, $out, $job, a broker
#   sc_events N USERS FILE   N JSON user events, event time 30 ms apart,
#                            one per line, no key
#   sc_produce_lz4 TOPIC FILE
#                            produce FILE's lines keyed by line number, so
#                            every partition covers the whole event time,
#                            in lz4-compressed batches as production
#                            topics often are (large fetches per partition)
#   sc_produce TOPIC FILE CHUNK PAUSE
#                            produce FILE's lines without keys (so the
#                            input is not keyed by user), CHUNK lines at a
#                            time PAUSE s apart
#   sc_window_job FILE DELIVERY [EXTRA-SOURCE-LINES]
#                            filter page views -> key_by user_id -> 60 s
#                            event-time window count -> kafka $out; the
#                            session timeout is $sc_session_ms (6000)
#   sc_windows_want INPUT FILE   user TAB window start TAB count, sorted
#   sc_windows_got FILE          the same from the committed output
#   sc_start FILE LOG VAR [--set ...]
#                            run a job in the background; its pid in $VAR
#   sc_wait PID SECONDS      wait for PID to exit; its exit code in $rc
#   sc_lag GROUP TOPIC       the group's lag summed over TOPIC's partitions
#                            (0: every partition committed to its end);
#                            per partition "P COMMITTED END" in $work/lag
#
# POSIX sh; the caller sets -eu.

sc_init() {
	here=$(cd "$(dirname "$0")" && pwd)
	: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
	. "$top_srcdir/plugins/kafka/tests/sink_lib.sh"
	. "$top_srcdir/plugins/kafka/tests/state_lib.sh"
	sk_init "$1"
}

sc_events() {
	awk -v n="$1" -v users="$2" -v t0=1700000000000 'BEGIN {
		srand(7)
		split("page_view click purchase", kinds, " ")
		for (i = 0; i < n; i++) {
			u = 1 + int(rand() * users)
			printf "{\"user_id\":%d,\"event_type\":\"%s\",\"ts\":%.0f}\n",
				u, kinds[1 + int(rand() * 3)], t0 + i * 30
		}
	}' >"$3"
}

sc_produce_lz4() {
	awk '{ print NR "|" $0 }' "$2" >"$2.keyed"
	kcat -P -X enable.idempotence=true -K'|' -l -z lz4 -b "$SLUICE_BOOTSTRAP" -t "$1" "$2.keyed" ||
		sk_fail "producing $2 to $1"
}

sc_produce() {
	sk_feed "$1" "$2" "$3" "$4" nokey
}

sc_window_job() {
	cat >"$1" <<-EOF
	[job]
	name = $job
	delivery = $2
	commit.interval.ms = 100

	[source events]
	plugin = kafka
	bootstrap.servers = \${SLUICE_BOOTSTRAP}
	topics = $in
	format = json
	; dead instances leave the group soon
	kafka.session.timeout.ms = ${sc_session_ms:-6000}
	${3:-}

	[operator views]
	plugin = filter
	where = event_type == "page_view"

	[operator by_user]
	plugin = key_by
	field = user_id

	[operator per_minute]
	plugin = window
	size = 60s
	time = event:ts
	function = count

	[sink stats]
	plugin = kafka
	bootstrap.servers = \${SLUICE_BOOTSTRAP}
	topic = $out
	format = json
	EOF
}

sc_windows_want() {
	awk '/"page_view"/ {
		match($0, /"user_id":[0-9]+/); u = substr($0, RSTART + 10, RLENGTH - 10)
		match($0, /"ts":[0-9]+/); ts = substr($0, RSTART + 5, RLENGTH - 5)
		n[u "\t" sprintf("%.0f", ts - ts % 60000)]++
	}
	END { for (k in n) print k "\t" n[k] }' "$1" | sort >"$2"
}

sc_windows_got() {
	awk -F '\t' '{
		match($2, /"window_start":[0-9]+/); ws = substr($2, RSTART + 15, RLENGTH - 15)
		match($2, /"count":[0-9]+/); c = substr($2, RSTART + 8, RLENGTH - 8)
		print $1 "\t" ws "\t" c
	}' "$1" | sort >"$2"
}

sc_start() {
	_job=$1 _log=$2 _var=$3
	shift 3
	"$SLUICE" run "$_job" "$@" 2>>"$_log" &
	eval "$_var=\$!"
	pid="$pid $!"
}

sc_wait() {
	_n=0
	while kill -0 "$1" 2>/dev/null; do
		[ $_n -lt $(($2 * 10)) ] || sk_fail "pid $1 still runs after $2 s"
		sleep 0.1
		_n=$((_n + 1))
	done
	rc=0
	wait "$1" || rc=$?
}

sc_lag() {
	"$top_builddir/tests/scale/group-lag" "$SLUICE_BOOTSTRAP" "$1" "$2" \
		>"$work/lag" || sk_fail "reading the lag of group $1 on $2"
	sed -n 's/^lag //p' "$work/lag"
}
