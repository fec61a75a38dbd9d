/*
 * ini_lines.c - the reader that feeds inih (see ini_lines.h).
 *
 * inih calls its handler only for keys, so the reader classifies every
 * line exactly as inih will (comment, continuation, header, key) before
 * handing it over: headers are reported from here, and the handler knows
 * whether the key it receives is a new key or a continuation.  The rules
 * below follow inih's own (r55): a line is a continuation when it is
 * indented, not a comment, and some key has been seen since the last
 * header; an inline comment starts at a prefix character that follows
 * whitespace.
 *
 * A line longer than inih's buffer is not handed to inih: inih gets a
 * short stand-in of the same kind (header, key, continuation, comment) so
 * its state follows the file, and the key and value are read from the
 * line here.  Lines past SL_JOB_MAX_LINE are refused.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "base/ini_lines.h"
#include "base/job_limits.h"

enum line_kind { LINE_SKIP, LINE_KEY, LINE_MORE };

typedef struct reader {
	const char *file;
	const char *pos, *end;
	int line;
	const sl_ini_handlers *h;
	void *user;
	sl_diag *diag;
	int problems;
	enum line_kind kind; /* of the line inih is processing */
	int prev_name;       /* inih has a previous key to continue */
	int drop_more;       /* continuations belong to a rejected line */
	int oom;
	/* a line too long for inih's buffer, trimmed: inih has a stand-in */
	const char *long_start, *long_end;
} reader;

static void problem(reader *r, const char *msg)
{
	sl_diag_add(r->diag, r->file, r->line, "%s", msg);
	r->problems++;
}

static int is_blank(char c)
{
	return isspace((unsigned char)c) != 0;
}

/* inih's find_chars_or_comment(): the first of @p chars, or an inline comment */
static const char *find_chars_or_comment(const char *s, const char *end,
					 const char *chars)
{
	int was_space = 0;

	for (; s < end; s++) {
		if (chars != NULL && strchr(chars, *s) != NULL)
			break;
		if (INI_ALLOW_INLINE_COMMENTS && was_space &&
		    strchr(INI_INLINE_COMMENT_PREFIXES, *s) != NULL)
			break;
		was_space = is_blank(*s);
	}
	return s;
}

/* What inih will make of a line (of @p len bytes at @p text). */
enum shape { SHAPE_BLANK, SHAPE_MORE, SHAPE_HEADER, SHAPE_BAD_HEADER,
	     SHAPE_KEY, SHAPE_NAMELESS_KEY, SHAPE_BAD_KEY };

typedef struct shape_info {
	enum shape shape;
	const char *start, *end; /* the line without surrounding blanks */
	const char *close;       /* SHAPE_HEADER: its ']' */
} shape_info;

static shape_info shape_of(const reader *r, const char *text, size_t len)
{
	shape_info si;
	const char *sep, *name_end;

	si.start = text;
	si.end = text + len;
	si.close = NULL;
	while (si.end > si.start && is_blank(si.end[-1]))
		si.end--;
	while (si.start < si.end && is_blank(*si.start))
		si.start++;
	if (si.start == si.end ||
	    strchr(INI_START_COMMENT_PREFIXES, *si.start) != NULL) {
		si.shape = SHAPE_BLANK;
	} else if (INI_ALLOW_MULTILINE && r->prev_name && si.start > text) {
		si.shape = SHAPE_MORE;
	} else if (*si.start == '[') {
		si.close = find_chars_or_comment(si.start + 1, si.end, "]");
		si.shape = si.close < si.end && *si.close == ']' ? SHAPE_HEADER
								 : SHAPE_BAD_HEADER;
	} else {
		sep = find_chars_or_comment(si.start, si.end, "=:");
		if (sep == si.end || (*sep != '=' && *sep != ':')) {
			si.shape = SHAPE_BAD_KEY;
		} else {
			for (name_end = sep; name_end > si.start &&
			     is_blank(name_end[-1]); name_end--)
				;
			si.shape = name_end > si.start ? SHAPE_KEY : SHAPE_NAMELESS_KEY;
		}
	}
	return si;
}

/* Follow inih's state through a line of shape @p shape. */
static void track(reader *r, enum shape shape)
{
	if (shape == SHAPE_HEADER)
		r->prev_name = 0;
	else if (shape == SHAPE_KEY)
		r->prev_name = 1;
	else if (shape == SHAPE_NAMELESS_KEY)
		r->prev_name = 0; /* inih copies the empty name */
}

