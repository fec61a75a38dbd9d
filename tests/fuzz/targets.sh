# targets.sh - sourced by corpora.test and fuzz.sh: the fuzz targets, the
# files of the source tree that seed each, and the largest input each is
# fuzzed with.  Every target also has its own corpus,
# tests/fuzz/corpus/TARGET/: seeds taken from tests, and every input that
# once made it fail (crash-*).  Needs $top_srcdir (and $top_builddir to
# know the targets built only with some libraries).

fuzz_targets="jobfile expr format descriptor record_codec pack"
# jsondiff is built only with simdjson: a target when its program is there
if [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/tests/fuzz/fuzz_jsondiff" ]; then
	fuzz_targets="$fuzz_targets jsondiff"
fi

# fuzz_seeds TARGET: the seed files, one per line
fuzz_seeds() {
	case $1 in
	jobfile)
		ls "$top_srcdir"/tests/jobs/good/*.ini "$top_srcdir"/tests/jobs/bad/*.ini \
			"$top_srcdir"/conf/examples/*.ini
		;;
	jsondiff)
		ls "$top_srcdir"/tests/fuzz/corpus/format/*
		;;
	descriptor)
		ls "$top_srcdir"/plugins/*/*.plugin \
			"$top_srcdir"/tests/jobs/fixtures/*/*/*.plugin \
			"$top_srcdir"/tests/plugins/*/*.plugin
		;;
	esac
	ls "$top_srcdir/tests/fuzz/corpus/$1"/* 2>/dev/null
}

# fuzz_max_len TARGET: libFuzzer's -max_len
fuzz_max_len() {
	case $1 in
	jobfile) echo 16384 ;;
	*) echo 4096 ;;
	esac
}
