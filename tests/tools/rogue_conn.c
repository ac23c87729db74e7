/*
 * rogue_conn.c - the rogue's end of a link: TCP, TLS 1.3 with a node
 * certificate (the server must verify against the charter CAs and be a
 * charter node), and frames in and out with deadlines.
 *
 * The handshake runs on a blocking socket with kernel timeouts; after it the
 * socket is non-blocking and every wait goes through poll, so no step can
 * hang the test. Everything received is printed, one line a frame, for the
 * scripts to read.
 */
#include "rogue.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <openssl/err.h>

#include "cert.h"
#include "clock.h"

#define CONNECT_TIMEOUT_S 5
#define HELLO_WAIT_MS 5000
#define WRITE_WAIT_MS 3000

/* Fills c->why with what failed and the first OpenSSL reason (else errno). */
static void set_why_tls(struct rogue_conn *c, const char *what)
{
	unsigned long e = ERR_get_error();
	char reason[160] = "";

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	else if (errno != 0)
		snprintf(reason, sizeof(reason), "%s", strerror(errno));
	snprintf(c->why, sizeof(c->why), "%s%s%s", what, reason[0] ? ": " : "", reason);
	ERR_clear_error();
}

static int tls_context(struct rogue *r, const char *node_dir)
{
	struct rogue_conn *c = &r->conn;
	char path[4096];
	X509_STORE *store;

	snprintf(path, sizeof(path), "%s/node.crt", node_dir);
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL ||
	    SSL_CTX_set_min_proto_version(c->ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(c->ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_use_certificate_file(c->ctx, path, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey(c->ctx, r->key) != 1) {
		set_why_tls(c, path);
		fprintf(stderr, "rogue: cannot set up TLS 1.3 with %s\n", c->why);
		return -1;
	}
	store = SSL_CTX_get_cert_store(c->ctx);
	for (int i = 0; i < r->charter->n_parties; i++) {
		if (X509_STORE_add_cert(store, r->charter->parties[i].ca) != 1) {
			set_why_tls(c, r->charter->parties[i].name);
			fprintf(stderr, "rogue: cannot trust the CA of party %s\n", c->why);
			return -1;
		}
	}
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	/* A peer that drops TCP without close_notify has still closed the link. */
	SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET);
	return 0;
}

static int tcp_connect(struct rogue_conn *c, const char *host, const char *port)
{
	struct addrinfo hints = {0}, *ai = NULL;
	struct timeval tv = {CONNECT_TIMEOUT_S, 0};
	int gai;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	gai = getaddrinfo(host, port, &hints, &ai);
	if (gai != 0) {
		snprintf(c->why, sizeof(c->why), "cannot resolve %s:%s: %s", host, port,
		    gai_strerror(gai));
		return -1;
	}
	for (struct addrinfo *p = ai; p != NULL && c->fd < 0; p = p->ai_next) {
		c->fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
		if (c->fd < 0)
			continue;
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(c->fd, p->ai_addr, p->ai_addrlen) != 0) {
			snprintf(c->why, sizeof(c->why), "cannot connect to %s:%s: %s", host, port,
			    strerror(errno));
			close(c->fd);
			c->fd = -1;
		}
	}
	freeaddrinfo(ai);
	return c->fd < 0 ? -1 : 0;
}

/* The server's certificate must name a node of the charter, issued by its party's CA. */
static int check_server(struct rogue *r)
{
	struct rogue_conn *c = &r->conn;
	X509 *cert = SSL_get1_peer_certificate(c->ssl);
	struct lia_identity id;
	int rc = -1;

	if (cert == NULL)
		snprintf(c->why, sizeof(c->why), "the server presented no certificate");
	else if (lia_cert_check(r->charter, cert, &id, c->why) == 0)
		rc = 0;
	if (rc == 0)
		snprintf(c->peer, sizeof(c->peer), "%s", id.node);
	X509_free(cert);
	return rc;
}

