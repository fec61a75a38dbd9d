# The engine: a convenience library (also linked by the unit tests) and
# the sluice command.
noinst_LTLIBRARIES += core/libslcore.la
core_libslcore_la_SOURCES = \
	core/arena.c core/arena.h \
	core/cli.h \
	core/cli_args.c \
	core/cmd_plugins.c \
	core/cmd_run.c \
	core/cmd_validate.c \
	core/changelog.c core/changelog.h \
	core/commit.c core/commit.h \
	core/convert.c core/convert.h \
	core/descriptor.c core/descriptor.h \
	core/diag.c core/diag.h \
	core/engine.c core/engine.h \
	core/format_opts.c core/format_opts.h \
	core/expr.h core/expr_internal.h core/expr_lex.h \
	core/expr_eval.c core/expr_func.c core/expr_host.c core/expr_lex.c \
	core/expr_parse.c \
	core/event_time.c \
	core/hop.c core/hop.h \
	core/inputs.c core/inputs.h \
	core/watermark.c core/watermark.h \
	core/host.c \
	core/ini_lines.c core/ini_lines.h \
	core/jobfile.c core/job.h \
	core/job_open.c \
	core/plan.c core/plan.h \
	core/job_limits.h \
	core/json_write.c core/json_write.h \
	core/loader.c core/loader.h \
	core/names.c core/names.h \
	core/plugin_roots.c \
	core/progress.c core/progress.h \
	core/registry.c \
	core/secret.c core/secret.h \
	core/state.c core/state.h core/state_internal.h \
	core/state_host.c core/state_timer.c \
	core/trust.c core/trust.h \
	core/validate.c \
	plugins/string/utf8.c plugins/string/utf8.h
# The string format's UTF-8 check also guards expression literals.
core_libslcore_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/string
core_libslcore_la_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS)
core_libslcore_la_LIBADD = $(INIH_LIBS) $(LTDL_LIBS) $(LIBM)

bin_PROGRAMS += core/sluice
core_sluice_SOURCES = core/main.c
core_sluice_LDADD = core/libslcore.la
