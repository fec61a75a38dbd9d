/*
 * job_limits.h - how much a job file may ask for.
 *
 * Every resource that grows with what a job file says has a bound here,
 * documented in sluice-job(5) ("LIMITS") and doc/job-files.md.  A job past
 * a bound is refused before anything runs (FILE:LINE, exit code 2), and
 * every check below a bound takes time linear in the job file, so a job
 * at the limit still validates at once.  The bounds are far above what a
 * hand-written job needs and low enough that a generated or hostile one
 * cannot exhaust the stack, memory or time.
 */
#ifndef SL_JOB_LIMITS_H
#define SL_JOB_LIMITS_H

/* Bytes of one expression (`where`, `value`, `set.*`, `expr`). */
#define SL_EXPR_MAX_LEN 65536

/* Bytes of one line of a job file or plugin descriptor, without its
 * line end: a long broker list or SASL setting fits on one line. */
#define SL_JOB_MAX_LINE 65536

/* Bytes of a file read with ${file:PATH} (a password, a token, a PEM
 * certificate or key), before its trailing newline is trimmed. */
#define SL_FILE_REF_MAX_LEN 1048576

/* Bytes all the ${file:PATH} of a job read together: a job cannot expand
 * one file into a value thousands of times. */
#define SL_FILE_REF_MAX_TOTAL 16777216

/* ${A:-${B:-...}}: references nested in defaults. */
#define SL_VAR_MAX_NESTING 16

/* Stages of a job: sources, operators and sinks. */
#define SL_JOB_MAX_STAGES 1024

/*
 * Stages a batch of one source runs through, a stage counted once per
 * path from the source: as many as there are stages below it, unless a
 * fan-out joins again in a fan-in.
 */
#define SL_JOB_MAX_RUNS 4096

/* Problems printed for a job refused; past these, only how many more. */
#define SL_DIAG_MAX_SHOWN 20

#endif