int rogue_conn_open(struct rogue *r, const char *node_dir, const char *host, const char *port)
{
	struct rogue_conn *c = &r->conn;

	if (tls_context(r, node_dir) < 0)
		return ROGUE_LOCAL;
	if (tcp_connect(c, host, port) < 0) {
		fprintf(stderr, "rogue: %s\n", c->why);
		return ROGUE_NOCONNECT;
	}
	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		fprintf(stderr, "rogue: cannot create a TLS connection\n");
		return ROGUE_LOCAL;
	}
	errno = 0;
	if (SSL_connect(c->ssl) != 1) {
		set_why_tls(c, "TLS handshake failed");
		printf("refused: %s\n", c->why);
		return ROGUE_REFUSED;
	}
	if (check_server(r) < 0) {
		printf("bad server: %s\n", c->why);
		return ROGUE_BADPEER;
	}
	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) != 0) {
		fprintf(stderr, "rogue: cannot make the socket non-blocking: %s\n", strerror(errno));
		return ROGUE_LOCAL;
	}
	printf("tls: %s to %s as %s\n", SSL_get_version(c->ssl), c->peer, r->self);
	return 0;
}

void rogue_conn_close(struct rogue_conn *c)
{
	if (c->ssl != NULL && !c->closed)
		SSL_shutdown(c->ssl);
	SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	SSL_CTX_free(c->ctx);
	c->ctx = NULL;
}

/* The peer is gone: remember how. Always -1. */
static int set_closed(struct rogue_conn *c, int ssl_error)
{
	c->closed = 1;
	if (ssl_error == SSL_ERROR_ZERO_RETURN)
		snprintf(c->why, sizeof(c->why), "closed by the peer");
	else if (ssl_error == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0)
		snprintf(c->why, sizeof(c->why), "closed by the peer (end of stream)");
	else
		set_why_tls(c, ssl_error == SSL_ERROR_SSL ? "TLS error" : "connection lost");
	return -1;
}

/* After an SSL call returned ret: 1 retry now, 0 deadline passed, -1 closed. */
static int wait_io(struct rogue_conn *c, int ret, int64_t deadline)
{
	int e = SSL_get_error(c->ssl, ret);
	struct pollfd p = {.fd = c->fd};
	int64_t left = deadline - lia_mono_ms();

	if (e == SSL_ERROR_WANT_READ)
		p.events = POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		p.events = POLLOUT;
	else
		return set_closed(c, e);
	if (left <= 0)
		return 0;
	if (poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left) < 0 && errno != EINTR) {
		snprintf(c->why, sizeof(c->why), "poll: %s", strerror(errno));
		c->closed = 1;
		return -1;
	}
	return 1;
}

int rogue_send_raw(struct rogue_conn *c, const uint8_t *buf, size_t len)
{
	int64_t deadline = lia_mono_ms() + WRITE_WAIT_MS;
	size_t done = 0;
	int n, w;

	while (done < len) {
		if (c->closed)
			return -1;
		errno = 0;
		n = SSL_write(c->ssl, buf + done, len - done > INT_MAX ? INT_MAX : (int)(len - done));
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		w = wait_io(c, n, deadline);
		if (w == 0) {
			snprintf(c->why, sizeof(c->why), "the peer stopped reading");
			return -1;
		}
		if (w < 0)
			return -1;
	}
	return 0;
}

int rogue_send_frame(struct rogue_conn *c, const struct lia_frame *f)
{
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (lia_wire_encode(f, &buf, &len, err) < 0) {
		fprintf(stderr, "rogue: cannot encode a %s frame: %s\n", lia_frame_kind_name(f->kind), err);
		return -2;
	}
	rc = rogue_send_raw(c, buf, len);
	free(buf);
	return rc;
}

int rogue_send_hello(struct rogue *r, const char *node)
{
	struct lia_frame f = {.kind = LIA_FRAME_HELLO, .version = LIA_WIRE_VERSION, .seq = 0};

	memcpy(f.charter_hash, r->hash, sizeof(f.charter_hash));
	snprintf(f.node, sizeof(f.node), "%s", node);
	printf("tx hello node=%s seen=0\n", node);
	return rogue_send_frame(&r->conn, &f);
}

