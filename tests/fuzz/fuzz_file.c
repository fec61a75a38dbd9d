/*
 * fuzz_file.c - files for the targets whose parsers read one (fuzz.h):
 * a folder of their own, rewritten for each input and removed at exit.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[256], path[512];

static void remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "%s/sluice-fuzz.XXXXXX",
			 tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL) {
			perror("fuzz_file: mkdtemp");
			abort();
		}
		atexit(remove_dir);
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) != 0) {
		perror("fuzz_file");
		abort();
	}
	return path;
}
