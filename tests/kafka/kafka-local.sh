#!/bin/sh
# kafka-local.sh: a real single-node Kafka (KRaft) broker on 127.0.0.1 for
# Sluice's tests and demos.  Jars come from Maven Central (pom.xml beside
# this script); nothing is installed system-wide.
#
#   fetch                     download the jars into the cache (idempotent)
#   start DIR                 new broker with fresh data in DIR; prints bootstrap
#   stop DIR                  SIGTERM, SIGKILL after 30 s (idempotent)
#   resume DIR                start again on the same ports and data
#   restart DIR               stop + resume
#   crash DIR                 SIGKILL, for crash tests (resume takes ~5 s more)
#   status DIR                exit 0 if the broker of DIR runs
#   shared                    the broker shared by one test run (see shared())
#   create-topic BOOTSTRAP NAME PARTITIONS [KEY=VALUE...]
#   delete-topic BOOTSTRAP NAME
#
# Env: SLUICE_KAFKA_CACHE (jar cache), SLUICE_KAFKA_START_TIMEOUT (s, 90),
#      SLUICE_KAFKA_JAVA_OPTS (extra broker JVM options),
#      SLUICE_KAFKA_SERVER_PROPS (extra server.properties lines, at start),
#      shared: SLUICE_KAFKA_SHARED_DIR, SLUICE_TEST_OWNER_PID, and
#      SLUICE_KAFKA_SHARED_RMDIR=1 to remove the whole directory at the end
#      (by default its logs and config are kept for post-mortems).
set -eu

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
POM=$(dirname "$SELF")/pom.xml
CACHE=${SLUICE_KAFKA_CACHE:-${HOME:-/tmp}/.cache/sluice/kafka-3.9}
LIB=$CACHE/lib
# The tools are short-lived: C1 only and a serial GC start noticeably faster.
TOOL_JVM="-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

