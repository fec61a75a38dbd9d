# The SDK as a third-party plugin author uses it: the template and each
# example built out of tree against a DESTDIR install, then run in jobs.
SDK_TESTS = tests/sdk/outoftree.test tests/sdk/csv.test \
	tests/sdk/linecount-eos.test \
	tests/sdk/linecount.test tests/sdk/seq.test tests/sdk/abi.test \
	tests/sdk/filestore.test
TESTS += $(SDK_TESTS)
EXTRA_DIST += $(SDK_TESTS) tests/sdk/sdk.sh tests/sdk/upper.ini \
	tests/sdk/abi/future.c tests/sdk/abi/future.plugin \
	tests/sdk/store/parts.c tests/sdk/store/parts.plugin
