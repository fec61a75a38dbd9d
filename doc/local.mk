# Documentation shipped with the sources.
EXTRA_DIST += doc/job-files.md doc/plugins.md
EXTRA_DIST += doc/operators.md
