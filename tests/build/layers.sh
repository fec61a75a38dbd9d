# layers.sh - the core's parts, bottom-up as core/local.mk lists them
# (base < expr < ... < cli), checked at link level: sourced by
# layers.test, which defines nothing this needs.
#
# layers_order SRCDIR: the parts, lowest first, from the order of the
#   $(CORE_*) lists in core_libslcore_la_SOURCES.
# layers_listing BUILDDIR: one line per symbol, "core PART OBJECT SYMBOL
#   TYPE" for the objects of core/libslcore.la (the members of its
#   archive; PART is the folder under core/ the member was built in, else
#   the folder's path, or - when it is nowhere), "plugin - FILE SYMBOL
#   TYPE" for each plugin library.  TYPE is nm -P's.
# layers_judge ORDER: reads a listing, prints each breach, sorted, and
#   fails if there is one:
#     OBJECT uses SYMBOL from PART        an object refers to a part above
#     OBJECT defines SYMBOL, as does FILE a core object and a plugin both
#     OBJECT is in core/libslcore.la but not in a part of core/local.mk

layers_order() {
	sed -n '/^core_libslcore_la_SOURCES[ 	]*=/,/[^\\]$/p' \
		"$1/core/local.mk" |
		grep -o '\$(CORE_[A-Z]*)' |
		sed 's/^\$(CORE_//; s/)$//' | tr 'A-Z' 'a-z' | tr '\n' ' '
}

# layers_nm KIND PART FILE SHOWN: FILE's symbols as listing lines, the
# file named SHOWN.
layers_nm() {
	nm -P "$3" 2>/dev/null |
		awk -v k="$1" -v p="$2" -v f="$4" \
			'NF >= 2 && $1 !~ /:$/ { print k, p, f, $1, $2 }'
}

# layers_made_of BUILDDIR MEMBER COPY: the object file under BUILDDIR
# named MEMBER with COPY's bytes, looked for in core/*/ first.
layers_made_of() {
	for ly_o in "$1"/core/*/.libs/"$2" "$1"/core/*/"$2"; do
		[ -f "$ly_o" ] && cmp -s "$ly_o" "$3" && { echo "$ly_o"; return; }
	done
	find "$1" -name "$2" ! -path "$1/core/*" | while read -r ly_o; do
		cmp -s "$ly_o" "$3" && { echo "$ly_o"; break; }
	done
}

layers_listing() {
	ly_b=$1
	ly_la="$ly_b/core/libslcore.la"
	[ -f "$ly_la" ] || { echo "layers: no $ly_la" >&2; return 1; }
	ly_a=$(sed -n "s/^old_library='\\(.*\\)'$/\\1/p" "$ly_la")
	if [ -f "$ly_b/core/.libs/$ly_a" ]; then
		ly_a="$ly_b/core/.libs/$ly_a"
	elif [ -f "$ly_b/core/$ly_a" ]; then
		ly_a="$ly_b/core/$ly_a"
	else
		echo "layers: no archive '$ly_a' of $ly_la" >&2
		return 1
	fi
	ly_member=$(mktemp) || return 1
	for ly_m in $(ar t "$ly_a"); do
		# which file the member was made of tells its part: its name
		# alone may also be left over where its source moved from
		ar p "$ly_a" "$ly_m" >"$ly_member" || return 1
		ly_part=- ly_shown="core/libslcore.la($ly_m)"
		ly_o=$(layers_made_of "$ly_b" "$ly_m" "$ly_member")
		if [ -n "$ly_o" ]; then
			ly_shown=$(echo "${ly_o#"$ly_b"/}" | sed \
				's|/\.libs/|/|; s|/[A-Za-z0-9_]*_la-\([^/]*\)$|/\1|')
			ly_part=${ly_shown%/*}
			ly_part=${ly_part#core/}
		fi
		layers_nm core "$ly_part" "$ly_member" "$ly_shown"
	done
	rm -f "$ly_member"
	for ly_so in "$ly_b"/plugins/*/.libs/*.so; do
		[ -f "$ly_so" ] || continue
		layers_nm plugin - "$ly_so" "$(echo "${ly_so#"$ly_b"/}" |
			sed 's|/\.libs/|/|')"
	done
}

layers_judge() {
	awk -v order="$1" '
	BEGIN {
		n = split(order, o, " ")
		for (i = 1; i <= n; i++)
			rank[o[i]] = i
		# sluice/host.h has every user of its macros define the table
		# pointer; a plugin keeps its own hidden
		shared["sl_host_api"] = 1
	}
	{ kind[NR] = $1; part[NR] = $2; obj[NR] = $3; sym[NR] = $4; type[NR] = $5 }
	$1 == "core" && $5 ~ /^[A-TV-Z]$/ { home[$4] = $2; homeobj[$4] = $3 }
	END {
		for (i = 1; i <= NR; i++) {
			s = sym[i]; t = type[i]
			# reserved names belong to the compiler and its runtime
			# (a sanitizer build adds __odr_asan.* beside each global)
			if (s ~ /^__/)
				continue
			undef = t == "U" || t == "w" || t == "v"
			if (kind[i] == "core" && !(part[i] in rank))
				print obj[i] " is in core/libslcore.la but " \
				      "not in a part of core/local.mk"
			else if (kind[i] == "core" && undef && (s in home) &&
				 (home[s] in rank) && rank[home[s]] > rank[part[i]])
				print obj[i] " uses " s " from " home[s]
			else if (kind[i] == "plugin" && !undef && (s in home) &&
				 !(s in shared))
				print homeobj[s] " defines " s ", as does " obj[i]
		}
	}' | sort -u | awk '{ print } END { exit NR > 0 }'
}
