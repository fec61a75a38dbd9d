# The engine: a convenience library (also linked by the unit tests) and
# the sluice command.  One folder per part, listed from the ground up:
# a part includes, and links to, only parts listed above it (the order
# of core_libslcore_la_SOURCES below; tests/build/layers.test checks it).
# base/: what every part uses: arenas, option text, diagnostics, the INI
# reader, UTF-8, "did you mean", the record codec of repartition topics
CORE_BASE = core/base/arena.c core/base/arena.h core/base/clock.c \
	core/base/clock.h core/base/convert.c core/base/convert.h core/base/diag.c \
	core/base/diag.h core/base/error.c core/base/error.h core/base/ini_lines.c \
	core/base/ini_lines.h core/base/job_limits.h core/base/json_write.c \
	core/base/json_write.h core/base/names.c core/base/names.h \
	core/base/record_codec.c core/base/record_codec.h core/base/suggest.c \
	core/base/varint.h \
	core/base/suggest.h core/base/utf8.c core/base/utf8.h
# expr/: the expression language of filter, map and key_by
CORE_EXPR = core/expr/expr.h core/expr/expr_eval.c core/expr/expr_func.c \
	core/expr/expr_internal.h core/expr/expr_lex.c core/expr/expr_lex.h \
	core/expr/expr_names.c core/expr/expr_parse.c core/expr/expr_regex.c \
	core/expr/expr_time.c
# state/: the keyed state store and its timers
CORE_STATE = core/state/state.c core/state/state.h \
	core/state/state_changelog.c core/state/state_internal.h \
	core/state/state_layout.h core/state/state_timer.c \
	core/state/timer_heap.c core/state/timer_heap.h
# plugin/: plugin descriptors, the plugin path, trust, the loader, and the
# formats of repartition topics built in
CORE_PLUGIN = core/plugin/descriptor.c core/plugin/descriptor.h \
	core/plugin/engine_options.c core/plugin/engine_options.h \
	core/plugin/hop_formats.c core/plugin/hop_formats.h core/plugin/loader.c \
	core/plugin/loader.h core/plugin/option.c core/plugin/option.h \
	core/plugin/plugin_roots.c core/plugin/registry.c core/plugin/trust.c \
	core/plugin/trust.h
# job/: a job file read, checked against the descriptors, planned
CORE_JOB = core/job/bind.c core/job/check.c core/job/check.h \
	core/job/check_stage.c core/job/format_opts.c core/job/format_opts.h \
	core/job/job.h \
	core/job/job_checks.c core/job/job_keys.c core/job/job_open.c \
	core/job/jobfile.c core/job/plan.c core/job/plan.h core/job/secret.c \
	core/job/secret.h core/job/validate.c core/job/wire.c
# runtime/: a running job: the loop, the host table, inputs, hops, commits
CORE_RUNTIME = core/runtime/align.c core/runtime/align.h \
	core/runtime/changelog.c core/runtime/changelog.h core/runtime/commit.c \
	core/runtime/commit.h core/runtime/commit_pending.c \
	core/runtime/commit_pending.h core/runtime/edge.c core/runtime/edge.h \
	core/runtime/engine.c core/runtime/engine.h core/runtime/event_time.c \
	core/runtime/event_time.h core/runtime/expr_host.c core/runtime/expr_host.h \
	core/runtime/format_use.c core/runtime/format_use.h \
	core/runtime/flow.c core/runtime/flow.h core/runtime/hop.c \
	core/runtime/hop.h core/runtime/host.c core/runtime/inputs.c \
	core/runtime/inputs.h core/runtime/log.c core/runtime/log.h \
	core/runtime/metric.c core/runtime/metric.h core/runtime/positions.c \
	core/runtime/positions.h core/runtime/progress.c core/runtime/progress.h \
	core/runtime/retry.c core/runtime/retry.h \
	core/runtime/stage.h core/runtime/stage_check.c core/runtime/stage_check.h \
	core/runtime/stages.c core/runtime/stages.h core/runtime/state_host.c \
	core/runtime/state_host.h core/runtime/telemetry.c core/runtime/telemetry.h \
	core/runtime/wake.c core/runtime/wake.h core/runtime/watermark.c \
	core/runtime/watermark.h
# ops/: the HTTP endpoint of http.listen (libmicrohttpd), /metrics in the
# Prometheus format, /health, /ready, /status; it reads what runtime/
# publishes (telemetry.h) and nothing else of a running job
CORE_OPS = core/ops/health.c core/ops/http.c core/ops/http_admit.c \
	core/ops/http_admit.h core/ops/http_limits.c core/ops/http_log.c core/ops/ops.h \
	core/ops/process.c core/ops/prometheus.c core/ops/status.c \
	core/ops/text.c core/ops/text.h
# cli/: the sluice command's subcommands
CORE_CLI = core/cli/cli.h core/cli/cli_args.c core/cli/cmd_config.c \
	core/cli/cmd_plugins.c core/cli/cmd_run.c core/cli/cmd_validate.c \
	core/cli/cmd_test.c core/cli/test_cases.c core/cli/test_cases.h \
	core/cli/help.c core/cli/memory_limit.c core/cli/process_setup.c
noinst_LTLIBRARIES += core/libslcore.la
core_libslcore_la_SOURCES = $(CORE_BASE) $(CORE_EXPR) $(CORE_STATE) $(CORE_PLUGIN) \
	$(CORE_JOB) $(CORE_RUNTIME) $(CORE_OPS) $(CORE_CLI)
core_libslcore_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
core_libslcore_la_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(MICROHTTPD_CFLAGS) \
	$(PCRE2_CFLAGS)
core_libslcore_la_LIBADD = $(INIH_LIBS) $(LTDL_LIBS) $(MICROHTTPD_LIBS) \
	$(PCRE2_LIBS) $(LIBM)

bin_PROGRAMS += core/sluice
core_sluice_SOURCES = core/cli/main.c
core_sluice_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
core_sluice_LDADD = core/libslcore.la
