# The SDK: public headers installed as <sluice/...>, and sluice.pc.
sluiceincludedir = $(includedir)/sluice
sluiceinclude_HEADERS = \
	sdk/sluice/batch.h \
	sdk/sluice/error.h \
	sdk/sluice/expr.h \
	sdk/sluice/format.h \
	sdk/sluice/host.h \
	sdk/sluice/operator.h \
	sdk/sluice/plugin.h \
	sdk/sluice/sink.h \
	sdk/sluice/source.h \
	sdk/sluice/state.h \
	sdk/sluice/stage.h \
	sdk/sluice/value.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = sdk/sluice.pc
EXTRA_DIST += sdk/template/uppercase.c sdk/template/uppercase.plugin \
	sdk/template/Makefile sdk/template/README
