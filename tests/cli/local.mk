# The sluice command line as a user meets it.
TESTS += tests/cli/cli.test
EXTRA_DIST += tests/cli/cli.test tests/cli/unbounded.ini
