/*
 * httpc.c - the CLI's blocking HTTP JSON client for its own daemon's API, on
 * the Unix socket NODEDIR/api.sock: one HTTP/1.0 request per connection, the
 * reply read to the end of the stream.
 *
 * Nothing is sent before the socket is shown to be the daemon's: a socket
 * owned by the node directory's owner, in a directory nobody else may write
 * (so nobody else can have put it there while liaisond was down), served by a
 * process of that uid (SO_PEERCRED). A reply is still parsed as untrusted
 * JSON, and its size is bounded. libevent 2.1's evhttp client cannot take a
 * connected Unix socket (it closes the descriptor it is given and dials TCP),
 * hence the few lines of HTTP here. An error status whose body is not JSON is
 * returned with *reply NULL.
 */
#include "httpc.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define HTTPC_REPLY_MAX (64L * 1024 * 1024) /* a long message list with 16 KiB texts */
#define HTTPC_HEADERS_MAX (64 * 1024)

/* The directory part of path ("." when it has none). */
static void dir_of(const char *path, char out[PATH_MAX])
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, PATH_MAX, ".");
	else if (slash == path)
		snprintf(out, PATH_MAX, "/");
	else
		snprintf(out, PATH_MAX, "%.*s", (int)(slash - path), path);
}

/* "cannot reach liaisond at SOCK: connection refused" (strerror in lower case). */
static void reach_error(char *err, const char *sock, int e)
{
	char why[128];

	snprintf(why, sizeof(why), "%s", strerror(e));
	why[0] = (char)tolower((unsigned char)why[0]);
	lia_err_set(err, "cannot reach liaisond at %s: %s", sock, why);
}

int lia_httpc_check_socket(const char *sock, uid_t *uid, char *err)
{
	char dir[PATH_MAX];
	struct stat ds, ss;
	int rc = -1;

	dir_of(sock, dir);
	if (stat(dir, &ds) < 0) {
		reach_error(err, sock, errno);
		goto out;
	}
	if (!S_ISDIR(ds.st_mode) || (ds.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		lia_err_set(err, "refusing to talk to %s: its directory %s is writable by group or "
		    "others (mode %04o), so anyone could have put a socket there; make it 0700",
		    sock, dir, (unsigned)(ds.st_mode & 07777));
		goto out;
	}
	if (lstat(sock, &ss) < 0) {
		lia_err_set(err, "cannot reach liaisond at %s: %s", sock,
		    errno == ENOENT ? "the socket does not exist" : strerror(errno));
		goto out;
	}
	if (!S_ISSOCK(ss.st_mode)) {
		lia_err_set(err, "refusing to talk to %s: it is not a socket", sock);
		goto out;
	}
	if (ss.st_uid != ds.st_uid) {
		lia_err_set(err, "refusing to talk to %s: it belongs to uid %u, not to uid %u that "
		    "owns %s", sock, (unsigned)ss.st_uid, (unsigned)ds.st_uid, dir);
		goto out;
	}
	*uid = ds.st_uid;
	rc = 0;
out:
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline; 1 ready, 0 timed out, -1 error (errno). */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -1 : n;
	}
}

/* Connects to sock and checks the serving process's uid; the fd (non-blocking) or -1 with err. */
static int dial(const char *sock, uid_t uid, int timeout_s, char *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = -1, rc = -1;

	if (strlen(sock) >= sizeof(sun.sun_path)) {
		lia_err_set(err, "cannot reach liaisond at %s: the path is longer than a Unix socket "
		    "allows (%zu bytes); use a shorter node directory path", sock, sizeof(sun.sun_path) - 1);
		goto out;
	}
	memcpy(sun.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		reach_error(err, sock, errno);
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)); /* a full backlog */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		reach_error(err, sock, errno);
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		lia_err_set(err, "refusing to talk to %s: cannot learn who serves it: %s", sock,
		    strerror(errno));
		goto out;
	}
	if (cred.uid != uid) {
		lia_err_set(err, "refusing to talk to %s: the process serving it (pid %d) runs as "
		    "uid %u, not as uid %u that owns the node directory", sock, (int)cred.pid,
		    (unsigned)cred.uid, (unsigned)uid);
		goto out;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		reach_error(err, sock, errno);
		goto out;
	}
	rc = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The request's bytes (malloc'd, holding the token: the caller wipes and frees), or NULL. */
