# lib.sh: sourced by the tests of conf/examples/ against a real broker.
#
#   ex_init NAME        $tmp (removed at exit), a broker ($SLUICE_BOOTSTRAP),
#                       $id = NAME-PID: topics and job names made from it do
#                       not meet those of tests running beside this one
#   ex_run LOG JOB [--set ...]
#                       run conf/examples/JOB pointed at the test broker and
#                       named $id (its group and transactional.id), bounded
#                       (stop = end on its Kafka sources): --set only, so the
#                       file's ${VAR:-default} values are what gets replaced
#   ex_consume TOPIC N [FORMAT]
#                       the committed records of TOPIC as kcat prints them
#                       with FORMAT (default key TAB value), partition by
#                       partition, once there are N of them or 15 s passed
#   ex_fail MESSAGE     count a failure; the test exits 1 at ex_done
#   ex_same WANT GOT WHAT
#                       compare two files, showing the start of a difference
#   ex_done             the exit status
#
# POSIX sh; the caller sets -u.

ex_init() {
	: "${SLUICE:?}" "${top_srcdir:?}"
	examples=$top_srcdir/conf/examples
	SLUICE_KAFKA_HOME=$top_srcdir/tests/kafka
	export SLUICE_KAFKA_HOME
	. "$SLUICE_KAFKA_HOME/kafka-env.sh"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$1.XXXXXX") || exit 99
	ex_pids=
	trap 'ex_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	ex_fails=0
	id=$1-$$
	sl_need_kafka
	bs=$SLUICE_BOOTSTRAP
}

ex_cleanup() {
	_rc=$?
	for _p in $ex_pids; do
		kill -KILL "$_p" 2>/dev/null || true
	done
	rm -rf "$tmp"
	exit $_rc
}

ex_fail() {
	echo "FAIL: $*"
	ex_fails=$((ex_fails + 1))
}

# ex_run LOG JOB [ARGS...]: every kafka stage of JOB gets the test broker;
# sources stop at the end.
ex_run() {
	_log=$1 _job=$examples/$2
	shift 2
	set -- --set job.name="$id" "$@"
	for _s in $(awk '
		/^\[(source|sink) [A-Za-z0-9_-]+\]$/ {
			split(substr($0, 2, length($0) - 2), w, " ")
			kind = w[1]; name = w[2]; next
		}
		/^\[/ { kind = "" }
		kind != "" && /^plugin[ \t]*=[ \t]*kafka[ \t]*$/ { print kind ":" name }
		' "$_job"); do
		_stage=${_s#*:}
		set -- "$@" --set "$_stage.bootstrap.servers=$bs"
		[ "${_s%%:*}" = source ] && set -- "$@" --set "$_stage.stop=end"
	done
	"$SLUICE" run "$_job" "$@" </dev/null >"$_log" 2>&1
}

# A transaction's commit markers reach the partitions just after the
# producer's commit returns; until then a read_committed reader stops
# short of its records, so one read right after a job may miss some.
ex_consume() {
	_tries=0
	while :; do
		kcat -C -b "$bs" -t "$1" -o beginning -e -q \
			-X isolation.level=read_committed -f "${3:-%k\t%s\n}" \
			>"$tmp/consumed" || return 1
		[ "$(wc -l <"$tmp/consumed")" -ge "$2" ] && break
		_tries=$((_tries + 1))
		[ $_tries -lt 75 ] || break
		sleep 0.2
	done
	cat "$tmp/consumed"
}

ex_same() {
	if cmp -s "$1" "$2"; then
		echo "ok: $3"
	else
		ex_fail "$3"
		diff "$1" "$2" | head -20
	fi
}

ex_done() {
	[ "$ex_fails" -eq 0 ]
}
