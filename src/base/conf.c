/*
 * conf.c - the line tokenizer shared by the charter and liaisond.conf, and
 * whole-file reads and atomic writes.
 *
 * Input is untrusted text of at most LIA_CONF_MAXFILE bytes. A line is cut
 * into words at blanks (space, tab, carriage return); '#' outside quotes
 * starts a comment; a word may be written "in quotes" to hold blanks or '#',
 * with \" and \\ as the only escapes. A quote may only open a word and must
 * close it. NUL and other control bytes are refused, so a word is always a
 * clean C string.
 */
#include "conf.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One line being cut into words: the words live in buf. */
struct tokenizer {
	struct lia_conf_line line;
	char buf[LIA_CONF_MAXLINE];
	size_t used;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A byte no configuration text has reason to hold. */
static int is_forbidden(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\r') || c == 0x7f;
}

static int tok_error(const struct tokenizer *t, char *err, const char *what)
{
	lia_err_set(err, "%s:%d: %s", t->line.file, t->line.line, what);
	return -1;
}

/* Starts a new word in buf; fails when the line already has the most words. */
static int tok_begin_word(struct tokenizer *t, char *err)
{
	int rc = -1;

	if (t->line.argc == LIA_CONF_MAXWORDS) {
		tok_error(t, err, "too many words on the line");
		goto out;
	}
	t->line.argv[t->line.argc++] = t->buf + t->used;
	rc = 0;
out:
	return rc;
}

/*
 * Reads a quoted word from s[*i] (the opening quote) to its closing quote,
 * appending the unescaped bytes to buf.
 */
static int tok_quoted(struct tokenizer *t, const char *s, size_t n, size_t *i, char *err)
{
	size_t k = *i + 1;
	int rc = -1;

	while (k < n && s[k] != '"') {
		if (s[k] == '\\') {
			if (k + 1 >= n || (s[k + 1] != '"' && s[k + 1] != '\\')) {
				tok_error(t, err, "unknown escape in quotes (only \\\" and \\\\)");
				goto out;
			}
			k++;
		}
		t->buf[t->used++] = s[k++];
	}
	if (k >= n) {
		tok_error(t, err, "unterminated quote");
		goto out;
	}
	k++;
	if (k < n && !is_blank(s[k]) && s[k] != '#') {
		tok_error(t, err, "text right after a closing quote");
		goto out;
	}
	*i = k;
	rc = 0;
out:
	return rc;
}

/* Reads an unquoted word from s[*i] to the next blank, '#' or end of line. */
static int tok_plain(struct tokenizer *t, const char *s, size_t n, size_t *i, char *err)
{
	size_t k = *i;
	int rc = -1;

	while (k < n && !is_blank(s[k]) && s[k] != '#') {
		if (s[k] == '"') {
			tok_error(t, err, "quote inside a word (quote the whole word)");
			goto out;
		}
		t->buf[t->used++] = s[k++];
	}
	*i = k;
	rc = 0;
out:
	return rc;
}

/* Cuts line s[0..n) (no newline) into t's words. */
static int tok_line(struct tokenizer *t, const char *s, size_t n, char *err)
{
	size_t i = 0;
	int rc = -1;

	t->line.argc = 0;
	t->used = 0;
	if (n >= LIA_CONF_MAXLINE) {
		tok_error(t, err, "line too long");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		if (is_forbidden((unsigned char)s[k])) {
			char what[64];
			if (s[k] == '\0')
				snprintf(what, sizeof(what), "NUL byte in the text");
			else
				snprintf(what, sizeof(what), "control byte 0x%02x in the text",
				    (unsigned char)s[k]);
			tok_error(t, err, what);
			goto out;
		}
	}
	while (i < n) {
		if (is_blank(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
		if (tok_begin_word(t, err) < 0)
			goto out;
		if ((s[i] == '"' ? tok_quoted(t, s, n, &i, err) : tok_plain(t, s, n, &i, err)) < 0)
			goto out;
		t->buf[t->used++] = '\0';
	}
	rc = 0;
out:
	return rc;
}

int lia_conf_parse_text(const char *name, const char *text, size_t len,
    lia_conf_fn fn, void *ctx, char *err)
{
	struct tokenizer *t = calloc(1, sizeof(*t));
	size_t start = 0;
	int rc = -1;

	if (t == NULL) {
		lia_err_set(err, "%s: out of memory", name);
		goto out;
	}
	t->line.file = name;
	if (len > LIA_CONF_MAXFILE) {
		lia_err_set(err, "%s: file larger than %d bytes", name, LIA_CONF_MAXFILE);
		goto out;
	}
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;

		t->line.line++;
		if (tok_line(t, text + start, end - start, err) < 0)
			goto out;
		if (t->line.argc > 0 && fn(ctx, &t->line, err) < 0)
			goto out;
		start = end + 1;
	}
	rc = 0;
out:
	free(t);
	return rc;
}

int lia_conf_parse_file(const char *path, lia_conf_fn fn, void *ctx, char *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	if (lia_read_file(path, LIA_CONF_MAXFILE, &text, &len, err) < 0)
		goto out;
	rc = lia_conf_parse_text(path, text, len, fn, ctx, err);
out:
	free(text);
	return rc;
}

/* Reads fd to its end into *buf (grown as needed), failing past max bytes. */
static int read_all(int fd, const char *path, size_t max, char **buf, size_t *len, char *err)
{
	size_t cap = 0, used = 0;
	char *p = NULL;
	int rc = -1;

	for (;;) {
		ssize_t got;
		if (used == cap) {
			size_t next = cap ? cap * 2 : 4096;
			char *q;
			if (next > max + 1)
				next = max + 1;
			q = realloc(p, next + 1);
			if (q == NULL) {
				lia_err_set(err, "%s: out of memory", path);
				goto out;
			}
			p = q;
			cap = next;
		}
		got = read(fd, p + used, cap - used);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			lia_err_set(err, "%s: cannot read: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		used += (size_t)got;
		if (used > max) {
			lia_err_set(err, "%s: file larger than %zu bytes", path, max);
			goto out;
		}
	}
	p[used] = '\0';
	*buf = p;
	*len = used;
	p = NULL;
	rc = 0;
out:
	free(p);
	return rc;
}

int lia_read_file(const char *path, size_t max, char **out, size_t *len, char *err)
{
	struct stat st;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		lia_err_set(err, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		lia_err_set(err, "%s: not a regular file", path);
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		lia_err_set(err, "%s: file larger than %zu bytes", path, max);
		goto out;
	}
	rc = read_all(fd, path, max, out, len, err);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int lia_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	int rc = 0;

	while (len > 0 && rc == 0) {
		ssize_t put = write(fd, p, len);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0) {
			rc = -1;
		} else {
			p += put;
			len -= (size_t)put;
		}
	}
	return rc;
}

/* fsync of the directory holding path, so a rename in it is durable. */
static int fsync_parent(const char *path, char *err)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd, rc = -1;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		lia_err_set(err, "%s: cannot sync the directory: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * path.new is created with O_EXCL|O_NOFOLLOW: one left by a crash (or being
 * written by another process, or a link someone planted) is refused, never
 * reused or followed; the caller tells the user to remove it.
 * Crash hazard: a crash before the rename leaves the old file intact and a
 * stale path.new (refused by the next attempt until removed). The data is fsync'd
 * before the rename, because on some file systems (ext4 with delayed
 * allocation) a rename can otherwise reach the disk before the data and leave
 * an empty file. A crash after the rename but before the directory fsync may
 * bring the old file back; either way a reader sees a whole file, old or new,
 * never a torn one. The call only returns 0 once the new file is durable.
 */
int lia_write_file_atomic(const char *path, const void *data, size_t len, int mode, char *err)
{
	char tmp[4096 + 8];
	int fd = -1, rc = -1, made = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp)) {
		lia_err_set(err, "%s: path too long", path);
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0 && errno == EEXIST) {
		lia_err_set(err, "%s already exists (left by an interrupted write, or another one is "
		    "running); remove it and try again", tmp);
		goto out;
	}
	if (fd < 0) {
		lia_err_set(err, "%s: cannot create: %s", tmp, strerror(errno));
		goto out;
	}
	made = 1;
	/* O_CREAT's mode passes through the umask: set it. */
	if (fchmod(fd, (mode_t)mode) < 0 || lia_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		lia_err_set(err, "%s: cannot write: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		lia_err_set(err, "%s: cannot write: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		lia_err_set(err, "%s: cannot rename into place: %s", path, strerror(errno));
		goto out;
	}
	made = 0;
	if (fsync_parent(path, err) < 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	return rc;
}
