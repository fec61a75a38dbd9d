# A real PostgreSQL server for the postgresql sink's tests (pg-local.sh):
# each test starts its own in its work folder (about 2 s) and stops it on
# exit.  Debian: apt-get install postgresql.
TESTS += tests/postgres/server.test
EXTRA_DIST += tests/postgres/server.test tests/postgres/pg-env.sh \
	tests/postgres/pg-local.sh