/* Reads until c->buf holds need bytes: 1 done, 0 deadline passed, -1 closed. */
static int fill(struct rogue_conn *c, size_t need, int64_t deadline)
{
	int n, w;

	while (c->len < need) {
		if (c->closed)
			return -1;
		errno = 0;
		n = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - c->len));
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		w = wait_io(c, n, deadline);
		if (w <= 0)
			return w;
	}
	return 1;
}

static void print_entry(const struct lia_frame *f)
{
	char why[LIA_ERR_LEN] = "";
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	if (lia_entry_open(f->cose, f->cose_len, &e, why) < 0) {
		printf("rx entry prev=%" PRIu64 " (cannot open: %s)\n", f->prev, why);
		return;
	}
	if (e.type == LIA_ENTRY_MESSAGE)
		printf("rx entry prev=%" PRIu64 " message %s/%" PRIu64 " to %s\n", f->prev, e.origin,
		    e.seq, e.to);
	else
		printf("rx entry prev=%" PRIu64 " %s %s/%" PRIu64 " of %s/%" PRIu64 "\n", f->prev,
		    lia_entry_type_name(e.type), e.origin, e.seq, e.ref_origin, e.ref_seq);
	lia_entry_finish(&e);
}

static void print_frame(const struct lia_frame *f)
{
	switch (f->kind) {
	case LIA_FRAME_HELLO:
		printf("rx hello node=%s version=%" PRIu64 " seen=%" PRIu64 "\n", f->node, f->version,
		    f->seq);
		break;
	case LIA_FRAME_ENTRY:
		print_entry(f);
		break;
	case LIA_FRAME_SEEN:
		printf("rx seen %" PRIu64 "\n", f->seq);
		break;
	case LIA_FRAME_PING:
	case LIA_FRAME_PONG:
		printf("rx %s %" PRIu64 "\n", lia_frame_kind_name(f->kind), f->nonce);
		break;
	case LIA_FRAME_ERROR:
		printf("rx error %" PRIu64 ": %s\n", f->code, f->text);
		break;
	case LIA_FRAME_CHECKPOINT:
	case LIA_FRAME_COSIGNATURE:
	case LIA_FRAME_CONFLICT:
	case LIA_FRAME_PROOF_REQUEST:
	case LIA_FRAME_PROOF:
		printf("rx %s\n", lia_frame_kind_name(f->kind));
		break;
	}
}

/* Takes one whole frame off the buffer into f. */
static enum rx take_frame(struct rogue_conn *c, int64_t deadline, struct lia_frame *f)
{
	char why[LIA_ERR_LEN] = "";
	uint32_t len = 0;
	int rc = fill(c, LIA_FRAME_HEADER, deadline);

	if (rc <= 0)
		return rc == 0 ? RX_TIMEOUT : RX_CLOSED;
	if (lia_wire_length(c->buf, &len, why) < 0) {
		printf("rx bad frame length: %s\n", why);
		return RX_BAD;
	}
	rc = fill(c, LIA_FRAME_HEADER + (size_t)len, deadline);
	if (rc <= 0)
		return rc == 0 ? RX_TIMEOUT : RX_CLOSED;
	rc = lia_wire_decode(c->buf + LIA_FRAME_HEADER, len, f, why);
	c->len -= LIA_FRAME_HEADER + (size_t)len;
	memmove(c->buf, c->buf + LIA_FRAME_HEADER + len, c->len);
	if (rc < 0) {
		printf("rx undecodable frame: %s\n", why);
		return RX_BAD;
	}
	return RX_FRAME;
}

enum rx rogue_receive(struct rogue_conn *c, int64_t deadline, struct lia_frame *f)
{
	enum rx rx;

