# Example job files, installed under $(pkgdatadir)/examples.
examplesdir = $(pkgdatadir)/examples
dist_examples_DATA = conf/examples/hello.ini \
	conf/examples/message-length.ini conf/examples/key-count.ini \
	conf/examples/user-behavior.ini conf/examples/user-events.ini \
	conf/examples/passthrough.ini conf/examples/user-behavior-postgres.ini \
	conf/examples/alerts-webhook.ini \
	conf/examples/webhook-to-kafka.ini \
	conf/examples/enrich-orders.ini \
	conf/examples/user-behavior.cases.ini \
	conf/examples/hello.cases.ini conf/examples/user-events.cases.ini \
	conf/examples/message-length.cases.ini \
	conf/examples/key-count.cases.ini conf/examples/passthrough.cases.ini \
	conf/examples/enrich-orders.cases.ini \
	conf/examples/alerts-webhook.cases.ini conf/examples/alerts-webhook.events \
	conf/examples/webhook-to-kafka.cases.ini \
	conf/examples/user-behavior-postgres.cases.ini

# `make demo`: the Quick start's demo, from the build tree: a Kafka of its
# own, sample events, user-behavior.ini exactly-once, a table of counts.
# `make demo-hello`: the smallest job, no Kafka needed.
DEMO_ENV = SLUICE=$(abs_top_builddir)/core/sluice \
	SLUICE_PLUGIN_PATH=$(abs_top_builddir)/plugins:$(abs_top_srcdir)/plugins
demo: all
	@$(DEMO_ENV) $(SHELL) $(srcdir)/tests/quickstart/demo.sh
demo-hello: all
	@$(DEMO_ENV) $(abs_top_builddir)/core/sluice run \
	  $(srcdir)/conf/examples/hello.ini
.PHONY: demo demo-hello

# The systemd template unit: sluice@NAME runs $(sysconfdir)/sluice/NAME.ini.
# Its paths are the installed ones, filled in by make (configure leaves
# them as ${prefix}...).
if HAVE_SYSTEMD_UNITDIR
systemdsystemunit_DATA = conf/sluice@.service
endif
conf/sluice@.service: $(srcdir)/conf/sluice@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && \
	sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	  $(srcdir)/conf/sluice@.service.in >$@.tmp && mv $@.tmp $@
EXTRA_DIST += conf/sluice@.service.in
CLEANFILES += conf/sluice@.service

# The container image: build on bookworm, run on bookworm-slim with the
# runtime libraries only (doc/operating.md); tests/ops/docker.test.
EXTRA_DIST += Dockerfile .dockerignore