static void on_header(reader *r, const shape_info *si)
{
	const char *rest, *a, *b;
	char *header;

	for (rest = si->close + 1; rest < si->end && is_blank(*rest); rest++)
		;
	if (rest < si->end && strchr(INI_START_COMMENT_PREFIXES, *rest) == NULL)
		problem(r, "unexpected text after the section header's ']'");
	for (a = si->start + 1; a < si->close && is_blank(*a); a++)
		;
	for (b = si->close; b > a && is_blank(b[-1]); b--)
		;
	if ((header = strndup(a, (size_t)(b - a))) == NULL)
		r->oom = 1;
	r->drop_more = 0;
	r->h->section(r->user, header, r->line);
	free(header);
}

/* Classify the line inih is about to see and act on what inih will not. */
static shape_info classify(reader *r, const char *text, size_t len)
{
	shape_info si = shape_of(r, text, len);

	r->kind = LINE_SKIP;
	switch (si.shape) {
	case SHAPE_BLANK:
		break;
	case SHAPE_MORE:
		r->kind = LINE_MORE;
		break;
	case SHAPE_HEADER:
		on_header(r, &si);
		break;
	case SHAPE_BAD_HEADER:
		/* inih keeps its previous key here, so continuations still follow it */
		problem(r, "section header without a closing ']'");
		r->drop_more = 1;
		r->h->section(r->user, NULL, r->line);
		break;
	case SHAPE_KEY:
	case SHAPE_NAMELESS_KEY:
		r->kind = LINE_KEY;
		r->drop_more = 0;
		break;
	case SHAPE_BAD_KEY:
		problem(r, "expected KEY = VALUE, a [section] header or a comment");
		r->drop_more = 1;
		break;
	}
	track(r, si.shape);
	return si;
}

/*
 * The short line that leaves inih in the state a line of shape @p shape
 * leaves it in: a header, a key, a continuation or nothing.
 */
static const char *stand_in_for(enum shape shape)
{
	switch (shape) {
	case SHAPE_HEADER:
		return "[]\n";
	case SHAPE_KEY:
		return "k=\n";
	case SHAPE_NAMELESS_KEY:
		return "=\n";
	case SHAPE_MORE:
		return " x\n";
	default:
		return ";\n";
	}
}

/*
 * A line that cannot be handed to inih: say why, and feed inih a short
 * stand-in that leaves it in the state the real line would have, so the
 * lines after it are read the same.  What the line held is dropped: the
 * keys under a refused header and the continuations of a refused key.
 */
static char *refuse(reader *r, char *str, const char *text, size_t len,
		    const char *why)
{
	shape_info si = shape_of(r, text, len);
	const char *sep;
	char msg[512];
	int n;

	if (si.shape == SHAPE_KEY) {
		/* say which key is lost, or its absence looks like a second problem */
		sep = find_chars_or_comment(si.start, si.end, "=:");
		while (sep > si.start && is_blank(sep[-1]))
			sep--;
		n = (int)(sep - si.start);
		snprintf(msg, sizeof msg, "%s (the key '%.*s%s' on it is ignored)", why,
			 n > 64 ? 64 : n, si.start, n > 64 ? "..." : "");
		why = msg;
	}
	problem(r, why);
	r->kind = LINE_SKIP;
	r->drop_more = 1;
	if (si.shape == SHAPE_HEADER || si.shape == SHAPE_BAD_HEADER)
		r->h->section(r->user, NULL, r->line);
	strcpy(str, si.shape == SHAPE_MORE ? ";\n" : stand_in_for(si.shape));
	track(r, si.shape);
	return str;
}

/*
 * A line longer than inih's buffer (Debian's inih has a fixed one of 200
 * bytes): inih is handed a stand-in, and on_pair() reads the key and value
 * from the line itself, as inih would have.
 */
static char *long_line(reader *r, char *str, const char *text, size_t len)
{
	shape_info si = classify(r, text, len);

	if (r->kind != LINE_SKIP) {
		r->long_start = si.start;
		r->long_end = si.end;
	}
	strcpy(str, stand_in_for(si.shape));
	return str;
}