die() { printf 'kafka-local: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }

abspath() { mkdir -p "$1" && (cd "$1" && pwd); }

# Linux /proc rather than kill -0, which fails with EPERM for other users'
# processes and succeeds for zombies (a broker this script started and
# stopped stays one until the script exits).
pid_alive() {
	[ -n "$1" ] && [ -d "/proc/$1" ] &&
		! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# The pid of DIR's broker, or failure.  The command line is checked so that a
# recycled pid of some unrelated process is never signalled.
broker_pid() {
	_p=$(cat "$1/pid" 2>/dev/null) || return 1
	pid_alive "$_p" || return 1
	tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null |
		grep -qF -- "$1/server.properties" || return 1
	echo "$_p"
}

fetch() {
	[ -f "$POM" ] || die "missing $POM"
	mkdir -p "$CACHE"
	# The stamp ties the cache to the pom: editing the version refetches.
	_stamp=$(cksum <"$POM")
	[ "$(cat "$CACHE/complete" 2>/dev/null)" = "$_stamp" ] && return 0
	command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
	# Two test runs may fetch at once: one downloads, the other waits.
	(
		flock -w 900 9 || die "timeout waiting for $CACHE/fetch.lock"
		[ "$(cat "$CACHE/complete" 2>/dev/null)" = "$_stamp" ] && exit 0
		rm -rf "$LIB" "$LIB.tmp" "$CACHE/complete"
		# Maven works on a copy so that the source tree stays untouched
		# (it may be read-only, e.g. in distcheck).
		cp "$POM" "$CACHE/pom.xml"
		if ! mvn -B -q -ntp -Dstyle.color=never -f "$CACHE/pom.xml" \
			-Dmaven.repo.local="$CACHE/m2" \
			dependency:copy-dependencies -DincludeScope=runtime \
			-DoutputDirectory="$LIB.tmp" \
			</dev/null >"$CACHE/fetch.log" 2>&1; then
			tail -n 30 "$CACHE/fetch.log" >&2
			die "mvn failed, log in $CACHE/fetch.log"
		fi
		ls "$LIB.tmp"/kafka_2.13-*.jar >/dev/null 2>&1 ||
			die "no kafka_2.13 jar after mvn (see $CACHE/fetch.log)"
		write_log4j
		mv "$LIB.tmp" "$LIB"
		# The jars are copied out; the Maven repo would only double the disk use.
		rm -rf "$CACHE/m2" "$CACHE/target"
		echo "$_stamp" >"$CACHE/complete"
	) 9>"$CACHE/fetch.lock"
}

write_log4j() {
	# Broker: everything to stdout, which start/resume send to DIR/broker.log
	# together with anything the JVM itself prints.
	cat >"$CACHE/log4j-broker.properties" <<-'EOF'
	log4j.rootLogger=INFO, out
	log4j.appender.out=org.apache.log4j.ConsoleAppender
	log4j.appender.out.layout=org.apache.log4j.PatternLayout
	log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n
	EOF
	cat >"$CACHE/log4j-tools.properties" <<-'EOF'
	log4j.rootLogger=WARN, err
	log4j.appender.err=org.apache.log4j.ConsoleAppender
	log4j.appender.err.Target=System.err
	log4j.appender.err.layout=org.apache.log4j.PatternLayout
	log4j.appender.err.layout.ConversionPattern=%p %m (%c)%n
	EOF
}

# Kafka's ports: 10000-29999 (tests/postgres/pg-local.sh takes 30000 up).
. "$(dirname "$0")/../lib/ports.sh"
kafka_port() { pick_port 10000 20000 "${1:-}"; }

write_config() { # DIR BROKER_PORT CONTROLLER_PORT
	cat >"$1/server.properties" <<-EOF
	# Written by kafka-local.sh; one node is broker and controller.
	process.roles=broker,controller
	node.id=1
	controller.quorum.voters=1@127.0.0.1:$3
	listeners=PLAINTEXT://127.0.0.1:$2,CONTROLLER://127.0.0.1:$3
	advertised.listeners=PLAINTEXT://127.0.0.1:$2
	controller.listener.names=CONTROLLER
	inter.broker.listener.name=PLAINTEXT
	listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
	log.dirs=$1/data
	num.partitions=1
	auto.create.topics.enable=true
	offsets.topic.replication.factor=1
	transaction.state.log.replication.factor=1
	transaction.state.log.min.isr=1
	min.insync.replicas=1
	group.initial.rebalance.delay.ms=0
	# Fewer internal partitions: the first group or transaction would
	# otherwise wait for 50 partitions to be created and loaded.
	offsets.topic.num.partitions=4
	transaction.state.log.num.partitions=4
	# After a crash (SIGKILL) the restarted broker cannot register until
	# its old session expires: 9 s by default, 4 s here.
	broker.heartbeat.interval.ms=500
	broker.session.timeout.ms=4000
	EOF
	# a test's own broker settings, one per line
	[ -z "${SLUICE_KAFKA_SERVER_PROPS:-}" ] ||
		printf '%s\n' "$SLUICE_KAFKA_SERVER_PROPS" >>"$1/server.properties"
	printf '127.0.0.1:%s' "$2" >"$1/bootstrap"
}

# Runs the broker of DIR in the background, detached from the caller: its
# own session (a test's process group may be killed), no inherited stdout (a
# caller's $(...) would wait for it forever) and no lock fd 9.
launch() {
	rm -f "$1/pid"
	echo "=== kafka-local: launch $(date)" >>"$1/broker.log"
	_setsid=
	command -v setsid >/dev/null && _setsid=setsid
	# The inner sh records its pid and execs java, so the pid is the JVM's
	# whether or not setsid forked.
	# shellcheck disable=SC2086
	$_setsid sh -c 'echo $$ >"$1.tmp" && mv "$1.tmp" "$1"; shift; exec "$@"' \
		sh "$1/pid" java -Xmx512m -Xms64m -Djava.awt.headless=true \
		-Dlog4j.configuration="file:$CACHE/log4j-broker.properties" \
		${SLUICE_KAFKA_JAVA_OPTS:-} -cp "$LIB/*" \
		kafka.Kafka "$1/server.properties" \
		</dev/null >>"$1/broker.log" 2>&1 9>&- &
	_n=0
	while [ ! -s "$1/pid" ]; do
		_n=$((_n + 1))
		[ $_n -lt 100 ] || die "broker of $1 did not start"
		sleep 0.1
	done
}

# Ready means: a metadata request is answered and lists this broker.
wait_ready() {
	_bs=$(cat "$1/bootstrap")
	_end=$(($(now) + ${SLUICE_KAFKA_START_TIMEOUT:-90}))
	while :; do
		broker_pid "$1" >/dev/null || return 1
		if command -v kcat >/dev/null; then
			kcat -L -b "$_bs" -m 2 2>/dev/null | grep -q ' broker 1 at ' &&
				return 0
		else
			grep -q 'Kafka Server started' "$1/broker.log" && return 0
		fi
		[ "$(now)" -lt "$_end" ] || return 1
		sleep 0.3
	done
}

fail_start() {
	printf 'kafka-local: broker in %s did not come up; end of broker.log:\n' \
		"$1" >&2
	# Only this launch's part; its cause precedes a long shutdown sequence.
	_from=$(grep -n '^=== kafka-local: launch' "$1/broker.log" | tail -n 1 | cut -d: -f1)
	tail -n "+${_from:-1}" "$1/broker.log" >"$1/broker.last"
	grep -E '\] (ERROR|FATAL) |^Caused by' "$1/broker.last" | head -n 10 >&2 || true
	echo '...' >&2
	tail -n 20 "$1/broker.last" >&2 || true
	rm -f "$1/broker.last"
	stop "$1"
	exit 1
}

start() {
	fetch
	_d=$(abspath "$1")
	broker_pid "$_d" >/dev/null && die "a broker already runs in $_d"
	_try=1
	while :; do
		_bp=$(kafka_port)
		_cp=$(kafka_port "$_bp")
		rm -rf "$_d/data"
		: >"$_d/broker.log"
		write_config "$_d" "$_bp" "$_cp"
		# Kafka's cluster ids are 16 random bytes in url-safe base64.
		_cid=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | hex_to_uuid)
		# shellcheck disable=SC2086
		java $TOOL_JVM -Dlog4j.configuration="file:$CACHE/log4j-tools.properties" \
			-cp "$LIB/*" kafka.tools.StorageTool format -t "$_cid" \
			-c "$_d/server.properties" >>"$_d/broker.log" 2>&1 ||
			fail_start "$_d"
		launch "$_d"
		wait_ready "$_d" && break
		# Another process may have bound a port between check and use.
		if [ $_try -lt 3 ] && grep -q 'Address already in use' "$_d/broker.log"; then
			stop "$_d"
			_try=$((_try + 1))
			continue
		fi
		fail_start "$_d"
	done
	cat "$_d/bootstrap"
	echo
}

# Hex to Kafka's 22-character base64url Uuid text, with POSIX tools only.
# A leading '-' would read as an option, so the alphabet's last two are A, B.
hex_to_uuid() {
	awk '{
		a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789AB"
		h = "0123456789abcdef"; bits = ""; out = ""
		for (i = 1; i <= length($0); i++) {
			v = index(h, substr($0, i, 1)) - 1
			for (b = 8; b >= 1; b /= 2) { bits = bits (v >= b ? 1 : 0); if (v >= b) v -= b }
		}
		bits = bits "0000"
		for (i = 1; i + 5 <= length(bits); i += 6) {
			v = 0
			for (j = 0; j < 6; j++) v = v * 2 + substr(bits, i + j, 1)
			out = out substr(a, v + 1, 1)
		}
		print out
	}'
}

