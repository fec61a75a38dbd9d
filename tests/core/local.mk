# Unit tests of the core's expression language and keyed state store.
CORE_TESTS = tests/core/test_expr tests/core/test_state
check_PROGRAMS += $(CORE_TESTS)
TESTS += $(CORE_TESTS)
CORE_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
tests_core_test_expr_SOURCES = tests/core/test_expr.c tests/unit/check.h
tests_core_test_expr_CPPFLAGS = $(CORE_TEST_CPPFLAGS)
tests_core_test_expr_LDADD = core/libslcore.la
tests_core_test_state_SOURCES = tests/core/test_state.c tests/unit/check.h
tests_core_test_state_CPPFLAGS = $(CORE_TEST_CPPFLAGS)
tests_core_test_state_LDADD = core/libslcore.la
