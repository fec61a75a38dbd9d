# Sourced by the SDK tests: install the SDK into a scratch DESTDIR as a
# plugin author gets it, build a plugin from the installed sources with
# `pkg-config --cflags sluice` alone, and install it with its own
# Makefile into that DESTDIR's plugin folder.
#
# After sdk_install: $tmp (removed on exit), $dest (the DESTDIR), $sdkdir
# (the installed template and examples), $plugindir (where plugins go).
set -u
: "${SLUICE:?}" "${top_builddir:?}" "${top_srcdir:?}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
passed=0

ok() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { echo "not ok - $*"; echo "$passed passed, 1 failed"; exit 1; }
finish() { echo "$passed passed, 0 failed"; exit 0; }

# A variable of sluice.pc as installed, without the DESTDIR: pkgconf
# would prefix PKG_CONFIG_SYSROOT_DIR, the reference pkg-config not.
pc_var() {
	(unset PKG_CONFIG_SYSROOT_DIR; pkg-config --variable="$1" sluice)
}

sdk_install() {
	dest=$tmp/dest
	${MAKE:-make} -C "$top_builddir" install-sdk DESTDIR="$dest" \
		>"$tmp/install.log" 2>&1 ||
		fail "install the SDK: $(tail -5 "$tmp/install.log")"
	pc=$(find "$dest" -name sluice.pc | head -n 1)
	[ -n "$pc" ] || fail "no sluice.pc installed"
	PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest
	export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
	pkg-config --cflags sluice | grep -q "$dest" ||
		fail "pkg-config --cflags sluice does not point into the install"
	sdkdir=$dest$(pc_var sdkdir)
	plugindir=$dest$(pc_var plugindir)
	[ "$plugindir" != "$dest" ] || fail "sluice.pc has no plugindir"
}

# sdk_build NAME FOLDER: build plugin NAME from $sdkdir/FOLDER, strictly,
# check that it exports its entry and nothing else, and `make install` it.
sdk_build() {
	work=$tmp/src-$1
	[ -f "$sdkdir/$2/Makefile" ] || fail "$2 is not installed in $sdkdir"
	cp -R "$sdkdir/$2" "$work" || exit 99
	# -Werror: the SDK headers must compile cleanly for plugin authors too
	make -C "$work" CFLAGS="-O2 -Wall -Wextra -Werror -std=c99" \
		>"$tmp/build.log" 2>&1 || fail "build $2: $(cat "$tmp/build.log")"
	exports=$(nm -D --defined-only "$work/$1.so" | grep -v ' _' |
		awk '{print $3}')
	[ "$exports" = sluice_plugin_entry ] ||
		fail "$2 exports more than its entry: $exports"
	(unset PKG_CONFIG_SYSROOT_DIR; make -C "$work" install DESTDIR="$dest") \
		>"$tmp/build.log" 2>&1 || fail "install $2: $(cat "$tmp/build.log")"
	[ -f "$plugindir/$1.so" ] && [ -f "$plugindir/$1.plugin" ] ||
		fail "make install of $2 did not put $1.so and $1.plugin in $plugindir"
}

# run_job NAME [ARGS]: run $tmp/NAME.ini with the installed plugins;
# stderr in $tmp/NAME.err, the exit code in $rc.
run_job() {
	job=$1
	shift
	PLUGDIR=$plugindir TMP=$tmp "$SLUICE" run "$tmp/$job.ini" "$@" \
		2>"$tmp/$job.err"
	rc=$?
}

# expect FILE TEXT...: FILE holds exactly the lines TEXT...
expect() {
	file=$1
	shift
	printf '%s\n' "$@" >"$tmp/want"
	cmp -s "$tmp/want" "$file" ||
		fail "$file: got [$(cat "$file" 2>&1)], want [$(cat "$tmp/want")]"
}
