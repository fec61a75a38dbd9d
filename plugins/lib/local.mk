# What the keyed operators share (aggregate and window): the aggregate
# functions, field paths and group keys.  A convenience library linked
# into each plugin, so there is one copy of the code in the tree.
noinst_LTLIBRARIES += plugins/lib/libslop.la
plugins_lib_libslop_la_SOURCES = \
	plugins/lib/aggfn.c plugins/lib/aggfn.h \
	plugins/lib/agglist.c plugins/lib/agglist_state.c \
	plugins/lib/agglist.h \
	plugins/lib/fieldpath.c plugins/lib/fieldpath.h \
	plugins/lib/groupkey.c plugins/lib/groupkey.h \
	plugins/lib/ordersort.c plugins/lib/ordersort.h
plugins_lib_libslop_la_LIBADD = $(LIBM)

# What the text formats share (string, bytes): a value written as text.
noinst_LTLIBRARIES += plugins/lib/libsltext.la
plugins_lib_libsltext_la_SOURCES = plugins/lib/text_encode.c \
	plugins/lib/text_encode.h

# The operator test driver: loads a built plugin through the core's loader
# and feeds it records written as JSON (see tests/optest.h).
check_LTLIBRARIES += plugins/lib/tests/liboptest.la
plugins_lib_tests_liboptest_la_SOURCES = plugins/lib/tests/optest.c \
	plugins/lib/tests/optest.h
OPTEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core \
	-I$(top_srcdir)/plugins/lib/tests -I$(top_srcdir)/tests/unit $(JANSSON_CFLAGS) \
	-DTOP_BUILDDIR='"$(abs_top_builddir)"' -DTOP_SRCDIR='"$(abs_top_srcdir)"'
plugins_lib_tests_liboptest_la_CPPFLAGS = $(OPTEST_CPPFLAGS)
OPTEST_LIBS = plugins/lib/tests/liboptest.la core/libslcore.la $(JANSSON_LIBS)

# The library's own parts, tested alone.
check_PROGRAMS += plugins/lib/tests/test_ordersort
TESTS += plugins/lib/tests/test_ordersort
plugins_lib_tests_test_ordersort_SOURCES = plugins/lib/tests/test_ordersort.c
plugins_lib_tests_test_ordersort_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/lib -I$(top_srcdir)/tests/unit
plugins_lib_tests_test_ordersort_LDADD = plugins/lib/libslop.la
