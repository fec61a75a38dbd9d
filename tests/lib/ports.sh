# Sourced by the scripts that start a server on loopback for tests
# (tests/kafka/kafka-local.sh, tests/postgres/pg-local.sh): free ports.
# The caller defines die().

# A port is taken if any local tcp socket uses it, listening or not.
port_free() {
	_files=
	for _f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$_f" ] && _files="$_files $_f"
	done
	# shellcheck disable=SC2086
	! awk -v h="$(printf ':%04X' "$1")" \
		'FNR > 1 && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' $_files
}

# pick_port LOW SPAN [EXCEPT]: a random free port in LOW..LOW+SPAN-1 other
# than EXCEPT.  Ranges below Linux's ephemeral ports, so that outgoing
# connections do not take them; random, so that concurrent runs spread.
pick_port() {
	_n=0
	while [ $_n -lt 200 ]; do
		_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		_p=$(($1 + (_r + $$ + _n) % $2))
		if [ "$_p" != "${3:-}" ] && port_free "$_p"; then
			echo "$_p"
			return 0
		fi
		_n=$((_n + 1))
	done
	die "no free TCP port found"
}
