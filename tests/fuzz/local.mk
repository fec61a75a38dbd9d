# Fuzzing (tests/fuzz/): libFuzzer targets for the job-file reader and
# validator, the expression language, the json and string formats, the
# descriptor parser, the record codec of repartition topics and their
# packs of records (plugins/kafka/kafka_pack.h), and (with
# simdjson) the json format's two decoders against each other.
#
# `make check` replays each target over its seeds and its checked-in
# corpus (tests/fuzz/corpus/TARGET/: every input that once crashed it),
# with libFuzzer when configured with --enable-fuzzing (clang), else with
# replay.c's main, so any compiler runs the regressions.  `make fuzz
# FUZZ_SECONDS=N` fuzzes each target for real for N seconds (fuzz.sh).
FUZZ_TARGETS = tests/fuzz/fuzz_jobfile tests/fuzz/fuzz_expr \
	tests/fuzz/fuzz_format tests/fuzz/fuzz_descriptor \
	tests/fuzz/fuzz_record_codec tests/fuzz/fuzz_pack
if HAVE_SIMDJSON
FUZZ_TARGETS += tests/fuzz/fuzz_jsondiff
endif
check_PROGRAMS += $(FUZZ_TARGETS)
if FUZZING
FUZZ_MAIN =
FUZZ_LINK = -fsanitize=fuzzer
else
FUZZ_MAIN = tests/fuzz/replay.c
FUZZ_LINK =
endif
FUZZ_COMMON = tests/fuzz/fuzz.h tests/fuzz/fuzz_file.c $(FUZZ_MAIN)
FUZZ_CPPFLAGS = $(OPTEST_CPPFLAGS)
FUZZ_LIBS = core/libslcore.la
tests_fuzz_fuzz_jobfile_SOURCES = tests/fuzz/fuzz_jobfile.c $(FUZZ_COMMON)
tests_fuzz_fuzz_jobfile_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_jobfile_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_jobfile_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_descriptor_SOURCES = tests/fuzz/fuzz_descriptor.c $(FUZZ_COMMON)
tests_fuzz_fuzz_descriptor_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_descriptor_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_descriptor_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_expr_SOURCES = tests/fuzz/fuzz_expr.c $(FUZZ_COMMON)
tests_fuzz_fuzz_expr_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_expr_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_expr_LDADD = $(OPTEST_LIBS)
tests_fuzz_fuzz_format_SOURCES = tests/fuzz/fuzz_format.c $(FUZZ_COMMON)
tests_fuzz_fuzz_format_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_format_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_format_LDADD = $(OPTEST_LIBS)
tests_fuzz_fuzz_record_codec_SOURCES = tests/fuzz/fuzz_record_codec.c \
	$(FUZZ_COMMON)
tests_fuzz_fuzz_record_codec_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_record_codec_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_record_codec_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_pack_SOURCES = tests/fuzz/fuzz_pack.c \
	plugins/kafka/kafka_pack.c plugins/kafka/kafka_pack.h $(FUZZ_COMMON)
tests_fuzz_fuzz_pack_CPPFLAGS = $(FUZZ_CPPFLAGS) -I$(top_srcdir)/plugins/kafka
tests_fuzz_fuzz_pack_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_pack_LDADD = $(FUZZ_LIBS)
# the simdjson decoder compiled in, the jansson one through the plugin
tests_fuzz_fuzz_jsondiff_SOURCES = tests/fuzz/fuzz_jsondiff.c \
	plugins/json/json_simdjson.cpp plugins/json/json_simd.h \
	tests/fuzz/jsondiff_kernel.cpp tests/unit/value_same.h $(FUZZ_COMMON)
tests_fuzz_fuzz_jsondiff_CPPFLAGS = $(FUZZ_CPPFLAGS) -I$(top_srcdir)/plugins/json
tests_fuzz_fuzz_jsondiff_CXXFLAGS = $(JSON_SIMD_CXXFLAGS)
tests_fuzz_fuzz_jsondiff_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_jsondiff_LDADD = $(OPTEST_LIBS) $(SIMDJSON_LIBS)

# jsondiff.test: the differential test of the json decoders, and proof
# that it fails when they differ.
TESTS += tests/fuzz/corpora.test tests/fuzz/jsondiff.test
EXTRA_DIST += tests/fuzz/corpora.test tests/fuzz/jsondiff.test tests/fuzz/fuzz.sh \
	tests/fuzz/targets.sh tests/fuzz/corpus


.PHONY: fuzz
fuzz: $(FUZZ_TARGETS)
if FUZZING
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		FUZZ_SECONDS='$(FUZZ_SECONDS)' sh $(srcdir)/tests/fuzz/fuzz.sh
else
	@echo "make fuzz: configure with CC=clang --enable-fuzzing (libFuzzer)" >&2
	@exit 2
endif
FUZZ_SECONDS = 60
