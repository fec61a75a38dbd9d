# kafka-env.sh: sourced by POSIX-sh tests that need a Kafka broker.
#
#   sl_need_kafka            export SLUICE_BOOTSTRAP (host:port), or leave the
#                            test: exit 77 (skip), or 99 (hard error) when $CI
#   sl_topic NAME PARTS [KEY=VALUE...]   create a topic (~0.5-1 s: a JVM)
#   sl_produce TOPIC         stdin lines "key<TAB>value" -> TOPIC
#   sl_consume TOPIC         print committed records as "key<TAB>value" lines,
#                            partition by partition, then return
#   sl_bench_init NAME       for `make bench`: a broker in $B, or leave the
#                            benchmark NAME (exit 0) saying what is missing;
#                            then a work folder $work, removed on exit (the
#                            EXIT trap), and $run, unique to this run
#   sl_now_ms                milliseconds since the epoch
#
# SLUICE_BOOTSTRAP already set: that broker is used as is.  Otherwise the
# broker shared by the test run (kafka-local.sh shared) is used; outside make
# (SLUICE_KAFKA_SHARED_DIR or SLUICE_TEST_OWNER_PID unset) the test gets a
# broker of its own that goes away when the test's shell exits.
#
# A sourced script cannot learn its own path in POSIX sh, so it is looked for
# in $SLUICE_KAFKA_HOME, beside the test, and in $srcdir/tests/kafka.

sl_kafka_local() {
	if [ -n "${SL_KAFKA_LOCAL:-}" ]; then
		echo "$SL_KAFKA_LOCAL"
		return 0
	fi
	for _sl_d in "${SLUICE_KAFKA_HOME:-}" "$(dirname "$0")" \
		"$(dirname "$0")/kafka" "${srcdir:-.}/tests/kafka" "${srcdir:-.}/kafka"; do
		if [ -n "$_sl_d" ] && [ -f "$_sl_d/kafka-local.sh" ]; then
			echo "$(cd "$_sl_d" && pwd)/kafka-local.sh"
			return 0
		fi
	done
	return 1
}

# Skip or fail the whole test because Kafka is unavailable.
sl_no_kafka() {
	if [ -n "${CI:-}" ]; then
		echo "ERROR: Kafka needed but unavailable in CI: $*" >&2
		exit 99
	fi
	echo "SKIP: $*"
	exit 77
}

sl_need_kafka() {
	if [ -n "${SLUICE_BOOTSTRAP:-}" ]; then
		export SLUICE_BOOTSTRAP
		return 0
	fi
	# Absolute, and kept here: the test may cd later.
	SL_KAFKA_LOCAL=$(sl_kafka_local) || sl_no_kafka "kafka-local.sh not found"
	for _sl_t in java kcat flock; do
		command -v "$_sl_t" >/dev/null 2>&1 || sl_no_kafka "$_sl_t not installed"
	done
	if [ -z "${SLUICE_KAFKA_SHARED_DIR:-}" ] || [ -z "${SLUICE_TEST_OWNER_PID:-}" ]; then
		SLUICE_KAFKA_SHARED_DIR=${TMPDIR:-/tmp}/sluice-kafka-$$
		SLUICE_TEST_OWNER_PID=$$
		SLUICE_KAFKA_SHARED_RMDIR=1
		export SLUICE_KAFKA_SHARED_DIR SLUICE_TEST_OWNER_PID \
			SLUICE_KAFKA_SHARED_RMDIR
	fi
	SLUICE_BOOTSTRAP=$(sh "$SL_KAFKA_LOCAL" shared) ||
		sl_no_kafka "could not start a Kafka broker (messages above)"
	export SLUICE_BOOTSTRAP
}

sl_topic() {
	_sl_kl=$(sl_kafka_local) || { echo "kafka-local.sh not found" >&2; return 1; }
	sh "$_sl_kl" create-topic "$SLUICE_BOOTSTRAP" "$@"
}

sl_produce() {
	# Bounded: librdkafka would retry an undeliverable record for 5 min.
	# Idempotent, as in every test: a plain producer that retries (a
	# topic just created has no leader for a moment) may write a later
	# batch of a partition before an earlier one, and event-time tests
	# would find records late that were written out of order.
	kcat -P -X enable.idempotence=true -b "$SLUICE_BOOTSTRAP" -t "$1" -K '\t' -X message.timeout.ms=30000
}

sl_consume() {
	kcat -C -b "$SLUICE_BOOTSTRAP" -t "$1" -o beginning -e -q -m 10 \
		-X isolation.level=read_committed -f '%k\t%s\n'
}

sl_bench_init() {
	for _sl_t in java kcat; do
		if ! command -v $_sl_t >/dev/null 2>&1 && [ -z "${SLUICE_BOOTSTRAP:-}" ]; then
			echo "$1 benchmark skipped: $_sl_t not installed"
			exit 0
		fi
	done
	sl_need_kafka
	B=$SLUICE_BOOTSTRAP
	work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-$1.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT
	run=$$
}

sl_now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
