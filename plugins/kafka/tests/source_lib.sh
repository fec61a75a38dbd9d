# source_lib.sh: sourced by the Kafka source's tests (source_*.test).
#
#   src_init NAME [nokafka]  work dir ($work), cleanup trap, $SLUICE, the
#                        test plugins on the plugin path, a broker
#                        ($SLUICE_BOOTSTRAP) unless nokafka; $id is unique
#                        to this test run, for topic and group names
#   src_topic NAME PARTS create a topic
#   src_produce TOPIC [KCAT-OPTIONS]  stdin lines "key<TAB>value" -> TOPIC
#   src_job NAME SOURCE-LINES [SINK-LINES]
#                        write $work/NAME.ini: the kafka source (with
#                        SOURCE-LINES) into a file sink $work/NAME.out, or
#                        the sink SINK-LINES
#   src_run NAME [ARGS]  run it in the foreground (120 s at most): $rc,
#                        stderr in $work/NAME.err
#   src_start NAME [ARGS] run it in the background: $bg (pid)
#   src_stop PID         SIGTERM, wait: $rc
#   src_wait_for FILE PATTERN [SECONDS]  until grep finds PATTERN in FILE
#   src_wait_lines FILE N [SECONDS]      until FILE has N lines or more
#   ok / bad / same DESC WANT GOT / same_sorted ... / expect_rc / src_done
#
# POSIX sh.  Every check prints one line; src_done prints the tally.

src_init() {
	here=$(cd "$(dirname "$0")" && pwd)
	: "${top_srcdir:=$(cd "$here/../../.." && pwd)}"
	: "${top_builddir:=$top_srcdir}"
	SLUICE=${SLUICE:-$top_builddir/core/sluice}
	SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
	# the test-only sink (dump) and helper (txn-produce) of this build
	SLUICE_PLUGIN_PATH="$top_builddir/plugins/kafka/tests:$top_srcdir/plugins/kafka/tests:${SLUICE_PLUGIN_PATH:-$top_builddir/plugins:$top_srcdir/plugins}"
	TXN_PRODUCE=$top_builddir/plugins/kafka/tests/txn-produce
	export SLUICE_KAFKA_HOME SLUICE_PLUGIN_PATH
	. "$SLUICE_KAFKA_HOME/kafka-env.sh"
	work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$1.XXXXXX") || exit 99
	pass=0 fail=0 bg= src_pids=
	id=$1-$$
	trap 'src_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	[ "${2:-}" = nokafka ] || sl_need_kafka
}

src_cleanup() {
	_rc=$?
	for _p in $src_pids; do
		kill -KILL "$_p" 2>/dev/null || true
	done
	[ -z "${src_private:-}" ] ||
		sh "$SLUICE_KAFKA_HOME/kafka-local.sh" stop "$src_private" || true
	if [ $_rc -ne 0 ] && [ $_rc -ne 77 ]; then
		for _f in "$work"/*.err; do
			[ -s "$_f" ] || continue
			echo "--- $_f (last 10 lines)"
			tail -n 10 "$_f"
		done
	fi
	rm -rf "$work"
	exit $_rc
}

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

src_done() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

src_topic() { sl_topic "$@" || { echo "cannot create topic $1" >&2; exit 99; }; }

src_produce() {
	_t=$1
	shift
	kcat -P -X enable.idempotence=true -b "$SLUICE_BOOTSTRAP" -t "$_t" -K '\t' -X message.timeout.ms=30000 "$@" ||
		{ echo "cannot produce to $_t" >&2; exit 99; }
}

src_job() {
	cat >"$work/$1.ini" <<EOF
[job]
name = $1-$id
commit.interval.ms = 100

[source in]
plugin = kafka
bootstrap.servers = $SLUICE_BOOTSTRAP
$2

[sink out]
${3:-plugin = file
path = $work/$1.out}
EOF
}

src_run() {
	_n=$1
	shift
	timeout 120 "$SLUICE" run "$work/$_n.ini" "$@" >"$work/$_n.stdout" 2>"$work/$_n.err"
	rc=$?
}

src_start() {
	_n=$1
	shift
	"$SLUICE" run "$work/$_n.ini" "$@" >"$work/$_n.stdout" 2>"$work/$_n.err" &
	bg=$!
	src_pids="$src_pids $bg"
}

src_stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	rc=$?
}

src_wait_for() {
	_end=$(($(date +%s) + ${3:-60}))
	until grep -q -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}

src_wait_lines() {
	_end=$(($(date +%s) + ${3:-60}))
	until [ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ]; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}

# same DESC WANT-FILE GOT-FILE: byte for byte
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		bad "$1"
		diff "$2" "$3" | head -n 20 | sed 's/^/#   /'
	fi
}

# same_sorted DESC WANT-FILE GOT-FILE: the same lines, in any order
same_sorted() {
	sort "$2" >"$2.sorted"
	sort "$3" >"$3.sorted"
	same "$1" "$2.sorted" "$3.sorted"
}

# expect_rc DESC WANT: the last src_run / src_stop exited WANT
expect_rc() {
	if [ "$rc" -eq "$2" ]; then
		ok "$1"
	else
		bad "$1 (exit $rc, not $2)"
	fi
}
