/*
 * file_sink.c - the file sink: one line per record, to a file or stdout.
 *
 * Each record's value bytes are written followed by '\n'; the key is not
 * written (with key.separator it is, before the value; with `fields`,
 * the fields it names: file_fields.h).  Lines are gathered in a large buffer and written with one
 * write(2) per buffer, not per record.  flush() is what makes output
 * durable for the commit cycle: the buffer is written out and, for a
 * regular file, fsync'ed, so a committed source position never covers
 * lines that a crash could lose.
 *
 * A write that fails (a full disk, a file size limit) can leave part of
 * a line behind, and lines that no commit covers.  A regular file is then
 * cut back to its size at the last successful flush: it holds whole
 * lines, exactly those the engine counts as delivered, and a rerun with
 * append = true goes on from there.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "file_fields.h"

#define OUT_SIZE (1u << 20)

typedef struct file_sink {
	sl_stage *stage;
	char *path;
	const char *name; /* path, or FILE_STDOUT_NAME */
	int fd;
	int owns_fd;
	int regular;      /* fsync applies */
	int unsynced;     /* written since the last fsync */
	off_t durable;    /* regular file: its size at the last flush */
	uint8_t *buf;
	size_t len;
	char *sep;        /* key.separator: "KEY<sep>VALUE" lines, or NULL */
	file_fields fields; /* count 0: lines are [KEY<sep>]VALUE */
} file_sink;

/*
 * Writing failed with @p code (an errno): cut a regular file back to
 * what the last flush made durable, and fail with @p what.
 */
static int failed(file_sink *s, const char *what, int code, sl_error *err)
{
	if (!s->regular)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot %s %s: %s", what,
				    s->name, strerror(code));
	if (ftruncate(s->fd, s->durable) != 0 ||
	    lseek(s->fd, s->durable, SEEK_SET) < 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot %s %s: %s; and "
				    "cannot cut it back to its last %lld flushed "
				    "bytes: %s", what, s->name, strerror(code),
				    (long long)s->durable, strerror(errno));
	return sl_error_set(err, SL_ERR_RUNTIME, "cannot %s %s: %s (cut back to "
			    "its last %lld flushed bytes, whole lines)", what,
			    s->name, strerror(code), (long long)s->durable);
}

static int write_all(file_sink *s, const uint8_t *p, size_t n, sl_error *err)
{
	while (n > 0) {
		ssize_t w = write(s->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return failed(s, "write to", errno, err);
		}
		p += w;
		n -= (size_t)w;
		s->unsynced = 1;
	}
	return SL_OK;
}

/* Write out the buffer.  On failure its contents are dropped: the job
 * stops, and what was not committed is read again on the next run. */
static int drain(file_sink *s, sl_error *err)
{
	int rc = write_all(s, s->buf, s->len, err);

	s->len = 0;
	return rc;
}

static void sink_close(void *self)
{
	file_sink *s = self;
	sl_error err;

	if (s == NULL)
		return;
	/* The engine flushes before closing; this only rescues a stop that
	 * skipped it, so a failure here can only be logged. */
	if (s->fd >= 0 && s->len > 0 && drain(s, &err) != SL_OK)
		sl_log(s->stage, SL_LOG_ERROR, "%s", err.message);
	if (s->owns_fd && s->fd >= 0 && close(s->fd) != 0)
		sl_log(s->stage, SL_LOG_ERROR, "cannot close %s: %s", s->name,
		       strerror(errno));
	free(s->buf);
	free(s->path);
	free(s->sep);
	file_fields_free(&s->fields);
	free(s);
}

