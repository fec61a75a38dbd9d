#!/bin/sh
# Install what building and testing Sluice needs on Debian bookworm.
# Runs without a terminal (CI); uses sudo only when not root.  g++ and
# libsimdjson-dev: the json format's fast decoder (one C++ file);
# libyajl-dev: one of the JSON parsers `make bench` measures; libpq-dev:
# the postgresql sink; postgresql: the server its tests start
# (tests/postgres/pg-local.sh); libcurl4-openssl-dev: the http plugin
# (openssl: its tests' self-signed certificate); python3: the reference
# of plugins/window/tests/independent.test and the ops tests' clients.
set -eu
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
packages="build-essential autoconf automake libtool pkg-config
	libltdl-dev libinih-dev libjansson-dev librdkafka-dev kcat
	libmicrohttpd-dev curl prometheus g++ libsimdjson-dev libyajl-dev
	default-jre-headless maven groff-base clang libclang-rt-14-dev
	postgresql libpq-dev libcurl4-openssl-dev openssl libpcre2-dev
	python3"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
# Java and Maven may come from elsewhere (a JDK image): accept those too.
if command -v java >/dev/null 2>&1; then
	missing=$(echo "$missing" | tr ' ' '\n' | grep -v '^default-jre-headless$' | tr '\n' ' ')
fi
if command -v mvn >/dev/null 2>&1; then
	missing=$(echo "$missing" | tr ' ' '\n' | grep -v '^maven$' | tr '\n' ' ')
fi
if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
	echo "setup: installing$missing"
	$sudo apt-get update -q
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi
