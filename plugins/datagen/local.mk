# datagen: a source of generated records, deterministic for a seed.
plugin_LTLIBRARIES += plugins/datagen/datagen.la
plugins_datagen_datagen_la_SOURCES = \
	plugins/datagen/datagen.c plugins/datagen/datagen.h \
	plugins/datagen/profiles.c \
	plugins/datagen/prng.h
plugins_datagen_datagen_la_LDFLAGS = $(PLUGIN_LDFLAGS)
dist_plugin_DATA += plugins/datagen/datagen.plugin

TESTS += plugins/datagen/tests/datagen.test
EXTRA_DIST += plugins/datagen/tests/datagen.test \
	plugins/datagen/tests/seed42.expected
