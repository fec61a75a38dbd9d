#!/bin/sh
# pg-local.sh: a real PostgreSQL server (Debian's `postgresql` package) on
# 127.0.0.1 for Sluice's tests, in a folder of its own: nothing of the
# system's clusters is touched.
#
#   start DIR      new cluster in DIR/data on a free port; prints a conninfo
#   stop DIR       fast shutdown (pg_ctl stop -m fast); data kept; idempotent
#   resume DIR     start DIR's cluster again on the same port; prints conninfo
#   status DIR     exit 0 if DIR's server runs
#   conninfo DIR   the conninfo of DIR's cluster (without its password)
#
# The server runs as an unprivileged user: initdb refuses root, so when run
# as root the cluster belongs to SLUICE_PG_USER (default: postgres, which
# the package creates).  Clients log in as role `sluice` over TCP with the
# password in DIR/password (scram-sha-256), so a conninfo never needs it
# spelled out: PGPASSWORD, a passfile or ${VAR} in a job file.
#
# Env: SLUICE_PG_BIN (the server's binaries, default the newest
# /usr/lib/postgresql/*/bin), SLUICE_PG_USER.
set -eu

die() { printf 'pg-local: %s\n' "$*" >&2; exit 1; }

pg_bin() {
	if [ -n "${SLUICE_PG_BIN:-}" ]; then
		echo "$SLUICE_PG_BIN"
		return 0
	fi
	for _b in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
		[ -x "$_b/initdb" ] && { echo "$_b"; return 0; }
	done
	return 1
}

BIN=$(pg_bin) || die "no PostgreSQL server found (apt-get install postgresql)"

# Run a server program as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		_u=${SLUICE_PG_USER:-postgres}
		id "$_u" >/dev/null 2>&1 || die "user $_u missing (set SLUICE_PG_USER)"
		if command -v runuser >/dev/null; then
			runuser -u "$_u" -- "$@"
		else
			setpriv --reuid="$_u" --regid="$(id -g "$_u")" --init-groups -- "$@"
		fi
	else
		"$@"
	fi
}

# PostgreSQL's ports: 30000-32767, away from the 10000-29999 of
# tests/kafka/kafka-local.sh.
. "$(dirname "$0")/../lib/ports.sh"

# A test's folder under mktemp -d is 0700: let the cluster's owner pass
# through (o+x, not o+r) the folders above DIR that are ours.
open_path() {
	_p=$(dirname "$1")
	while [ "$_p" != / ]; do
		if [ -O "$_p" ] && ! as_owner test -x "$_p"; then
			chmod o+x "$_p"
		fi
		_p=$(dirname "$_p")
	done
}

conninfo() {
	echo "host=127.0.0.1 port=$(cat "$1/port") user=sluice dbname=postgres"
}

launch() { # DIR
	# -k: the socket in the cluster's folder, not /var/run/postgresql
	as_owner "$BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 \
		-o "-p $(cat "$1/port") -k $1/data -c listen_addresses=127.0.0.1" \
		start >/dev/null
}

start() {
	mkdir -p "$1"
	_d=$(cd "$1" && pwd)
	[ ! -e "$_d/data/postmaster.pid" ] || die "a server already runs in $_d"
	rm -rf "$_d/data"
	# the owner must reach its folder; the password is for the tests' eyes
	chmod 755 "$_d"
	[ "$(id -u)" -ne 0 ] || open_path "$_d"
	mkdir -m 700 "$_d/data"
	od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$_d/password"
	chmod 644 "$_d/password"
	if [ "$(id -u)" -eq 0 ]; then
		chown "${SLUICE_PG_USER:-postgres}" "$_d/data"
	fi
	: >"$_d/server.log"
	[ "$(id -u)" -ne 0 ] || chown "${SLUICE_PG_USER:-postgres}" "$_d/server.log"
	as_owner "$BIN/initdb" -D "$_d/data" -U sluice --pwfile="$_d/password" \
		-A scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$_d/initdb.log" 2>&1 ||
		{ cat "$_d/initdb.log" >&2; die "initdb failed"; }
	# fsync off: a test cluster is thrown away, and a crash of the server
	# is not what the tests are about (stop -m fast is a clean shutdown)
	printf '%s\n' "fsync = off" "max_connections = 50" \
		"log_min_messages = warning" >>"$_d/data/postgresql.conf"
	_try=1
	while :; do
		pick_port 30000 2768 >"$_d/port"
		launch "$_d" && break
		[ $_try -lt 3 ] && grep -q 'could not bind\|Address already in use' \
			"$_d/server.log" || { tail -n 20 "$_d/server.log" >&2; die "server did not start"; }
		_try=$((_try + 1))
	done
	conninfo "$_d"
}

stop() {
	_d=$(cd "$1" 2>/dev/null && pwd) || return 0
	[ -f "$_d/data/postmaster.pid" ] || return 0
	as_owner "$BIN/pg_ctl" -D "$_d/data" -m fast -w -t 60 stop >/dev/null
}

resume() {
	_d=$(cd "$1" 2>/dev/null && pwd) || die "no cluster folder $1"
	[ -f "$_d/port" ] || die "$_d holds no cluster (use start)"
	status "$_d" || launch "$_d" || { tail -n 20 "$_d/server.log" >&2; die "server did not start"; }
	conninfo "$_d"
}

status() {
	as_owner "$BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

cmd=${1:-}
[ $# -eq 2 ] || die "usage: $(basename "$0") start|stop|resume|status|conninfo DIR"
case $cmd in
start) start "$2" ;;
stop) stop "$2" ;;
resume) resume "$2" ;;
status) status "$(cd "$2" && pwd)" ;;
conninfo) conninfo "$(cd "$2" && pwd)" ;;
*) die "usage: $(basename "$0") start|stop|resume|status|conninfo DIR" ;;
esac