static char *read_line(char *str, int num, void *stream)
{
	reader *r = stream;
	const char *nl, *text;
	size_t len;
	char msg[200];

	r->long_start = r->long_end = NULL;
	if (r->pos >= r->end || num < 4)
		return NULL;
	text = r->pos;
	nl = memchr(text, '\n', (size_t)(r->end - text));
	len = (size_t)((nl ? nl : r->end) - text);
	r->pos = nl ? nl + 1 : r->end;
	r->line++;
	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (r->line == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3; /* a UTF-8 byte order mark */
		len -= 3;
	}
	if (len > SL_JOB_MAX_LINE) {
		snprintf(msg, sizeof msg, "line is longer than %d characters; "
			 "put the value in a file and write ${file:PATH}",
			 SL_JOB_MAX_LINE);
		return refuse(r, str, text, len, msg);
	}
	if (memchr(text, '\0', len) != NULL)
		return refuse(r, str, text, len, "line contains a NUL byte");
	/* room for the text, its '\n' and the NUL */
	if (len > (size_t)num - 2)
		return long_line(r, str, text, len);
	memcpy(str, text, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	classify(r, text, len);
	return str;
}

/*
 * Some inih releases (r55, Debian's) keep an inline comment in a
 * continuation line; cut it as on a key line, so both read the same.
 */
static void more(reader *r, const char *value)
{
	const char *end = find_chars_or_comment(value, value + strlen(value), NULL);
	char *text;

	while (end > value && is_blank(end[-1]))
		end--;
	if ((text = strndup(value, (size_t)(end - value))) == NULL) {
		r->oom = 1;
		return;
	}
	r->h->more(r->user, text, r->line);
	free(text);
}

/*
 * The key and value of a long key line [@p start, @p end), split as inih
 * splits a line: the name ends at the first '=' or ':', the value loses
 * its inline comment and surrounding blanks.
 */
static void long_key(reader *r, const char *start, const char *end)
{
	const char *sep = find_chars_or_comment(start, end, "=:");
	const char *name_end = sep, *value = sep + 1, *value_end;
	char *name_text, *value_text;

	while (name_end > start && is_blank(name_end[-1]))
		name_end--;
	value_end = find_chars_or_comment(value, end, NULL);
	while (value < value_end && is_blank(*value))
		value++;
	while (value_end > value && is_blank(value_end[-1]))
		value_end--;
	name_text = strndup(start, (size_t)(name_end - start));
	value_text = strndup(value, (size_t)(value_end - value));
	if (name_text == NULL || value_text == NULL)
		r->oom = 1;
	else if (*name_text == '\0')
		problem(r, "missing key before '='");
	else
		r->h->key(r->user, name_text, value_text, r->line);
	free(name_text);
	free(value_text);
}

static int on_pair(void *user, const char *section, const char *name,
		   const char *value)
{
	reader *r = user;
	char *text;

	(void)section; /* the reader tracks sections, including empty ones */
	if (r->kind == LINE_MORE) {
		if (r->drop_more)
			return 1;
		if (r->long_start == NULL) {
			more(r, value);
		} else if ((text = strndup(r->long_start, (size_t)(r->long_end -
						    r->long_start))) == NULL) {
			r->oom = 1;
		} else {
			more(r, text);
			free(text);
		}
	} else if (r->kind == LINE_KEY) {
		if (r->long_start != NULL) {
			long_key(r, r->long_start, r->long_end);
			if (*name == '\0') /* the stand-in of a nameless key */
				r->drop_more = 1;
		} else if (*name == '\0') {
			problem(r, "missing key before '='");
			r->drop_more = 1;
		} else {
			r->h->key(r->user, name, value, r->line);
		}
	}
	return 1;
}

int sl_ini_parse(const char *file, const char *text, size_t len,
		 const sl_ini_handlers *handlers, void *user, sl_diag *diag)
{
	reader r;
	int rc;

	memset(&r, 0, sizeof r);
	r.file = file;
	r.pos = text;
	r.end = text + len;
	r.h = handlers;
	r.user = user;
	r.diag = diag;
	rc = ini_parse_stream(read_line, &r, on_pair, &r);
	if (rc == -2 || r.oom)
		return -1;
	if (rc > 0 && r.problems == 0) {
		/* inih saw a problem our classification did not: still report it */
		sl_diag_add(diag, file, rc, "syntax error");
		r.problems++;
	}
	return r.problems;
}

int sl_read_file_max(const char *path, size_t max, char **text, size_t *len)
{
	FILE *f;
	char *buf = NULL, *grown;
	size_t size = 0, cap = 0, n;
	int err = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return errno;
	for (;;) {
		if (cap - size < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((grown = realloc(buf, cap + 1)) == NULL) {
				err = ENOMEM;
				break;
			}
			buf = grown;
		}
		n = fread(buf + size, 1, cap - size, f);
		size += n;
		if (size > max) {
			err = EFBIG;
			break;
		}
		if (n == 0) {
			if (ferror(f))
				err = errno ? errno : EIO;
			break;
		}
	}
	fclose(f);
	if (err != 0) {
		free(buf);
		return err;
	}
	buf[size] = '\0';
	*text = buf;
	*len = size;
	return 0;
}

int sl_read_file(const char *path, char **text, size_t *len)
{
	return sl_read_file_max(path, (size_t)-1, text, len);
}
