/*
 * token.c - the node directory's API token file (api.token): read without
 * ever creating it (the CLI), or read and create when absent (the daemon).
 *
 * The file must be a regular file of mode 0600 holding LIA_TOKEN_LEN lower
 * case hex characters; anything else is refused with a sentence naming it.
 */
#include "token.h"
#include "encoding.h"
#include "err.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#define TOKEN_FILE "api.token"

static int token_path(const char *dir, const char *suffix, char path[4096], char *err)
{
	int n = snprintf(path, 4096, "%s/%s%s", dir, TOKEN_FILE, suffix);

	if (n < 0 || n >= 4096) {
		lia_err_set(err, "node directory path is too long: %.60s...", dir);
		return -1;
	}
	return 0;
}

static int is_hex_token(const char *buf, size_t len)
{
	if (len != LIA_TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f')))
			return 0;
	return 1;
}

/* Reads a token from an open file, refusing loose modes and malformed content. */
static int token_read_fd(int fd, const char *path, char token[LIA_TOKEN_LEN + 1], char *err)
{
	char buf[LIA_TOKEN_LEN + 2];
	struct stat st;
	size_t len = 0;
	ssize_t n = 1;
	int rc = -1;

	if (fstat(fd, &st) < 0) {
		lia_err_set(err, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		lia_err_set(err, "%s is not a regular file", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		lia_err_set(err, "%s is open to group or others (mode %03o); it must be 0600",
		    path, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (n < 0) {
		lia_err_set(err, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (len == LIA_TOKEN_LEN + 1 && buf[LIA_TOKEN_LEN] == '\n')
		len--;
	if (!is_hex_token(buf, len)) {
		lia_err_set(err, "%s does not hold a %d-character hex token", path, LIA_TOKEN_LEN);
		goto out;
	}
	memcpy(token, buf, LIA_TOKEN_LEN);
	token[LIA_TOKEN_LEN] = '\0';
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int lia_token_read(const char *dir, char token[LIA_TOKEN_LEN + 1], char *err)
{
	char path[4096];
	int fd = -1, rc = -1;

	if (token_path(dir, "", path, err) < 0)
		goto out;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? LIA_ENOTFOUND : LIA_ERROR;
		lia_err_set(err, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	rc = token_read_fd(fd, path, token, err);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Creates dir/api.token with a fresh token. Crash hazard: a token written in
 * place could be left empty by a crash, and every later start would refuse
 * it. So the token is written whole to api.token.new (O_CREAT|O_EXCL, 0600),
 * fsync'd, then link()ed to api.token: link is atomic and, like O_EXCL, fails
 * when api.token exists, so a token another process just made is never
 * replaced (LIA_EDUP: read that one instead).
 */
static int token_create(const char *dir, char token[LIA_TOKEN_LEN + 1], char *err)
{
	char path[4096], tmp[4096], hex[LIA_TOKEN_LEN + 1];
	uint8_t raw[LIA_TOKEN_LEN / 2];
	int fd = -1, rc = -1;

	if (token_path(dir, "", path, err) < 0 || token_path(dir, ".new", tmp, err) < 0)
		goto out;
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		lia_err_set(err, "cannot draw random bytes for %s", path);
		lia_err_add_openssl(err);
		goto out;
	}
	lia_hex_encode(raw, sizeof(raw), hex);
	unlink(tmp); /* a leftover of a crash during an earlier creation */
	fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, hex, LIA_TOKEN_LEN) < 0 || fsync(fd) < 0) {
		lia_err_set(err, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (link(tmp, path) < 0) {
		rc = errno == EEXIST ? LIA_EDUP : LIA_ERROR;
		lia_err_set(err, "cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	memcpy(token, hex, sizeof(hex));
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
		fsync_dir(dir);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(hex, sizeof(hex));
	return rc;
}

int lia_token_get(const char *dir, char token[LIA_TOKEN_LEN + 1], char *err)
{
	int rc = lia_token_read(dir, token, err);

	if (rc == LIA_ENOTFOUND) {
		rc = token_create(dir, token, err);
		if (rc == 0)
			lia_log_info("created %s/%s", dir, TOKEN_FILE);
		else if (rc == LIA_EDUP)
			rc = lia_token_read(dir, token, err);
	}
	return rc;
}
