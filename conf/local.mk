# Example job files, installed under $(pkgdatadir)/examples.
examplesdir = $(pkgdatadir)/examples
dist_examples_DATA = conf/examples/hello.ini

# `make demo`: run the demo job from the build tree.
DEMO_JOB = $(srcdir)/conf/examples/hello.ini
demo: all
	SLUICE_PLUGIN_PATH=$(abs_top_builddir)/plugins:$(abs_top_srcdir)/plugins \
	  $(abs_top_builddir)/core/sluice run $(DEMO_JOB)
.PHONY: demo