stop() {
	_d=$(cd "$1" 2>/dev/null && pwd) || return 0
	if _p=$(broker_pid "$_d"); then
		kill -TERM "$_p" 2>/dev/null || true
		_n=0
		while pid_alive "$_p" && [ $_n -lt 150 ]; do
			sleep 0.2
			_n=$((_n + 1))
		done
		if pid_alive "$_p"; then
			echo "kafka-local: broker $_p ignored SIGTERM, killing" >&2
			kill -KILL "$_p" 2>/dev/null || true
			while pid_alive "$_p"; do sleep 0.1; done
		fi
	fi
	rm -f "$_d/pid"
}

resume() {
	fetch
	_d=$(cd "$1" 2>/dev/null && pwd) || die "no broker directory $1"
	[ -f "$_d/server.properties" ] && [ -d "$_d/data" ] ||
		die "$_d holds no formatted broker (use start)"
	if ! broker_pid "$_d" >/dev/null; then
		launch "$_d"
		wait_ready "$_d" || fail_start "$_d"
	fi
	cat "$_d/bootstrap"
	echo
}

# The broker of one `make check`: started by the first test that needs it,
# reused by the others (flock serialises them), and removed by a detached
# watcher once the process SLUICE_TEST_OWNER_PID (the make) has exited.
shared() {
	: "${SLUICE_KAFKA_SHARED_DIR:?must name the shared broker directory}"
	_owner=${SLUICE_TEST_OWNER_PID:?must be the pid of the test run (make)}
	_d=$(abspath "$SLUICE_KAFKA_SHARED_DIR")
	exec 9>"$_d.lock"
	flock -w 600 9 || die "timeout waiting for $_d.lock"
	if broker_pid "$_d" >/dev/null; then
		_old=$(cat "$_d/owner" 2>/dev/null || true)
		if [ "$_old" != "$_owner" ]; then
			# A broker left by a run whose watcher died is stale; one whose
			# run still goes on is not ours to take.
			pid_alive "$_old" &&
				die "$_d is in use by another test run (pid $_old)"
			stop "$_d"
		fi
	fi
	if ! broker_pid "$_d" >/dev/null; then
		# A child process, so that set -e still holds inside start.
		if ! sh "$SELF" start "$_d" >/dev/null; then
			[ -z "${SLUICE_KAFKA_SHARED_RMDIR:-}" ] || rm -rf "$_d" "$_d.lock"
			exit 1
		fi
		echo "$_owner" >"$_d/owner"
		rm -f "$_d/rmdir"
		[ -z "${SLUICE_KAFKA_SHARED_RMDIR:-}" ] || : >"$_d/rmdir"
	fi
	_w=$(cat "$_d/watcher" 2>/dev/null || true)
	if ! pid_alive "$_w"; then
		rm -f "$_d/watcher"
		_setsid=
		command -v setsid >/dev/null && _setsid=setsid
		$_setsid sh "$SELF" _watch "$_d" "$_owner" \
			</dev/null >>"$_d/watcher.log" 2>&1 9>&- &
		# Wait for its pid so that the next caller does not spawn another.
		_n=0
		while [ ! -s "$_d/watcher" ] && [ $_n -lt 50 ]; do
			sleep 0.1
			_n=$((_n + 1))
		done
	fi
	cat "$_d/bootstrap"
	echo
}