	memset(f, 0, sizeof(*f));
	rx = take_frame(c, deadline, f);
	if (rx != RX_FRAME)
		return rx;
	print_frame(f);
	if (f->kind == LIA_FRAME_PING) {
		struct lia_frame pong = {.kind = LIA_FRAME_PONG, .nonce = f->nonce};
		rogue_send_frame(c, &pong); /* a failure shows as closed on the next read */
	}
	return RX_FRAME;
}

int rogue_hello(struct rogue *r, const char *node, uint64_t *peer_seen)
{
	int64_t deadline = lia_mono_ms() + HELLO_WAIT_MS;
	struct lia_frame f;

	if (rogue_send_hello(r, node) == -2)
		return ROGUE_LOCAL;
	for (;;) {
		switch (rogue_receive(&r->conn, deadline, &f)) {
		case RX_FRAME:
			if (f.kind == LIA_FRAME_HELLO) {
				*peer_seen = f.seq;
				lia_frame_finish(&f);
				return 0;
			}
			lia_frame_finish(&f);
			break;
		case RX_CLOSED:
			printf("refused before the peer's hello: %s\n", r->conn.why);
			return ROGUE_REFUSED;
		case RX_TIMEOUT:
			printf("no hello from %s within %d ms\n", r->conn.peer, HELLO_WAIT_MS);
			return ROGUE_BADPEER;
		case RX_BAD:
			return ROGUE_BADPEER;
		}
	}
}

int rogue_watch(struct rogue *r)
{
	int64_t deadline = lia_mono_ms() + r->wait_ms;
	struct lia_frame f;
	enum rx rx;

	for (;;) {
		rx = rogue_receive(&r->conn, deadline, &f);
		lia_frame_finish(&f);
		switch (rx) {
		case RX_FRAME:
			break;
		case RX_CLOSED:
			printf("closed: %s\n", r->conn.why);
			return ROGUE_CLOSED;
		case RX_TIMEOUT:
			printf("open: the link stayed up for %d ms\n", r->wait_ms);
			return ROGUE_OPEN;
		case RX_BAD:
			return ROGUE_BADPEER;
		}
	}
}

int rogue_await_seen(struct rogue *r, uint64_t seq)
{
	int64_t deadline = lia_mono_ms() + ROGUE_SEEN_WAIT_MS;
	struct lia_frame f;
	enum rx rx;
	int seen;

	for (;;) {
		rx = rogue_receive(&r->conn, deadline, &f);
		seen = rx == RX_FRAME && f.kind == LIA_FRAME_SEEN && f.seq >= seq;
		lia_frame_finish(&f);
		if (seen)
			return 0;
		if (rx != RX_FRAME) {
			printf("not confirmed: %s/%" PRIu64 " got no seen frame\n", r->self, seq);
			return -1;
		}
	}
}

/* 1 when f is an entry frame holding a message; fills e (lia_entry_finish after). */
static int is_message(const struct lia_frame *f, struct lia_entry *e)
{
	char why[LIA_ERR_LEN] = "";

	memset(e, 0, sizeof(*e));
	if (f->kind != LIA_FRAME_ENTRY || lia_entry_open(f->cose, f->cose_len, e, why) < 0)
		return 0;
	if (e->type == LIA_ENTRY_MESSAGE)
		return 1;
	lia_entry_finish(e);
	return 0;
}

int rogue_await_message(struct rogue *r, struct lia_entry *e, uint8_t **cose, size_t *len)
{
	int64_t deadline = lia_mono_ms() + ROGUE_SEEN_WAIT_MS;
	struct lia_frame f;
	enum rx rx;

	for (;;) {
		rx = rogue_receive(&r->conn, deadline, &f);
		if (rx == RX_FRAME && is_message(&f, e)) {
			*cose = f.cose; /* taken over from the frame */
			*len = f.cose_len;
			f.cose = NULL;
			lia_frame_finish(&f);
			return 0;
		}
		lia_frame_finish(&f);
		if (rx != RX_FRAME) {
			printf("no message from %s came\n", r->conn.peer);
			return -1;
		}
	}
}
