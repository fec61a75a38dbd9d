/*
 * filestore.c - an example state store plugin: a job's keyed state in
 * plain files.
 *
 * Each stateful stage gets a table, the append-only log JOB.STAGE.log in
 * the folder named by `path`.  The log starts with a header line that
 * records the table's partition count,
 *
 *     sluice-filestore 1 partitions 4
 *
 * followed by one record per change the engine wrote, oldest first:
 *
 *     checksum, partition, key length, value length    4 x 4 bytes, big-endian
 *     key bytes, value bytes
 *
 * where a value length of 0xffffffff marks a deletion (no value bytes)
 * and the checksum (32-bit FNV-1a) covers everything after it.  write()
 * only appends to a stdio buffer; flush() writes the buffer out and
 * fsyncs the file, and the engine commits the sources' positions only
 * after that.  read() replays a table from the start, passing on the
 * records of the partitions asked for: the last change of a key wins.
 *
 * A process killed in the middle of a write leaves a torn record at the
 * end of the log: too short, or failing its checksum.  Nothing after the
 * last complete record was flushed, so it is not state that a committed
 * position depends on: reading stops there, and prepare() cuts it off
 * (with a warning) so that new records follow complete ones.
 *
 * The logs only grow; a real store would compact them (rewrite each
 * table with the last value of every key, then rename it over the old
 * one), and would keep them where every instance of the job can read
 * them: this one serves a job that runs as a single instance.
 */
#define _POSIX_C_SOURCE 200809L /* -std=c99 hides strdup, fsync, ... */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sluice/plugin.h>

#define HEADER "sluice-filestore 1 partitions %d"
#define HEAD_SIZE 16           /* checksum, partition, key and value length */
#define DELETED 0xffffffffu    /* the value length of a deletion */
#define FNV_START 2166136261u  /* the checksum of nothing */

typedef struct table {
	struct table *next;
	char *path;   /* DIR/JOB.STAGE.log */
	FILE *log;    /* appends to it */
	int dirty;    /* written since the last flush */
} table;

typedef struct filestore {
	sl_stage *stage;
	char *dir;
	table *tables;
} filestore;

/* ---- records ------------------------------------------------------------ */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* 32-bit FNV-1a of @p len bytes, going on from checksum @p h. */
static uint32_t fnv1a(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static int wanted(const int32_t *partitions, size_t count, int32_t p)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (partitions[i] == p)
			return 1;
	return 0;
}

typedef int (*apply_fn)(void *ctx, int32_t partition, const void *key,
			size_t klen, const void *value, size_t vlen);

/*
 * Read the records of log @p f, positioned after its header, calling
 * @p apply for those of @p partitions (none when @p apply is NULL), until
 * the end of the complete records, whose offset goes to *@p end, or a
 * non-zero return of @p apply.  0, or -1 when reading failed.
 */
static int replay(FILE *f, const int32_t *partitions, size_t count,
		  apply_fn apply, void *ctx, off_t *end)
{
	struct stat st;
	unsigned char head[HEAD_SIZE], *buf = malloc(64);
	size_t cap = 64;
	int rc = 0;

	if (buf == NULL || fstat(fileno(f), &st) != 0) {
		free(buf);
		return -1;
	}
	while ((*end = ftello(f)) >= 0) {
		uint32_t partition, klen, vlen;
		size_t len;

		if (fread(head, 1, HEAD_SIZE, f) != HEAD_SIZE)
			break; /* the end, or a torn record */
		partition = get32(head + 4);
		klen = get32(head + 8);
		vlen = get32(head + 12);
		len = (size_t)klen + (vlen == DELETED ? 0 : vlen);
		if ((off_t)len > st.st_size - *end - HEAD_SIZE)
			break; /* torn: its bytes are not all there */
		if (len > cap) {
			unsigned char *grown = realloc(buf, len);

			if (grown == NULL) {
				rc = -1;
				break;
			}
			buf = grown;
			cap = len;
		}
		if (fread(buf, 1, len, f) != len ||
		    fnv1a(fnv1a(FNV_START, head + 4, HEAD_SIZE - 4), buf, len) !=
		    get32(head))
			break; /* torn: garbage where it should be */
		if (apply != NULL && wanted(partitions, count, (int32_t)partition) &&
		    apply(ctx, (int32_t)partition, buf, klen,
			  vlen == DELETED ? NULL : buf + klen,
			  vlen == DELETED ? 0 : vlen) != 0)
			break;
	}
	free(buf);
	return rc != 0 || *end < 0 || ferror(f) ? -1 : 0;
}