static char *build_request(const char *method, const char *path, const char *token,
    const char *text, size_t *len)
{
	size_t tlen = text != NULL ? strlen(text) : 0, cap = strlen(path) + strlen(token) + tlen + 256;
	char *buf = malloc(cap);
	int n;

	if (buf == NULL)
		return NULL;
	n = snprintf(buf, cap, "%s %s HTTP/1.0\r\nHost: liaisond\r\nAuthorization: Bearer %s\r\n"
	    "Accept: application/json\r\nConnection: close\r\n", method, path, token);
	if (text != NULL)
		n += snprintf(buf + n, cap - (size_t)n,
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n", tlen);
	n += snprintf(buf + n, cap - (size_t)n, "\r\n");
	if (text != NULL)
		memcpy(buf + n, text, tlen);
	*len = (size_t)n + tlen;
	return buf;
}

/* One reply read to the end of the stream. */
struct httpc_reply {
	char *data;
	size_t len, cap;
};

/* Writes all of buf, then reads the reply to EOF; -1 with err (a timeout names timeout_s). */
static int exchange(int fd, const char *sock, const char *buf, size_t len,
    long long deadline, int timeout_s, struct httpc_reply *r, char *err)
{
	size_t off = 0;
	ssize_t n;
	int w, rc = -1;

	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			reach_error(err, sock, errno);
			goto out;
		}
		if ((w = wait_fd(fd, POLLOUT, deadline)) <= 0)
			goto wait_failed;
	}
	for (;;) {
		if (r->cap - r->len < 65536) {
			char *grown = r->cap > HTTPC_REPLY_MAX + HTTPC_HEADERS_MAX ? NULL :
			    realloc(r->data, r->cap * 2 + 65536 + 1);
			if (grown == NULL) {
				lia_err_set(err, r->cap > HTTPC_REPLY_MAX ?
				    "liaisond at %s sent a reply larger than %ld bytes" :
				    "cannot keep the reply of liaisond at %s (out of memory, %ld bytes)",
				    sock, HTTPC_REPLY_MAX);
				goto out;
			}
			r->data = grown;
			r->cap = r->cap * 2 + 65536;
		}
		n = read(fd, r->data + r->len, r->cap - r->len);
		if (n > 0) {
			r->len += (size_t)n;
		} else if (n == 0) {
			break;
		} else if (errno != EAGAIN && errno != EINTR) {
			reach_error(err, sock, errno);
			goto out;
		} else if ((w = wait_fd(fd, POLLIN, deadline)) <= 0) {
			goto wait_failed;
		}
	}
	r->data[r->len] = '\0';
	rc = 0;
	goto out;
wait_failed:
	if (w == 0)
		lia_err_set(err, "liaisond at %s did not answer within %d s", sock, timeout_s);
	else
		reach_error(err, sock, errno);
out:
	return rc;
}

/* Finds header name (case-insensitive) in the head; its value or NULL. */
static const char *find_header(const char *head, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *line = strstr(head, "\r\n"), *end;

	while (line != NULL && line[2] != '\r') {
		line += 2;
		end = strstr(line, "\r\n");
		if (end == NULL)
			break;
		if ((size_t)(end - line) > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			line += nlen + 1;
			while (*line == ' ' || *line == '\t')
				line++;
			*vlen = (size_t)(end - line);
			return line;
		}
		line = end;
	}
	return NULL;
}

