/*
 * test_cases.h - `sluice test`'s cases file, and the job each case runs.
 *
 * A cases file is INI: one [case NAME] section per case, with
 *
 *   input.SOURCE = records    the records SOURCE hands out, one per line
 *   expect.SINK = records     what SINK must receive, one per line
 *   table.OPERATOR = rows     the table a join reads: KEY TEXT VALUE per
 *                             line, a line with no TEXT a tombstone
 *   key.separator = TEXT      lines are KEY TEXT VALUE (default: values)
 *   fields = LIST             lines are fields between TEXTs: timestamp,
 *                             key, header.NAME, then value (file plugin)
 *   fields.expect = LIST      the same for expect lines (default: fields)
 *   ordered = true            compare in order (default: as a multiset)
 *
 * Records are written on the indented lines below the key (or the file
 * @PATH holds them, PATH relative to the cases file).  A source without
 * input reads nothing; a sink without expect is not compared.
 *
 * Each case runs the job with every source a file of its input and every
 * sink a file of its output (the file plugin, with the stage's formats
 * and the case's key.separator and fields), delivery = none, no [store]
 * and no http.listen: no broker, nothing kept.  A stage's errors =
 * dead-letter becomes skip.  An operator whose plugin takes option
 * table.path (join) reads its table from a file of the case's rows
 * (empty without table.OPERATOR) instead of its topic.
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
	sl_test_records *tables;  /* table.OPERATOR: rows of its table */
	size_t table_count;
	char *key_separator; /* NULL: records are values */
	char *fields;        /* the file plugin's fields, or NULL */
	char *fields_expect; /* of the sinks, or NULL: fields */
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

/* Does @p st read a table that a case gives (its plugin takes
 * option table.path)?  1 or 0. */
int sl_test_takes_table(const sl_job_stage *st);

/*
 * Write the job that runs case @p c of @p job to @p out: inputs read
 * from DIR/in-SOURCE, outputs written to DIR/out-SINK, tables read from
 * DIR/table-OPERATOR.  0, or -1 on a
 * write error.
 */
int sl_test_job_write(FILE *out, const sl_job *job, const sl_test_case *c,
		      const char *dir);

#endif
