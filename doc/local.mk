# Documentation shipped with the sources.
EXTRA_DIST += doc/job-files.md doc/plugins.md
EXTRA_DIST += doc/operators.md
EXTRA_DIST += doc/kafka-sink.md doc/postgresql-sink.md doc/http-sink.md doc/http-source.md

# Man pages, written by hand, and their check (groff warnings, and
# coverage of the commands, keys and plugins).
dist_man_MANS = doc/sluice.1 doc/sluice-job.5
TESTS += doc/man.test
EXTRA_DIST += doc/man.test
EXTRA_DIST += doc/kafka-source.md
EXTRA_DIST += doc/kafka-state.md
EXTRA_DIST += doc/scaling.md
EXTRA_DIST += doc/operating.md
# The plugin author's guide, installed beside the SDK (share/doc/sluice).
dist_doc_DATA = doc/plugin-guide.md
