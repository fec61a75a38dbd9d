/*
 * file_source.c - the file source: one record per line of a file or stdin.
 *
 * A record's value is its line without the '\n' (a "\r" before it is kept:
 * bytes pass through exactly); a last line without '\n' is still a record.
 * Records have no key (with key.separator, the text before the first
 * separator is the key) and no timestamp (-1: a line has no time of its
 * own), unless option `fields` says a line holds a timestamp, the key
 * or headers before the value (file_fields.h); the origin is the path (topic), partition -1 and the 1-based line
 * number (offset), so errors can say "FILE line N".
 *
 * Input is read in large chunks into one buffer owned by the instance; the
 * lines a poll returns are then copied, all in one memcpy, into a block
 * of the batch arena, so no record costs a malloc and the buffer can be
 * reused while the batch is still in flight.  A line may span reads; the
 * buffer grows for lines longer than itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "file_fields.h"

#define READ_SIZE (1u << 20)         /* first buffer size, and a typical read */
#define POLL_BYTES (4u << 20)        /* a poll stops after this much line data */
#define LINE_MAX_BYTES (1ull << 30)  /* longer lines are refused, not buffered */

typedef struct file_source {
	const char *stage_name;
	char *path;
	const char *name;  /* path, or FILE_STDIN_NAME: origin.topic */
	int fd;
	int owns_fd;
	int can_wait;      /* pipe, tty, socket: wait with poll(2) before reading */
	int eof;
	uint8_t *buf;
	size_t cap;
	size_t start;      /* first byte not yet returned as a record */
	size_t scan;       /* no '\n' in [start, scan) */
	size_t end;        /* end of the bytes read */
	int64_t line;      /* lines returned so far */
	char *sep;         /* key.separator: "KEY<sep>VALUE" lines, or NULL */
	size_t sep_len;
	file_fields fields; /* count 0: no fields, lines are [KEY<sep>]VALUE */
} file_source;

enum { REFILL_DATA, REFILL_NONE };

static void source_close(void *self)
{
	file_source *s = self;

	if (s == NULL)
		return;
	if (s->owns_fd && s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s->path);
	free(s->sep);
	file_fields_free(&s->fields);
	free(s);
}

