/*
 * fuzz_jobfile.c - the job-file reader and validator (sluice validate
 * without the printing): any bytes must give a job or problems, never a
 * crash, a hang or a leak.
 */
#include "config.h"

#include "fuzz.h"
#include "job/job.h"

static sl_registry reg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *roots[] = FUZZ_PLUGIN_ROOTS;
	sl_diag diag = { 0 };

	(void)argc;
	(void)argv;
	if (sl_registry_load(&reg, roots, sizeof roots / sizeof roots[0],
			     &diag) != 0) {
		fprintf(stderr, "fuzz_jobfile: out of memory\n");
		abort();
	}
	sl_diag_free(&diag);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_diag diag = { 0 };
	sl_job *job = sl_job_load(fuzz_file("job.ini", data, size), NULL, 0,
				  &diag);

	if (job != NULL) {
		sl_job_validate(job, &reg, &diag);
		sl_job_free(job);
	}
	FUZZ_ASSERT(diag.count <= 20, "%zu problems kept", diag.count);
	sl_diag_free(&diag);
	return 0;
}