/* Open @p t's log for reading, after its header; its partition count
 * goes to *@p partitions.  NULL with @p err set when it cannot. */
static FILE *open_log(const table *t, int *partitions, sl_error *err)
{
	FILE *f = fopen(t->path, "r");
	char line[64], nl = 0;

	if (f == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "cannot read %s: %s", t->path,
			     strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof line, f) == NULL ||
	    sscanf(line, HEADER "%c", partitions, &nl) != 2 || nl != '\n') {
		sl_error_set(err, SL_ERR_CONFIG, "%s is not a filestore table: "
			     "move it out of the store's folder", t->path);
		fclose(f);
		return NULL;
	}
	return f;
}

/* ---- the store ---------------------------------------------------------- */

static void fs_close(void *self)
{
	filestore *fs = self;

	if (fs == NULL)
		return;
	while (fs->tables != NULL) {
		table *t = fs->tables;

		fs->tables = t->next;
		if (t->log != NULL)
			fclose(t->log);
		free(t->path);
		free(t);
	}
	free(fs->dir);
	free(fs);
}

static int fs_open(sl_stage *stage, void **self, sl_error *err)
{
	const char *dir = sl_option(stage, "path");
	filestore *fs = calloc(1, sizeof *fs);
	struct stat st;

	if (fs == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	fs->stage = stage;
	if ((fs->dir = strdup(dir)) == NULL)
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	else if (stat(dir, &st) != 0)
		sl_config_error(stage, "path", err, "%s: %s: create the folder, "
				"or name another", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		sl_config_error(stage, "path", err, "%s is not a folder: name a "
				"folder for the tables", dir);
	else {
		*self = fs;
		return SL_OK;
	}
	fs_close(fs); /* close is not called when open fails */
	return SL_ERR;
}

/* fsync a file, or a folder so that a new name in it survives a crash. */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * A new table: its header goes into a temporary file, which is synced and
 * renamed into place, and the folder synced, so that the log exists with
 * a whole header or not at all.
 */
static int create_log(filestore *fs, const table *t, int32_t partitions,
		      sl_error *err)
{
	char *tmp = malloc(strlen(t->path) + sizeof ".tmp");
	FILE *f;
	int ok;

	if (tmp == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	sprintf(tmp, "%s.tmp", t->path);
	ok = (f = fopen(tmp, "w")) != NULL;
	ok = ok && fprintf(f, HEADER "\n", (int)partitions) > 0 &&
	     fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (f == NULL || fclose(f) == 0) && ok && rename(tmp, t->path) == 0 &&
	     sync_path(fs->dir) == 0;
	if (!ok)
		sl_error_set(err, SL_ERR_RUNTIME, "cannot create %s: %s", t->path,
			     strerror(errno));
	free(tmp);
	return ok ? SL_OK : SL_ERR;
}

/*
 * Open @p t's log: check its partition count, cut off a torn last record,
 * and open it for appending.
 */
static int open_table(filestore *fs, table *t, int32_t partitions,
		      sl_error *err)
{
	int have;
	off_t end;
	FILE *f = open_log(t, &have, err);

	if (f == NULL)
		return SL_ERR;
	if (have != partitions) {
		fclose(f);
		return sl_error_set(err, SL_ERR_CONFIG, "%s holds %d partitions "
			"of state, but the stage's input now has %d: give the "
			"input %d partitions again, or remove %s to start the "
			"stage's state afresh", t->path, have, (int)partitions,
			have, t->path);
	}
	if (replay(f, NULL, 0, NULL, NULL, &end) != 0) {
		fclose(f);
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot read %s: %s",
				    t->path, strerror(errno));
	}
	if (fseeko(f, 0, SEEK_END) == 0 && ftello(f) > end) {
		sl_log(fs->stage, SL_LOG_WARN, "%s: ignoring the last %lld bytes, "
		       "a record torn when the job stopped mid-write", t->path,
		       (long long)(ftello(f) - end));
		if (truncate(t->path, end) != 0) {
			fclose(f);
			return sl_error_set(err, SL_ERR_RUNTIME, "cannot truncate "
					    "%s: %s", t->path, strerror(errno));
		}
	}
	fclose(f);
	if ((t->log = fopen(t->path, "a")) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot write %s: %s",
				    t->path, strerror(errno));
	return SL_OK;
}

static int fs_prepare(void *self, const char *owner, int32_t partitions,
		      void **handle, sl_error *err)
{
	filestore *fs = self;
	const char *job = sl_job_name(fs->stage);
	table *t = calloc(1, sizeof *t);
	size_t len = strlen(fs->dir) + strlen(job) + strlen(owner) + sizeof "/..log";

	if (t == NULL || (t->path = malloc(len)) == NULL) {
		free(t);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	t->next = fs->tables; /* fs_close frees it from now on */
	fs->tables = t;
	/* a stage's name has no '.', so JOB.STAGE is never another's */
	snprintf(t->path, len, "%s/%s.%s.log", fs->dir, job, owner);
	if (access(t->path, F_OK) != 0 && errno == ENOENT &&
	    create_log(fs, t, partitions, err) != SL_OK)
		return SL_ERR;
	if (open_table(fs, t, partitions, err) != SL_OK)
		return SL_ERR;
	*handle = t;
	return SL_OK;
}

static int fs_write(void *self, void *handle, int32_t partition,
		    const void *key, size_t klen, const void *value,
		    size_t vlen, sl_error *err)
{
	table *t = handle;
	unsigned char head[HEAD_SIZE];
	uint32_t sum;

	(void)self;
	if (klen >= DELETED || (value != NULL && vlen >= DELETED))
		return sl_error_set(err, SL_ERR_RUNTIME, "%s: an entry of 4 GiB "
				    "or more does not fit a record", t->path);
	put32(head + 4, (uint32_t)partition);
	put32(head + 8, (uint32_t)klen);
	put32(head + 12, value != NULL ? (uint32_t)vlen : DELETED);
	if (value == NULL)
		vlen = 0;
	sum = fnv1a(FNV_START, head + 4, HEAD_SIZE - 4);
	sum = fnv1a(fnv1a(sum, key, klen), value, vlen);
	put32(head, sum);
	t->dirty = 1;
	if (fwrite(head, 1, HEAD_SIZE, t->log) != HEAD_SIZE ||
	    fwrite(key, 1, klen, t->log) != klen ||
	    (vlen > 0 && fwrite(value, 1, vlen, t->log) != vlen))
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot write %s: %s",
				    t->path, strerror(errno));
	return SL_OK;
}

static int fs_flush(void *self, int timeout_ms, sl_error *err)
{
	filestore *fs = self;
	table *t;

	(void)timeout_ms; /* a local disk answers or the job is stuck anyway */
	for (t = fs->tables; t != NULL; t = t->next) {
		if (!t->dirty)
			continue;
		if (fflush(t->log) != 0 || fsync(fileno(t->log)) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "cannot write "
					    "%s: %s", t->path, strerror(errno));
		t->dirty = 0;
	}
	return SL_OK;
}

static int fs_read(void *self, void *handle, const int32_t *partitions,
		   size_t count, apply_fn apply, void *ctx, sl_error *err)
{
	table *t = handle;
	int have, rc;
	off_t end;
	FILE *f = open_log(t, &have, err);

	(void)self;
	if (f == NULL)
		return SL_ERR;
	rc = replay(f, partitions, count, apply, ctx, &end);
	fclose(f);
	if (rc != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot read %s: %s",
				    t->path, strerror(errno));
	return SL_OK;
}

static const char *fs_table_name(void *self, void *handle)
{
	(void)self;
	return ((table *)handle)->path;
}

static const sl_store_class filestore_store = {
	.struct_size = sizeof(sl_store_class),
	.open = fs_open,
	.close = fs_close,
	.prepare = fs_prepare,
	.write = fs_write,
	.flush = fs_flush,
	.read = fs_read,
	.table_name = fs_table_name,
};

SL_PLUGIN("filestore", .store = &filestore_store)