/* Splits the reply into status and body; -1 with err when it is not well-formed HTTP. */
static int parse_reply(struct httpc_reply *r, const char *sock, int *status,
    const char **body, size_t *blen, char *err)
{
	char *sep = r->len > 0 ? strstr(r->data, "\r\n\r\n") : NULL, *end;
	const char *v;
	size_t vlen = 0;
	unsigned long cl;
	int minor = 0, code = 0, rc = -1;

	if (r->len == 0) {
		lia_err_set(err, "cannot reach liaisond at %s: the connection closed without a reply", sock);
		goto out;
	}
	if (sep == NULL || sep - r->data > HTTPC_HEADERS_MAX ||
	    sscanf(r->data, "HTTP/1.%d %3d", &minor, &code) != 2 || code < 100 || code > 599) {
		lia_err_set(err, "liaisond at %s sent a reply that is not HTTP", sock);
		goto out;
	}
	sep[2] = '\0'; /* the head ends with its last header's CRLF */
	*body = sep + 4;
	*blen = r->len - (size_t)(*body - r->data);
	if (find_header(r->data, "Transfer-Encoding", &vlen) != NULL) {
		lia_err_set(err, "liaisond at %s sent a chunked reply to an HTTP/1.0 request", sock);
		goto out;
	}
	if ((v = find_header(r->data, "Content-Length", &vlen)) != NULL) {
		errno = 0;
		cl = strtoul(v, &end, 10);
		if (errno != 0 || end == v || (size_t)(end - v) != vlen || cl > *blen) {
			lia_err_set(err, "liaisond at %s sent a reply cut short (Content-Length %.*s, "
			    "%zu bytes)", sock, (int)(vlen > 20 ? 20 : vlen), v, *blen);
			goto out;
		}
		*blen = cl;
	}
	*status = code;
	rc = 0;
out:
	return rc;
}

int lia_httpc_request(const char *sock, const char *token,
    const char *method, const char *path, json_t *body, int timeout_s,
    int *status, json_t **reply, char *err)
{
	struct httpc_reply r = { NULL, 0, 0 };
	const char *data = NULL;
	char *text = NULL, *req = NULL;
	size_t req_len = 0, data_len = 0;
	long long deadline;
	json_error_t jerr;
	uid_t uid = 0;
	int fd = -1, code = 0, rc = -1;

	*status = 0;
	*reply = NULL;
	if (timeout_s <= 0)
		timeout_s = 1;
	deadline = now_ms() + 1000LL * timeout_s;
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
		lia_err_set(err, "HTTP method %.20s is not supported", method);
		goto out;
	}
	if (strlen(token) > 256 || strpbrk(token, "\r\n") != NULL || strpbrk(path, " \r\n") != NULL) {
		lia_err_set(err, "the API token or the path is malformed");
		goto out;
	}
	if (body != NULL && (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		lia_err_set(err, "cannot encode the request (out of memory)");
		goto out;
	}
	if ((req = build_request(method, path, token, text, &req_len)) == NULL) {
		lia_err_set(err, "cannot encode the request (out of memory)");
		goto out;
	}
	if (lia_httpc_check_socket(sock, &uid, err) < 0 ||
	    (fd = dial(sock, uid, timeout_s, err)) < 0 ||
	    exchange(fd, sock, req, req_len, deadline, timeout_s, &r, err) < 0 ||
	    parse_reply(&r, sock, &code, &data, &data_len, err) < 0)
		goto out;
	if (data_len > 0) {
		*reply = json_loadb(data, data_len, JSON_REJECT_DUPLICATES, &jerr);
		/* evhttp itself refuses some requests (413, 501) with an HTML page: keep the status. */
		if (*reply == NULL && code < 400) {
			lia_err_set(err, "liaisond at %s sent a reply that is not JSON (HTTP %d): %s",
			    sock, code, jerr.text);
			goto out;
		}
	}
	*status = code;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (req != NULL) {
		OPENSSL_cleanse(req, req_len);
		free(req);
	}
	free(text);
	free(r.data);
	return rc;
}
