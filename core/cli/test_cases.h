/*
 * test_cases.h - `sluice test`'s cases file, and the job each case runs.
 *
 * A cases file is INI: one [case NAME] section per case, with
 *
 *   input.SOURCE = records    the records SOURCE hands out, one per line
 *   expect.SINK = records     what SINK must receive, one per line
 *   key.separator = TEXT      lines are KEY TEXT VALUE (default: values)
 *   ordered = true            compare in order (default: as a multiset)
 *
 * Records are written on the indented lines below the key (or the file
 * @PATH holds them, PATH relative to the cases file).  A source without
 * input reads nothing; a sink without expect is not compared.
 *
 * Each case runs the job with every source a file of its input and every
 * sink a file of its output (the file plugin, with the stage's formats),
 * delivery = none, no [store] and no http.listen: no broker, nothing
 * kept.  A stage's errors = dead-letter becomes skip.
 */
#ifndef SL_TEST_CASES_H
#define SL_TEST_CASES_H

#include <stddef.h>
#include <stdio.h>

#include "base/diag.h"
#include "job/job.h"

/* input.STAGE or expect.STAGE: its records. */
typedef struct sl_test_records {
	char *stage;
	char **lines;
	size_t count;
	int line;        /* of the key in the cases file */
} sl_test_records;

typedef struct sl_test_case {
	char *name;
	int line;
	sl_test_records *inputs;
	size_t input_count;
	sl_test_records *expects;
	size_t expect_count;
	char *key_separator; /* NULL: records are values */
	int ordered;
} sl_test_case;

typedef struct sl_test_cases {
	sl_test_case *list;
	size_t count;
} sl_test_cases;

/*
 * Read the cases of @p path for @p job: problems (syntax, a stage the
 * job has not or of the wrong kind, an unknown key, no case) go to
 * @p diag as FILE:LINE.  0, or -1 out of memory or unreadable (in @p diag).
 */
int sl_test_cases_load(const char *path, const sl_job *job,
		       sl_test_cases *cases, sl_diag *diag);
void sl_test_cases_free(sl_test_cases *cases);

/* The records of @p stage in @p list, or NULL. */
const sl_test_records *sl_test_records_of(const sl_test_records *list,
					  size_t count, const char *stage);

/*
 * Write the job that runs case @p c of @p job to @p out: inputs read
 * from DIR/in-SOURCE, outputs written to DIR/out-SINK.  0, or -1 on a
 * write error.
 */
int sl_test_job_write(FILE *out, const sl_job *job, const sl_test_case *c,
		      const char *dir);

#endif
