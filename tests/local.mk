# Tests run by `make check` (the automake parallel harness).
#
# Sections: the environment every test gets; C unit tests of the core
# library; job-file tests through the sluice command.  Further suites have
# their own local.mk under tests/ and add to TESTS and EXTRA_DIST.

# ---- environment ------------------------------------------------------------
# Scripts find the command, the plugins of this build (libraries in the
# build tree, descriptors in the source tree) and both trees from here.
AM_TESTS_ENVIRONMENT = \
	SLUICE='$(abs_top_builddir)/core/sluice'; \
	SLUICE_PLUGIN_PATH='$(abs_top_builddir)/plugins:$(abs_top_srcdir)/plugins'; \
	top_srcdir='$(abs_top_srcdir)'; \
	top_builddir='$(abs_top_builddir)'; \
	export SLUICE SLUICE_PLUGIN_PATH top_srcdir top_builddir;

# ---- unit tests of core/libslcore.la ---------------------------------------
UNIT_TESTS = \
	tests/unit/test_convert \
	tests/unit/test_descriptor \
	tests/unit/test_expr \
	tests/unit/test_expr_record \
	tests/unit/test_jobfile \
	tests/unit/test_json_write \
	tests/unit/test_plan \
	tests/unit/test_record_codec \
	tests/unit/test_secret \
	tests/unit/test_state \
	tests/unit/test_suggest \
	tests/unit/test_validate \
	tests/unit/test_watermark \
	tests/unit/test_inputs \
	tests/unit/test_commit \
	tests/unit/test_align \
	tests/unit/test_hop \
	tests/unit/test_memory_limit
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
UNIT_LDADD = core/libslcore.la
# They include the core's internal headers; fixtures are written to a
# temporary folder by each test, so a read-only source tree is fine.
UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
tests_unit_test_convert_SOURCES = tests/unit/test_convert.c tests/unit/check.h
tests_unit_test_convert_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_convert_LDADD = $(UNIT_LDADD)
tests_unit_test_jobfile_SOURCES = tests/unit/test_jobfile.c tests/unit/check.h
tests_unit_test_jobfile_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_jobfile_LDADD = $(UNIT_LDADD)
tests_unit_test_json_write_SOURCES = tests/unit/test_json_write.c \
	tests/unit/check.h
tests_unit_test_json_write_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_json_write_LDADD = $(UNIT_LDADD)
tests_unit_test_plan_SOURCES = tests/unit/test_plan.c tests/unit/check.h
tests_unit_test_plan_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_plan_LDADD = $(UNIT_LDADD)
tests_unit_test_record_codec_SOURCES = tests/unit/test_record_codec.c \
	tests/unit/check.h tests/unit/value_same.h
tests_unit_test_record_codec_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_record_codec_LDADD = $(UNIT_LDADD) $(LIBM)
tests_unit_test_descriptor_SOURCES = tests/unit/test_descriptor.c \
	tests/unit/check.h
tests_unit_test_descriptor_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_descriptor_LDADD = $(UNIT_LDADD)
tests_unit_test_secret_SOURCES = tests/unit/test_secret.c tests/unit/check.h
tests_unit_test_secret_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_secret_LDADD = $(UNIT_LDADD)
tests_unit_test_memory_limit_SOURCES = tests/unit/test_memory_limit.c \
	tests/unit/check.h
tests_unit_test_memory_limit_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_memory_limit_LDADD = $(UNIT_LDADD)
tests_unit_test_suggest_SOURCES = tests/unit/test_suggest.c tests/unit/check.h
tests_unit_test_suggest_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_suggest_LDADD = $(UNIT_LDADD)
tests_unit_test_validate_SOURCES = tests/unit/test_validate.c \
	tests/unit/check.h
tests_unit_test_validate_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_validate_LDADD = $(UNIT_LDADD)
tests_unit_test_expr_SOURCES = tests/unit/test_expr.c tests/unit/check.h \
	tests/unit/expr_text.h
tests_unit_test_expr_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_expr_LDADD = $(UNIT_LDADD)
tests_unit_test_expr_record_SOURCES = tests/unit/test_expr_record.c \
	tests/unit/expr_text.h \
	tests/unit/check.h
tests_unit_test_expr_record_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_expr_record_LDADD = $(UNIT_LDADD)
tests_unit_test_state_SOURCES = tests/unit/test_state.c tests/unit/check.h
tests_unit_test_state_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_state_LDADD = $(UNIT_LDADD)
tests_unit_test_watermark_SOURCES = tests/unit/test_watermark.c \
	tests/unit/check.h
tests_unit_test_watermark_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_watermark_LDADD = $(UNIT_LDADD)
tests_unit_test_inputs_SOURCES = tests/unit/test_inputs.c tests/unit/check.h
tests_unit_test_inputs_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_inputs_LDADD = $(UNIT_LDADD)
tests_unit_test_commit_SOURCES = tests/unit/test_commit.c tests/unit/check.h
tests_unit_test_commit_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_commit_LDADD = $(UNIT_LDADD)
tests_unit_test_align_SOURCES = tests/unit/test_align.c tests/unit/check.h
tests_unit_test_align_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_align_LDADD = $(UNIT_LDADD)
tests_unit_test_hop_SOURCES = tests/unit/test_hop.c tests/unit/check.h
tests_unit_test_hop_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_hop_LDADD = $(UNIT_LDADD)

# ---- the core's parts at link level (tests/build/layers.sh) ----------------
TESTS += tests/build/layers.test
EXTRA_DIST += tests/run-test.sh tests/build/layers.test tests/build/layers.sh

# ---- job files through `sluice validate` ------------------------------------
# bad/: each must be refused (exit 2) with its "; expect:" message at its
# line; good/: each must validate.  fixtures/plugins/ and
# fixtures/broken-plugins/: descriptors for the cases that need an odd
# plugin (no library, another ABI, a broken descriptor, every option type).
TESTS += tests/jobs/bad.test tests/jobs/good.test tests/jobs/limits.test \
	tests/jobs/open.test
# The fixtures' libraries (validation loads every plugin a job uses), in
# the build tree, which good.test adds to the plugin path.
check_LTLIBRARIES += tests/jobs/fixtures/plugins/knobs/knobs.la \
	tests/jobs/fixtures/plugins/grid/grid.la
tests_jobs_fixtures_plugins_knobs_knobs_la_SOURCES = \
	tests/jobs/fixtures/plugins/fixture.c
tests_jobs_fixtures_plugins_knobs_knobs_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFIXTURE_NAME='"knobs"'
tests_jobs_fixtures_plugins_knobs_knobs_la_LDFLAGS = -module -avoid-version \
	-shared -rpath $(abs_builddir) $(SANITIZER_CFLAGS)
tests_jobs_fixtures_plugins_grid_grid_la_SOURCES = \
	tests/jobs/fixtures/plugins/fixture.c
tests_jobs_fixtures_plugins_grid_grid_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFIXTURE_NAME='"grid"' -DFIXTURE_FORMAT
tests_jobs_fixtures_plugins_grid_grid_la_LDFLAGS = -module -avoid-version \
	-shared -rpath $(abs_builddir) $(SANITIZER_CFLAGS)
# The folders are distributed whole, so a new case needs no edit here.
EXTRA_DIST += tests/jobs/bad.test tests/jobs/good.test tests/jobs/limits.test \
	tests/jobs/open.test \
	tests/jobs/bad tests/jobs/good tests/jobs/fixtures
