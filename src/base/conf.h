/*
 * conf.h - the line tokenizer shared by the charter and the node config.
 *
 * A file is lines of words separated by blanks; '#' starts a comment; a word
 * may be double-quoted to hold blanks. Each non-empty line is handed to a
 * callback with its file name and line number so errors can name both.
 */
#ifndef LIA_CONF_H
#define LIA_CONF_H

#include <stddef.h>

#define LIA_CONF_MAXWORDS 24
#define LIA_CONF_MAXLINE 4096
#define LIA_CONF_MAXFILE (1 << 20)

struct lia_conf_line {
	const char *file;                  /* file name for messages (borrowed) */
	int line;                          /* 1-based line number */
	int argc;                          /* number of words */
	char *argv[LIA_CONF_MAXWORDS];     /* the words, NUL-terminated (borrowed, valid during the callback) */
};

/* Called once per non-empty line; returns 0 to go on, negative to stop (err already filled, naming file:line). */
typedef int (*lia_conf_fn)(void *ctx, const struct lia_conf_line *line, char *err);

/* Tokenizes text[0..len) named name; stops at the first error (bad quote, NUL byte, too many words, line too long). */
int lia_conf_parse_text(const char *name, const char *text, size_t len,
    lia_conf_fn fn, void *ctx, char *err);

/* Reads path (at most LIA_CONF_MAXFILE bytes) and tokenizes it. */
int lia_conf_parse_file(const char *path, lia_conf_fn fn, void *ctx, char *err);

/* Reads a whole regular file into a NUL-terminated malloc'd buffer (caller frees); fails over max bytes. */
int lia_read_file(const char *path, size_t max, char **out, size_t *len, char *err);

/* Writes all of data to fd, resuming after interruptions; 0, or -1 with errno set. */
int lia_write_all(int fd, const void *data, size_t len);

/*
 * Writes data to path atomically: path.new (O_EXCL|O_NOFOLLOW: an existing
 * one is refused with a sentence telling to remove it), fsync, rename, fsync
 * of the directory; mode as given.
 */
int lia_write_file_atomic(const char *path, const void *data, size_t len, int mode, char *err);

#endif
