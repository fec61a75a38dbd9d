# The SDK: public headers installed as <sluice/...>, sluice.pc, and the
# plugin template and examples as sources to copy, in
# $(pkgdatadir)/sdk (`pkg-config --variable=sdkdir sluice`).
sluiceincludedir = $(includedir)/sluice
sluiceinclude_HEADERS = \
	sdk/sluice/batch.h \
	sdk/sluice/decimal.h \
	sdk/sluice/error.h \
	sdk/sluice/expr.h \
	sdk/sluice/format.h \
	sdk/sluice/host.h \
	sdk/sluice/operator.h \
	sdk/sluice/plugin.h \
	sdk/sluice/sink.h \
	sdk/sluice/source.h \
	sdk/sluice/state.h \
	sdk/sluice/store.h \
	sdk/sluice/stage.h \
	sdk/sluice/value.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = sdk/sluice.pc

sdkdir = $(pkgdatadir)/sdk
sdktemplatedir = $(sdkdir)/template
dist_sdktemplate_DATA = sdk/template/uppercase.c sdk/template/uppercase.plugin \
	sdk/template/Makefile sdk/template/README
sdkexamplesdir = $(sdkdir)/examples
dist_sdkexamples_DATA = sdk/examples/README
sdkcsvdir = $(sdkdir)/examples/csv
dist_sdkcsv_DATA = sdk/examples/csv/csv.c sdk/examples/csv/csv.plugin \
	sdk/examples/csv/Makefile
sdklinecountdir = $(sdkdir)/examples/linecount
dist_sdklinecount_DATA = sdk/examples/linecount/linecount.c \
	sdk/examples/linecount/linecount.plugin sdk/examples/linecount/Makefile
sdkseqdir = $(sdkdir)/examples/seq
dist_sdkseq_DATA = sdk/examples/seq/seq.c sdk/examples/seq/seq.plugin \
	sdk/examples/seq/Makefile
sdkfilestoredir = $(sdkdir)/examples/filestore
dist_sdkfilestore_DATA = sdk/examples/filestore/filestore.c \
	sdk/examples/filestore/filestore.plugin sdk/examples/filestore/Makefile

# What a plugin author needs and nothing else: tests/sdk install it into
# a scratch DESTDIR and build the template and examples from there.
install-sdk: install-sluiceincludeHEADERS install-pkgconfigDATA \
	install-dist_sdktemplateDATA install-dist_sdkexamplesDATA \
	install-dist_sdkcsvDATA install-dist_sdklinecountDATA \
	install-dist_sdkseqDATA install-dist_sdkfilestoreDATA \
	install-dist_docDATA
.PHONY: install-sdk
