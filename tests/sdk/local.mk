# The SDK as a third-party plugin author uses it.
TESTS += tests/sdk/outoftree.test
EXTRA_DIST += tests/sdk/outoftree.test tests/sdk/upper.ini
