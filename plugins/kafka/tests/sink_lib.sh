# sink_lib.sh: sourced by the Kafka sink's tests (sink_*.test, eos_*.test).
#
#   sk_init NAME          work dir, cleanup trap, $SLUICE, a broker
#                         ($SLUICE_BOOTSTRAP); names topics and the job
#                         after NAME and the pid: $in, $out, $job
#   sk_input N FILE       N lines "k<i><TAB><i>", i = 0 .. N-1
#   sk_feed TOPIC FILE CHUNK PAUSE [nokey]
#                         produce FILE CHUNK lines at a time, PAUSE s apart:
#                         "key<TAB>value" lines, or values without keys
#   sk_feed_bg ...        the same in the background: $feeder
#   sk_job FILE DELIVERY [EXTRA-SOURCE-LINES]
#                         write a job: kafka $in -> map (value = "v" + value,
#                         when the map plugin is there) -> kafka $out
#   sk_start FILE LOG [--set ...]  run the job in the background: $pid
#   sk_kill_loop FILE TIMES MIN MAX
#                         start the job, SIGKILL it MIN..MAX s later (random,
#                         in tenths), TIMES times
#   sk_output OUT-FILE    the committed output as "key<TAB>value" lines
#   sk_check_exact N      every input 0..N-1 in the output exactly once
#   sk_check_complete N   ... at least once; prints the duplicates
#
# POSIX sh; the caller sets -eu.

sk_fail() { echo "FAIL: $*" >&2; exit 1; }

sk_init() {
	here=$(cd "$(dirname "$0")" && pwd)
	: "${top_srcdir:=$(cd "$here/../../.." && pwd)}"
	: "${top_builddir:=$top_srcdir}"
	SLUICE=${SLUICE:-$top_builddir/core/sluice}
	SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
	export SLUICE_KAFKA_HOME
	. "$SLUICE_KAFKA_HOME/kafka-env.sh"
	work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$1.XXXXXX")
	pid=
	trap 'sk_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	sl_need_kafka
	in=$1-in-$$
	out=$1-out-$$
	job=$1-$$
	# a map operator when the build has one: outputs differ from inputs
	if "$SLUICE" plugins map >/dev/null 2>&1; then
		sk_map=1
	else
		sk_map=
	fi
}

sk_cleanup() {
	rc=$?
	for _p in $pid ${feeder:-}; do
		kill -KILL "$_p" 2>/dev/null || true
	done
	[ -z "${sk_private:-}" ] || sh "$SLUICE_KAFKA_HOME/kafka-local.sh" stop "$sk_private" || true
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		for f in "$work"/*.log; do
			[ -f "$f" ] || continue
			echo "--- $f (last 15 lines)" >&2
			tail -n 15 "$f" >&2
		done
	fi
	# SLUICE_KEEP=1 keeps the work folder for a post-mortem
	[ -n "${SLUICE_KEEP:-}" ] || rm -rf "$work"
	exit $rc
}

sk_input() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "k%d\t%d\n", i, i }' >"$2"
}

sk_feed() {
	_keys="-K	"
	[ "${5:-}" != nokey ] || _keys=
	split -l "$3" "$2" "$work/chunk."
	# one producer reading a trickle: the job always has records in flight
	for _c in "$work"/chunk.*; do
		cat "$_c"
		sleep "$4"
	done | kcat -P -b "$SLUICE_BOOTSTRAP" -t "$1" ${_keys:+"$_keys"} \
		-X enable.idempotence=true -X linger.ms=5 \
		-X message.timeout.ms=60000 || sk_fail "producing to $1"
	rm -f "$work"/chunk.*
}

sk_feed_bg() {
	sk_feed "$@" &
	feeder=$!
}

sk_job() {
	cat >"$1" <<-EOF
	[job]
	name = $job
	delivery = $2
	commit.interval.ms = 100

	[source in]
	plugin = kafka
	bootstrap.servers = \${SLUICE_BOOTSTRAP}
	topics = $in
	${3:-}
	EOF
	if [ -n "$sk_map" ]; then
		cat >>"$1" <<-'EOF'

		[operator m]
		plugin = map
		value = "v" + value
		EOF
	fi
	cat >>"$1" <<-EOF

	[sink out]
	plugin = kafka
	bootstrap.servers = \${SLUICE_BOOTSTRAP}
	topic = $out
	EOF
}

sk_start() {
	_job=$1 _log=$2
	shift 2
	"$SLUICE" run "$_job" "$@" 2>>"$_log" &
	pid=$!
}

# A random number of tenths of a second in MIN..MAX seconds.
sk_random_delay() {
	awk -v lo="$1" -v hi="$2" -v seed="$(od -An -N4 -tu4 /dev/urandom)" \
		'BEGIN { srand(seed); printf "%.1f", lo + rand() * (hi - lo) }'
}

sk_kill_loop() {
	_n=0
	while [ $_n -lt "$2" ]; do
		echo "=== run $_n" >>"$work/runs.log"
		sk_start "$1" "$work/runs.log"
		sleep "$(sk_random_delay "$3" "$4")"
		if ! kill -KILL "$pid" 2>/dev/null; then
			wait "$pid" || sk_fail "run $_n failed before it was killed"
			sk_fail "run $_n finished before it was killed"
		fi
		wait "$pid" 2>/dev/null || true
		pid=
		_n=$((_n + 1))
	done
}

sk_output() {
	kcat -C -b "$SLUICE_BOOTSTRAP" -t "$out" -o beginning -e -q \
		-X isolation.level=read_committed -f '%k\t%s\n' >"$1" ||
		sk_fail "consuming $out"
}

# Expected output of input i: the map writes "v<i>".
sk_expected() {
	if [ -n "$sk_map" ]; then
		awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "k%d\tv%d\n", i, i }'
	else
		sk_input "$1" /dev/stdout
	fi
}

# Compares the output with what N inputs give; $1 = exact | complete.
sk_compare() {
	sk_output "$work/got"
	sk_expected "$2" | sort >"$work/want.sorted"
	sort "$work/got" >"$work/got.sorted"
	sort -u "$work/got.sorted" >"$work/got.unique"
	_got=$(wc -l <"$work/got")
	_unique=$(wc -l <"$work/got.unique")
	_dups=$((_got - _unique))
	echo "output: $_got records, $_unique distinct, $_dups duplicate(s)"
	if ! cmp -s "$work/want.sorted" "$work/got.unique"; then
		comm -23 "$work/want.sorted" "$work/got.unique" >"$work/missing"
		comm -13 "$work/want.sorted" "$work/got.unique" >"$work/extra"
		echo "missing: $(wc -l <"$work/missing"), unexpected: $(wc -l <"$work/extra")" >&2
		head -n 5 "$work/missing" "$work/extra" >&2
		sk_fail "output of $out is not the input's"
	fi
	if [ "$1" = exact ] && [ $_dups -ne 0 ]; then
		uniq -d "$work/got.sorted" | head -n 5 >&2
		sk_fail "$_dups duplicate(s) under exactly-once"
	fi
}

sk_check_exact() { sk_compare exact "$1"; }
sk_check_complete() { sk_compare complete "$1"; }
