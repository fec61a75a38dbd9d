#!/bin/sh
# The harness runs every test through this: a hard time limit, so that a
# test that hangs fails with its log instead of eating the CI run, and the
# test's wall time at the end of its log, to find the slow ones.
#   SLUICE_TEST_TIMEOUT  seconds per test (default 900; 0 = none)
limit=${SLUICE_TEST_TIMEOUT:-900}
start=$(date +%s)
name=$(basename "$1")
if [ "$limit" -gt 0 ] && command -v timeout >/dev/null; then
	# timeout signals the test's whole process group: its sluice
	# children too (the shared broker runs in a session of its own).
	timeout -k 10 "$limit" "$@"
else
	"$@"
fi
rc=$?
echo "run-test: $name exit $rc after $(($(date +%s) - start)) s"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "run-test: FAIL: no result within $limit s (SLUICE_TEST_TIMEOUT)"
	exit 1
fi
exit $rc