static int source_open(sl_stage *stage, void **self, sl_error *err)
{
	const char *path = sl_option(stage, "path");
	file_source *s = calloc(1, sizeof *s);
	struct stat st;

	if (s == NULL || path == NULL || (s->path = strdup(path)) == NULL ||
	    (s->buf = malloc(READ_SIZE)) == NULL) {
		source_close(s);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	s->stage_name = sl_stage_name(stage);
	s->cap = READ_SIZE;
	if (file_fields_parse(stage, &s->fields, err) != SL_OK) {
		source_close(s);
		return SL_ERR;
	}
	if ((s->sep = file_key_separator(stage)) != NULL)
		s->sep_len = strlen(s->sep);
	if (strcmp(path, "-") == 0) {
		s->fd = STDIN_FILENO;
		s->name = FILE_STDIN_NAME;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		s->owns_fd = 1;
		s->name = s->path;
		if (s->fd < 0) {
			int e = errno;
			source_close(s);
			return sl_error_set(err, SL_ERR_RUNTIME, "cannot open %s: %s",
					    path, strerror(e));
		}
	}
	if (fstat(s->fd, &st) != 0) {
		int e = errno;
		sl_error_set(err, SL_ERR_RUNTIME, "cannot stat %s: %s", s->name,
			     strerror(e));
		source_close(s);
		return SL_ERR;
	}
	if (S_ISDIR(st.st_mode)) {
		sl_error_set(err, SL_ERR_RUNTIME, "cannot read %s: it is a directory",
			     s->name);
		source_close(s);
		return SL_ERR;
	}
	/* Reading a regular file never blocks for long; anything else may wait
	 * for a writer indefinitely, which poll's timeout must bound. */
	s->can_wait = !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
	*self = s;
	return SL_OK;
}

/* The first separator in [@p p, @p end), or NULL. */
static const uint8_t *next_field(const file_source *s, const uint8_t *p,
				 const uint8_t *end)
{
	while ((size_t)(end - p) >= s->sep_len &&
	       (p = memchr(p, s->sep[0], (size_t)(end - p) - s->sep_len + 1)) != NULL) {
		if (memcmp(p, s->sep, s->sep_len) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* A decimal time in ms, or -1 for an empty field; 0 or -1 not one. */
static int parse_time(const uint8_t *p, size_t len, int64_t *ms)
{
	int64_t t = 0;
	size_t i;

	*ms = -1;
	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9' || t > (INT64_MAX - 9) / 10)
			return -1;
		t = t * 10 + (p[i] - '0');
	}
	*ms = t;
	return 0;
}

/*
 * A line of `fields`: the timestamp, key and headers before the value
 * taken out of @p r's value.  An empty field is none: no timestamp, no
 * key, no such header.  Headers are copied into the arena (they are few
 * and small).
 */
static int split_fields(const file_source *s, sl_record *r, sl_arena *arena,
			sl_error *err)
{
	const uint8_t *p = r->value_raw.data, *end = p + r->value_raw.len;
	size_t i;

	if (s->fields.headers > 0 &&
	    (r->headers = sl_arena_alloc(arena, s->fields.headers *
					 sizeof *r->headers)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; i + 1 < s->fields.count; i++) {
		const file_field *f = &s->fields.list[i];
		const uint8_t *at = next_field(s, p, end);
		size_t len;

		if (at == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "%s line %lld: %zu "
					    "fields before the value (fields), "
					    "found %zu", s->name,
					    (long long)s->line + 1,
					    s->fields.count - 1, i);
		len = (size_t)(at - p);
		if (f->kind == FIELD_TIMESTAMP && parse_time(p, len, &r->timestamp) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "%s line %lld: "
					    "timestamp '%.*s' is not ms since "
					    "the epoch", s->name,
					    (long long)s->line + 1, (int)len, p);
		if (f->kind == FIELD_KEY && len > 0) {
			r->key_raw.data = p;
			r->key_raw.len = len;
		}
		if (f->kind == FIELD_HEADER && len > 0) {
			sl_header *h = &r->headers[r->header_count++];

			h->name = sl_arena_strndup(arena, f->header, strlen(f->header));
			h->value.data = sl_arena_alloc(arena, len);
			if (h->name == NULL || h->value.data == NULL)
				return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			memcpy((uint8_t *)h->value.data, p, len);
			h->value.len = len;
		}
		p = at + s->sep_len;
	}
	r->value_raw.len = (size_t)(end - p);
	r->value_raw.data = p;
	return SL_OK;
}

/* "KEY<sep>VALUE": the key before the first separator; a line without
 * one is a value without a key. */
static void split_key(const file_source *s, sl_record *r)
{
	const uint8_t *p = r->value_raw.data, *end = p + r->value_raw.len;
	const uint8_t *at = next_field(s, p, end);

	if (at == NULL)
		return;
	r->key_raw.data = p;
	r->key_raw.len = (size_t)(at - p);
	r->value_raw.data = at + s->sep_len;
	r->value_raw.len = (size_t)(end - r->value_raw.data);
}

/*
 * Move the records [from, count) of @p batch, which point into the buffer
 * at [region, start), to a block of the batch arena.
 */
static int detach(file_source *s, sl_batch *batch, uint32_t from, size_t region)
{
	size_t n = s->start - region;
	const uint8_t *old = s->buf + region;
	uint8_t *block;
	uint32_t i;

	if (from == batch->count)
		return 0;
	/* Never 0 bytes: an empty line still gets a non-NULL pointer. */
	block = sl_arena_alloc(batch->arena, n ? n : 1);
	if (block == NULL)
		return -1;
	memcpy(block, old, n);
	for (i = from; i < batch->count; i++) {
		sl_bytes *v = &batch->records[i].value_raw;
		sl_bytes *k = &batch->records[i].key_raw;

		v->data = block + (v->data - old);
		if (k->data != NULL)
			k->data = block + (k->data - old);
	}
	return 0;
}

/*
 * Read more input after the unfinished line.  Waits at most @p timeout_ms
 * for input that is not a regular file.  REFILL_DATA when bytes came or
 * the end was reached (s->eof), REFILL_NONE when nothing came in time.
 */
static int refill(file_source *s, int timeout_ms, sl_error *err)
{
	ssize_t got;

	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->scan -= s->start;
		s->start = 0;
	}
	if (s->end == s->cap) {
		uint8_t *bigger;

		if (s->cap >= LINE_MAX_BYTES)
			return sl_error_set(err, SL_ERR_RUNTIME,
					    "%s line %lld is longer than %llu bytes",
					    s->name, (long long)s->line + 1,
					    (unsigned long long)LINE_MAX_BYTES);
		bigger = realloc(s->buf, s->cap * 2);
		if (bigger == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME,
					    "out of memory for line %lld of %s",
					    (long long)s->line + 1, s->name);
		s->buf = bigger;
		s->cap *= 2;
	}
	if (s->can_wait) {
		struct pollfd p = { s->fd, POLLIN, 0 };
		int r = poll(&p, 1, timeout_ms);

		if (r == 0 || (r < 0 && errno == EINTR))
			return REFILL_NONE;
		if (r < 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "cannot wait for %s: %s",
					    s->name, strerror(errno));
		/* POLLHUP and POLLERR: read() reports the end or the error. */
	}
	got = read(s->fd, s->buf + s->end, s->cap - s->end);
	if (got < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return REFILL_NONE;
		return sl_error_set(err, SL_ERR_RUNTIME, "cannot read %s: %s",
				    s->name, strerror(errno));
	}
	if (got == 0)
		s->eof = 1;
	s->end += (size_t)got;
	return REFILL_DATA;
}

static int source_poll(void *self, sl_batch *batch, uint32_t max,
		       int timeout_ms, sl_error *err)
{
	file_source *s = self;
	uint32_t got = 0;
	uint32_t attached = batch->count; /* first record still in s->buf */
	size_t region = s->start;         /* where that record's line starts */
	size_t bytes = 0;

	while (got < max && bytes < POLL_BYTES) {
		uint8_t *nl = memchr(s->buf + s->scan, '\n', s->end - s->scan);
		sl_record *r;
		size_t len;

		if (nl == NULL) {
			s->scan = s->end;
			if (!s->eof) {
				int rc;

				/* The buffer is about to move: detach first. */
				if (detach(s, batch, attached, region) != 0)
					goto nomem;
				attached = batch->count;
				/* Only the first record may be waited for. */
				rc = refill(s, got == 0 ? timeout_ms : 0, err);
				region = s->start;
				if (rc == SL_ERR)
					return SL_ERR;
				if (rc == REFILL_NONE)
					break;
				continue;
			}
			if (s->start == s->end)
				break;
			nl = s->buf + s->end; /* a last line without '\n' */
		}
		r = sl_batch_push(batch);
		if (r == NULL)
			goto nomem;
		len = (size_t)(nl - (s->buf + s->start));
		r->value_raw.data = s->buf + s->start;
		r->value_raw.len = len;
		if (s->fields.count > 0) {
			if (split_fields(s, r, batch->arena, err) != SL_OK)
				return SL_ERR;
		} else if (s->sep_len > 0) {
			split_key(s, r);
		}
		r->origin.stage = s->stage_name;
		r->origin.topic = s->name;
		r->origin.offset = ++s->line;
		s->start = nl == s->buf + s->end ? s->end : (size_t)(nl - s->buf) + 1;
		s->scan = s->start;
		bytes += len + 1;
		got++;
	}
	if (detach(s, batch, attached, region) != 0)
		goto nomem;
	return s->eof && s->start == s->end ? SL_EOF : SL_OK;
nomem:
	return sl_error_set(err, SL_ERR_RUNTIME, "out of memory reading %s", s->name);
}

const sl_source_class file_source_class = {
	.struct_size = sizeof(sl_source_class),
	.check = file_check,
	.open = source_open,
	.poll = source_poll,
	.close = source_close,
};
