# state_lib.sh: sourced by the tests of Kafka as the state backend
# (state_*.test), after sink_lib.sh (sk_init, sk_feed_bg, sk_kill_loop ...).
#
#   st_output TOPIC N FILE   the committed records of TOPIC as "key<TAB>value"
#                            lines, read again until there are N of them
#                            and two reads agree (commit markers arrive just
#                            after a transaction commits), or 30 s passed
#   st_changelog TOPIC FILE  the committed records of a changelog topic as
#                            "<key in hex> <value length, or null>" lines,
#                            in log order per partition
#   st_wait_log FILE PATTERN SECONDS
#                            wait until a line of FILE matches PATTERN
#   st_wait_output TOPIC N SECONDS
#                            wait until TOPIC holds more than N committed
#                            records
#   st_same WANT GOT WHAT    compare two sorted files or fail, showing the
#                            start of the difference
#
# POSIX sh; the caller sets -eu.

st_read() {
	kcat -C -b "$SLUICE_BOOTSTRAP" -t "$1" -o beginning -e -q \
		-X isolation.level=read_committed -f '%k\t%s\n' >"$2" ||
		sk_fail "consuming $1"
}

st_output() {
	_tries=0
	: >"$work/st.prev"
	while :; do
		st_read "$1" "$3"
		if [ "$(wc -l <"$3")" -ge "$2" ] && cmp -s "$3" "$work/st.prev"; then
			return 0
		fi
		_tries=$((_tries + 1))
		[ $_tries -lt 150 ] || return 0
		cp "$3" "$work/st.prev"
		sleep 0.2
	done
}

# Keys are binary (store name, NUL, the store's key), so kcat writes each
# record as "KEYLEN:VALUELEN:KEY" and od turns the stream into numbers.
st_changelog() {
	kcat -C -b "$SLUICE_BOOTSTRAP" -t "$1" -o beginning -e -q \
		-X isolation.level=read_committed -f '%K:%S:%k' |
		od -An -v -tu1 | awk '
		{ for (i = 1; i <= NF; i++) b[n++] = $i }
		function num(  v, neg) {
			neg = 0; v = 0
			if (b[at] == 45) { neg = 1; at++ }
			while (b[at] != 58) v = v * 10 + b[at++] - 48
			at++
			return neg ? -v : v
		}
		END {
			at = 0
			while (at < n) {
				klen = num(); vlen = num(); key = ""
				for (j = 0; j < klen; j++)
					key = key sprintf("%02x", b[at + j])
				at += klen
				print key, (vlen < 0 ? "null" : vlen)
			}
		}' >"$2" || sk_fail "reading changelog $1"
}

st_wait_log() {
	_i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt $(($3 * 10)) ] || return 1
		sleep 0.1
	done
}

st_wait_output() {
	_i=0
	while [ "$(kcat -C -b "$SLUICE_BOOTSTRAP" -t "$1" -o beginning -e -q \
		-X isolation.level=read_committed 2>/dev/null | wc -l)" -le "$2" ]; do
		_i=$((_i + 1))
		[ $_i -lt $(($3 * 5)) ] || return 1
		sleep 0.2
	done
}

st_same() {
	if ! cmp -s "$1" "$2"; then
		echo "want $(wc -l <"$1") lines, got $(wc -l <"$2"); first differences:" >&2
		diff "$1" "$2" | head -n 10 >&2
		sk_fail "$3"
	fi
	echo "ok: $3"
}
