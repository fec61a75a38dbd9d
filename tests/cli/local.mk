# The sluice command line as a user meets it.
TESTS += tests/cli/cli.test tests/cli/help.test tests/cli/jobfile.test \
	tests/cli/test_cmd.test \
	tests/cli/start_stop.test tests/cli/limits.test
EXTRA_DIST += tests/cli/cli.test tests/cli/help.test tests/cli/jobfile.test \
	tests/cli/test_cmd.test \
	tests/cli/start_stop.test tests/cli/limits.test \
	tests/cli/unbounded.ini
