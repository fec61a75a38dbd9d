# The seed jobs end to end, with file and datagen input.
TESTS += tests/seeds/seeds.test
EXTRA_DIST += tests/seeds/seeds.test tests/seeds/lengths.ini \
	tests/seeds/lengths.in tests/seeds/lengths.expected \
	tests/seeds/counts.ini tests/seeds/counts.in tests/seeds/counts.expected \
	tests/seeds/pageviews.ini tests/seeds/pageviews.in \
	tests/seeds/pageviews.expected tests/seeds/datagen.ini \
	tests/seeds/events.ini

# `make bench`: the page-view job beside a bare jansson loop.
bench_scripts += tests/seeds/bench.sh
EXTRA_PROGRAMS += tests/seeds/jsonloop
tests_seeds_jsonloop_SOURCES = tests/seeds/jsonloop.c
tests_seeds_jsonloop_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_seeds_jsonloop_LDADD = $(JANSSON_LIBS)
CLEANFILES += tests/seeds/jsonloop
EXTRA_DIST += tests/seeds/bench.sh tests/seeds/bench-pageviews.ini \
	tests/seeds/bench-events.ini tests/seeds/bench-stages.ini \
	tests/seeds/bench-keyed.ini
bench: tests/seeds/jsonloop
