# The seed jobs end to end, with file and datagen input.
TESTS += tests/seeds/seeds.test
EXTRA_DIST += tests/seeds/seeds.test tests/seeds/lengths.ini \
	tests/seeds/lengths.in tests/seeds/lengths.expected \
	tests/seeds/counts.ini tests/seeds/counts.in tests/seeds/counts.expected \
	tests/seeds/pageviews.ini tests/seeds/pageviews.in \
	tests/seeds/pageviews.expected tests/seeds/datagen.ini \
	tests/seeds/events.ini

# `make bench`: the page-view job beside bare loops that parse the same
# events and read what the job reads, one per JSON parser (jansson, and
# yajl and simdjson where configure found them).
bench_scripts += tests/seeds/bench.sh
EXTRA_PROGRAMS += tests/seeds/jsonloop
tests_seeds_jsonloop_SOURCES = tests/seeds/jsonloop.c tests/seeds/jsonloop.h
tests_seeds_jsonloop_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(YAJL_CFLAGS)
tests_seeds_jsonloop_LDADD = $(JANSSON_LIBS) $(YAJL_LIBS)
if HAVE_SIMDJSON
tests_seeds_jsonloop_SOURCES += tests/seeds/jsonloop_simdjson.cpp
tests_seeds_jsonloop_CXXFLAGS = $(WARN_CXXFLAGS) $(SIMDJSON_CFLAGS) \
	-fno-exceptions -fno-rtti
tests_seeds_jsonloop_LDADD += $(SIMDJSON_LIBS)
# linked as C++ only when it has C++ (see plugins/json/local.mk)
tests_seeds_jsonloop_LINK = $(LIBTOOL) $(AM_V_lt) --tag=CXX \
	$(AM_LIBTOOLFLAGS) $(LIBTOOLFLAGS) --mode=link $(CXXLD) \
	$(tests_seeds_jsonloop_CXXFLAGS) $(CXXFLAGS) $(AM_LDFLAGS) \
	$(LDFLAGS) -o $@
else
tests_seeds_jsonloop_LINK = $(LIBTOOL) $(AM_V_lt) --tag=CC \
	$(AM_LIBTOOLFLAGS) $(LIBTOOLFLAGS) --mode=link $(CCLD) \
	$(tests_seeds_jsonloop_CFLAGS) $(CFLAGS) $(AM_LDFLAGS) \
	$(LDFLAGS) -o $@
endif
CLEANFILES += tests/seeds/jsonloop
EXTRA_DIST += tests/seeds/bench.sh tests/seeds/bench-pageviews.ini \
	tests/seeds/bench-events.ini tests/seeds/bench-raw.ini \
	tests/seeds/bench-stages.ini \
	tests/seeds/bench-keyed.ini
bench: tests/seeds/jsonloop