watch() { # DIR OWNER_PID
	echo $$ >"$1/watcher"
	while pid_alive "$2"; do sleep 1; done
	exec 9>"$1.lock"
	flock -w 120 9 || true
	# A later run may have taken the directory over meanwhile.
	if [ "$(cat "$1/owner" 2>/dev/null)" = "$2" ]; then
		stop "$1"
		rm -rf "$1/data"
		rm -f "$1/owner" "$1/bootstrap"
	fi
	[ "$(cat "$1/watcher" 2>/dev/null)" = $$ ] && rm -f "$1/watcher"
	echo "watcher $$: owner $2 gone, broker stopped $(date)"
	if [ -f "$1/rmdir" ] && [ ! -f "$1/owner" ]; then
		rm -rf "$1" "$1.lock"
	fi
}

create_topic() { # BOOTSTRAP NAME PARTITIONS [KEY=VALUE...]
	fetch
	_bs=$1 _name=$2 _parts=$3
	shift 3
	for _kv; do set -- "$@" --config "$_kv"; shift; done
	# shellcheck disable=SC2086
	java $TOOL_JVM -Dlog4j.configuration="file:$CACHE/log4j-tools.properties" \
		-cp "$LIB/*" org.apache.kafka.tools.TopicCommand \
		--bootstrap-server "$_bs" --create --if-not-exists --topic "$_name" \
		--partitions "$_parts" --replication-factor 1 "$@" >/dev/null
}

delete_topic() { # BOOTSTRAP NAME
	fetch
	# shellcheck disable=SC2086
	java $TOOL_JVM -Dlog4j.configuration="file:$CACHE/log4j-tools.properties" \
		-cp "$LIB/*" org.apache.kafka.tools.TopicCommand \
		--bootstrap-server "$1" --delete --topic "$2" >/dev/null
}

need() { # MIN USAGE ARGS...
	_min=$1 _use=$2
	shift 2
	[ $# -ge "$_min" ] || die "usage: $(basename "$0") $_use"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
fetch) fetch ;;
start) need 1 "start DIR" "$@"; start "$1" ;;
stop) need 1 "stop DIR" "$@"; stop "$1" ;;
resume) need 1 "resume DIR" "$@"; resume "$1" ;;
restart) need 1 "restart DIR" "$@"; stop "$1"; resume "$1" ;;
crash)
	need 1 "crash DIR" "$@"
	_d=$(cd "$1" && pwd)
	if _p=$(broker_pid "$_d"); then
		kill -KILL "$_p"
		while pid_alive "$_p"; do sleep 0.1; done
	fi
	rm -f "$_d/pid"
	;;
status) need 1 "status DIR" "$@"; broker_pid "$(cd "$1" 2>/dev/null && pwd)" >/dev/null ;;
shared) shared ;;
_watch) watch "$1" "$2" ;;
create-topic) need 3 "create-topic BOOTSTRAP NAME PARTITIONS [KEY=VALUE...]" "$@"
	create_topic "$@" ;;
delete-topic) need 2 "delete-topic BOOTSTRAP NAME" "$@"; delete_topic "$1" "$2" ;;
*) die "usage: $(basename "$0") fetch|start|stop|resume|restart|crash|status DIR|shared|create-topic|delete-topic" ;;
esac