static int sink_open(sl_stage *stage, void **self, sl_error *err)
{
	const char *path = sl_option(stage, "path");
	file_sink *s = calloc(1, sizeof *s);
	struct stat st;

	if (s == NULL || path == NULL || (s->path = strdup(path)) == NULL ||
	    (s->buf = malloc(OUT_SIZE)) == NULL) {
		if (s != NULL)
			s->fd = -1;
		sink_close(s);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	s->stage = stage;
	s->sep = file_key_separator(stage);
	if (file_fields_parse(stage, &s->fields, err) != SL_OK) {
		s->fd = -1;
		sink_close(s);
		return SL_ERR;
	}
	if (strcmp(path, "-") == 0) {
		s->fd = STDOUT_FILENO;
		s->name = FILE_STDOUT_NAME;
	} else {
		int flags = O_WRONLY | O_CREAT | O_CLOEXEC |
			(sl_option_bool(stage, "append") ? O_APPEND : O_TRUNC);

		s->name = s->path;
		s->owns_fd = 1;
		s->fd = open(path, flags, 0666);
		if (s->fd < 0) {
			int e = errno;
			sink_close(s);
			return sl_error_set(err, SL_ERR_RUNTIME, "cannot open %s: %s",
					    path, strerror(e));
		}
	}
	s->regular = fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);
	s->durable = s->regular ? st.st_size : 0;
	*self = s;
	return SL_OK;
}

/* @p len bytes of @p p into the output, gathered or written out. */
static int put(file_sink *s, const uint8_t *p, size_t len, sl_error *err)
{
	if (len > OUT_SIZE - s->len) {
		if (drain(s, err) != SL_OK)
			return SL_ERR;
		if (len > OUT_SIZE) /* too big to gather: written where it is */
			return write_all(s, p, len, err);
	}
	if (len)
		memcpy(s->buf + s->len, p, len);
	s->len += len;
	return SL_OK;
}

/* The value of header @p name of @p r: the last of that name, as
 * expressions read headers["name"]; an empty field when there is none
 * or it is null. */
static sl_bytes header_of(const sl_record *r, const char *name)
{
	sl_bytes none = { NULL, 0 };
	uint32_t i;

	for (i = r->header_count; i > 0; i--)
		if (strcmp(r->headers[i - 1].name, name) == 0)
			return r->headers[i - 1].value.data ?
				r->headers[i - 1].value : none;
	return none;
}

/* One line of `fields`: each before the value followed by the separator. */
static int put_fields(file_sink *s, const sl_record *r, sl_error *err)
{
	size_t i;

	for (i = 0; i + 1 < s->fields.count; i++) {
		const file_field *f = &s->fields.list[i];
		sl_bytes b = { NULL, 0 };
		char text[24];

		if (f->kind == FIELD_TIMESTAMP && r->timestamp >= 0) {
			b.len = (size_t)snprintf(text, sizeof text, "%lld",
						 (long long)r->timestamp);
			b.data = (const uint8_t *)text;
		} else if (f->kind == FIELD_KEY) {
			b = r->key_raw;
		} else if (f->kind == FIELD_HEADER) {
			b = header_of(r, f->header);
		}
		if ((b.len > 0 && put(s, b.data, b.len, err) != SL_OK) ||
		    put(s, (const uint8_t *)s->sep, strlen(s->sep), err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

static int sink_write(void *self, const sl_batch *batch, sl_error *err)
{
	file_sink *s = self;
	uint32_t i;

	for (i = 0; i < batch->count; i++) {
		const sl_record *r = &batch->records[i];

		if (s->fields.count > 0) {
			if (put_fields(s, r, err) != SL_OK)
				return SL_ERR;
		} else if (s->sep != NULL && r->key_raw.data != NULL &&
		    (put(s, r->key_raw.data, r->key_raw.len, err) != SL_OK ||
		     put(s, (const uint8_t *)s->sep, strlen(s->sep), err) != SL_OK))
			return SL_ERR;
		if (put(s, r->value_raw.data, r->value_raw.len, err) != SL_OK ||
		    put(s, (const uint8_t *)"\n", 1, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

static int sink_flush(void *self, int timeout_ms, sl_error *err)
{
	file_sink *s = self;

	(void)timeout_ms;
	if (s->len > 0 && drain(s, err) != SL_OK)
		return SL_ERR;
	if (s->regular && s->unsynced) {
		struct stat st;

		if (fsync(s->fd) != 0)
			return failed(s, "sync", errno, err);
		if (fstat(s->fd, &st) != 0)
			return failed(s, "stat", errno, err);
		s->durable = st.st_size;
		s->unsynced = 0;
	}
	return SL_OK;
}

const sl_sink_class file_sink_class = {
	.struct_size = sizeof(sl_sink_class),
	.check = file_check,
	.open = sink_open,
	.write = sink_write,
	.flush = sink_flush,
	.close = sink_close,
};
