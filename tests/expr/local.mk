# The expression language in real jobs (its unit tests are
# tests/unit/test_expr*; its fuzz target tests/fuzz/fuzz_expr).
TESTS += tests/expr/functions.test tests/expr/kafka_metadata.test
EXTRA_DIST += tests/expr/functions.test tests/expr/kafka_metadata.test
