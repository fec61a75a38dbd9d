# Loading plugins for real: refusals, and wiring through loaded operators.
TESTS += tests/loader/loader.test tests/loader/files.test
EXTRA_DIST += tests/loader/loader.test tests/loader/files.test \
	tests/loader/badabi.ini \
	tests/loader/noentry.ini tests/loader/nolib.ini \
	tests/loader/noopen.ini tests/loader/noprocess.ini \
	tests/loader/nodecode.ini tests/loader/unresolved.ini \
	tests/loader/nolib/nolib.plugin tests/loader/fanout.ini
