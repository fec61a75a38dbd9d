# Benchmarks: `make bench`.  Figures are ratios against a baseline measured
# in the same run; nothing here is a timed test.
bench_scripts += tests/bench/engine.sh
EXTRA_PROGRAMS += tests/bench/runjob
tests_bench_runjob_SOURCES = tests/bench/runjob.c
EXTRA_DIST += $(bench_scripts) tests/bench/engine-baseline.ini \
	tests/bench/engine-3ops.ini
CLEANFILES += tests/bench/runjob

bench: all tests/bench/runjob $(check_LTLIBRARIES)
	@for s in $(bench_scripts); do \
	  SLUICE=$(abs_top_builddir)/core/sluice \
	  SLUICE_PLUGIN_PATH=$(abs_top_builddir)/plugins:$(abs_top_srcdir)/plugins \
	  top_builddir=$(abs_top_builddir) top_srcdir=$(abs_top_srcdir) \
	  RUNJOB=$(abs_top_builddir)/tests/bench/runjob \
	  $(SHELL) $(srcdir)/$$s || exit 1; \
	done
.PHONY: bench
