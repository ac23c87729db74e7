/*
 * link.c - TLS 1.3 connections to peers: listen, dial, authenticate, frame
 * I/O, heartbeats and redial with backoff. Frames are handed to session.c.
 *
 * Assumes the peer is hostile until its certificate has been checked against
 * the charter; nothing it sends before that is read.
 */
#include "net_internal.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <event2/bufferevent_ssl.h>
#include <event2/buffer.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "admission.h"
#include "cert.h"
#include "clock.h"
#include "linkpath.h"
#include "log.h"
#include "record.h"
#include "session.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
#define HANDSHAKE_TIMEOUT_S 10
#define OUTPUT_LOW_WATER (64 * 1024)
/*
 * A peer whose output does not drain is not read (issue 10: proof replies
 * amplify ~25x, and a peer that never read its socket grew us by 350 MB):
 * above this many bytes waiting for it we stop taking its frames, and take
 * them again once the output is below OUTPUT_LOW_WATER. Input is bounded
 * too: libevent reads no more than INPUT_HIGH_WATER ahead of the session.
 */
#define OUTPUT_READ_STOP (1024 * 1024)
#define INPUT_HIGH_WATER (LIA_FRAME_HEADER + LIA_FRAME_MAX + 64 * 1024)
#define LINGER_S 2 /* how long a dropped connection may take to deliver its error frame */
#define LINK_PRIORITY 0 /* before the API's events (liaisond sets up two priorities) */
#define PROBE_PERIOD_MS 10000 /* how often a link on a fallback path tries the preferred one */
#define PATH_DIAL_MIN_MS 2000 /* with several paths, a dial gets 5 heartbeats, at least this */
/*
 * Incoming connections before their certificate is checked (admission.h):
 * 128 in all, 32 from one address, 5 s from accept to authenticated however
 * the bytes trickle. A TLS 1.3 handshake takes 2 round trips: 5 s leaves
 * room for a satellite path; the dialer itself gives up after 2 to 10 s.
 */
static const struct lia_admission_limits PENDING_LIMITS = {
	.max_total = 128, .max_per_addr = 32, .deadline_ms = 5000, .what = "TLS handshake"};

static void read_cb(struct bufferevent *bev, void *ctx);
static void write_cb(struct bufferevent *bev, void *ctx);
static void event_cb(struct bufferevent *bev, short what, void *ctx);

const char *lia_link_state_name(enum lia_link_state s)
{
	static const char *const names[] = {"down", "connecting", "hello", "up"};
	return (unsigned)s <= LIA_LINK_UP ? names[s] : "unknown";
}

static int add_charter_cas(SSL_CTX *ctx, const struct lia_charter *c, char *err)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);

	for (int i = 0; i < c->n_parties; i++) {
		if (X509_STORE_add_cert(store, c->parties[i].ca) != 1) {
			lia_err_set(err, "cannot trust the CA of party %s", c->parties[i].name);
			lia_err_add_openssl(err);
			return -1;
		}
	}
	return 0;
}

int lia_link_tls_context(struct lia_net *net, const char *cert_path, void **ctx_out, char *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());

	if (ctx == NULL)
		goto fail;
	/* TLS 1.3 only: no renegotiation, no legacy suites, encrypted certificates. */
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
		goto fail;
	if (SSL_CTX_use_certificate_file(ctx, cert_path, SSL_FILETYPE_PEM) != 1) {
		lia_err_set(err, "%s: cannot use as TLS certificate", cert_path);
		goto fail_set;
	}
	if (lia_node_tls_key(net->node, ctx, err) < 0) {
		lia_err_set(err, "%s: the node key does not match", cert_path);
		goto fail_set;
	}
	if (add_charter_cas(ctx, net->charter, err) < 0)
		goto fail_free;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(ctx, 2);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	*ctx_out = ctx;
	return 0;
fail:
	lia_err_set(err, "cannot set up TLS 1.3");
fail_set:
	lia_err_add_openssl(err);
fail_free:
	SSL_CTX_free(ctx);
	return -1;
}

size_t lia_link_pending(const struct lia_link *l)
{
	return l->bev ? evbuffer_get_length(bufferevent_get_output(l->bev)) : 0;
}

static void set_state(struct lia_link *l, enum lia_link_state s)
{
	l->state = s;
	l->since_ms = lia_now_ms();
}

/* Frees the connection; a TLS bufferevent may still try to write close_notify, which is fine. */
static void close_bev(struct bufferevent *bev)
{
	SSL *ssl = bufferevent_openssl_get_ssl(bev);

	if (ssl != NULL)
		SSL_set_shutdown(ssl, SSL_RECEIVED_SHUTDOWN);
	bufferevent_free(bev);
}

int lia_link_path_count(const struct lia_link *l)
{
	return l->dialer ? l->peer->n_addrs : l->net->self->n_addrs;
}

void lia_link_path_address(const struct lia_link *l, int i, char *out, size_t len)
{
	const struct lia_addr *a;

	if (i < 0 || i >= lia_link_path_count(l)) {
		snprintf(out, len, "?");
		return;
	}
	a = l->dialer ? &l->peer->addrs[i] : &l->net->self->addrs[i];
	snprintf(out, len, strchr(a->host, ':') ? "[%s]:%s" : "%s:%s", a->host, a->port);
}

/* Redials after delay_ms (0: at once, from the event loop); backoff doubles only when it was used. */
static void schedule_redial_in(struct lia_link *l, int delay_ms)
{
	struct timeval tv = {delay_ms / 1000, (delay_ms % 1000) * 1000};

	if (!l->dialer)
		return;
	evtimer_add(l->retry, &tv);
	if (delay_ms > 0)
		l->backoff_ms = l->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : l->backoff_ms * 2;
}

/* A failed dial: the next path at once, or the backoff after a whole round failed. */
static void schedule_redial(struct lia_link *l)
{
	int n = lia_link_path_count(l);

	if (!l->dialer)
		return;
	l->fails_in_row++;
	l->path = lia_path_next(l->path, n);
	schedule_redial_in(l, lia_path_delay_ms(l->fails_in_row, n, l->backoff_ms));
}

static void end_probe(struct lia_link *l)
{
	if (l->probe != NULL)
		close_bev(l->probe);
	l->probe = NULL;
}

/* How long a dial may take: with other paths to try, a few heartbeats (a cut path swallows SYNs). */
static int64_t dial_timeout_ms(const struct lia_link *l)
{
	int64_t ms = 5 * (int64_t)(l->net->cfg->heartbeat_ms > 0 ? l->net->cfg->heartbeat_ms : 1000);

	if (lia_link_path_count(l) < 2)
		return HANDSHAKE_TIMEOUT_S * 1000;
	ms = ms < PATH_DIAL_MIN_MS ? PATH_DIAL_MIN_MS : ms;
	return ms > HANDSHAKE_TIMEOUT_S * 1000 ? HANDSHAKE_TIMEOUT_S * 1000 : ms;
}

/* Books the loss of the current path; an up link starts a failover (timed until lia_link_path_up). */
static void path_down(struct lia_link *l, int was_up)
{
	if (l->path >= 0 && l->path < LIA_ADDRS_MAX) {
		struct lia_link_path *p = &l->paths[l->path];
		p->failures++;
		p->down_ms = lia_now_ms();
		if (was_up)
			p->rtt_ms = l->rtt_ms;
	}
	if (was_up && l->lost_mono == 0) {
		l->lost_mono = lia_mono_ms();
		l->lost_path = l->path;
	}
}

/* The current connection is replaced by another (not a failure): its path keeps its last round trip. */
static void path_left(struct lia_link *l)
{
	if (l->state < LIA_LINK_HELLO || l->path < 0 || l->path >= LIA_ADDRS_MAX)
		return;
	l->paths[l->path].down_ms = lia_now_ms();
	l->paths[l->path].rtt_ms = l->rtt_ms;
}

void lia_link_path_up(struct lia_link *l)
{
	char from[LIA_HOST_MAX + 16], to[LIA_HOST_MAX + 16];
	int ms;

	if (l->path >= 0 && l->path < LIA_ADDRS_MAX)
		l->paths[l->path].up_ms = lia_now_ms();
	l->fails_in_row = 0;
	if (l->lost_mono == 0)
		return;
	ms = (int)(lia_mono_ms() - l->lost_mono);
	l->lost_mono = 0;
	lia_link_path_address(l, l->lost_path, from, sizeof(from));
	lia_link_path_address(l, l->path, to, sizeof(to));
	if (l->lost_path == l->path) {
		lia_log_info("link %s: back up on path %d (%s) %d ms after losing it", l->peer->name,
		    l->path + 1, to, ms);
		return;
	}
	l->switches++;
	l->last_switch_ms = ms;
	lia_log_info("link %s: failover from path %d (%s) to path %d (%s) took %d ms",
	    l->peer->name, l->lost_path + 1, from, l->path + 1, to, ms);
}

/* A dropped connection still writing its error frame: freed once the frame is out, or on error or timeout. */
static void linger_write_cb(struct bufferevent *bev, void *ctx)
{
	struct lia_link *l = ctx;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0 && l->closing == bev) {
		l->closing = NULL;
		close_bev(bev);
	}
}

static void linger_event_cb(struct bufferevent *bev, short what, void *ctx)
{
	struct lia_link *l = ctx;

	if (l->closing == bev) {
		l->closing = NULL;
		close_bev(bev);
	}
}

/* Tells the peer why in an error frame, then lets the connection close once that is written. */
static void close_telling(struct lia_link *l, const char *reason)
{
	struct lia_frame f = {.kind = LIA_FRAME_ERROR, .code = 1};
	struct timeval linger = {LINGER_S, 0};
	struct bufferevent *bev = l->bev;

	uint8_t *buf = NULL;
	size_t len = 0;
	char err[LIA_ERR_LEN];
	int queued;

	snprintf(f.text, sizeof(f.text), "%s", reason);
	queued = lia_wire_encode(&f, &buf, &len, err) == 0 && bufferevent_write(bev, buf, len) == 0;
	free(buf);
	if (!queued)
		return; /* the caller closes it at once */
	if (l->closing != NULL)
		close_bev(l->closing);
	l->closing = bev;
	bufferevent_disable(bev, EV_READ);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	bufferevent_set_timeouts(bev, NULL, &linger);
	bufferevent_setcb(bev, NULL, linger_write_cb, linger_event_cb, l);
}

void lia_link_drop(struct lia_link *l, const char *reason, int send_error)
{
	struct bufferevent *bev = l->bev;
	int was_up = l->state >= LIA_LINK_HELLO;
	int64_t up_since_ms = l->since_ms;

	if (bev == NULL)
		return;
	lia_log_warn("link %s: dropped: %s", l->peer->name, reason);
	if (reason != l->last_error)
		snprintf(l->last_error, sizeof(l->last_error), "%s", reason);
	if (send_error && l->state >= LIA_LINK_HELLO)
		close_telling(l, reason);
	if (l->bev != NULL && l->closing != l->bev)
		close_bev(l->bev);
	l->bev = NULL;
	EVP_PKEY_free(l->peer_key);
	l->peer_key = NULL;
	set_state(l, LIA_LINK_DOWN);
	l->reconnects++;
	path_down(l, was_up);
	end_probe(l); /* a probe started before the loss would now race the redial */
	if (!was_up || lia_path_short_lived(lia_now_ms() - up_since_ms, l->net->cfg->heartbeat_ms)) {
		schedule_redial(l);
	} else if (l->dialer) {
		/* The path that was working died: the next one at once. */
		l->fails_in_row = 0;
		l->backoff_ms = BACKOFF_MIN_MS;
		l->path = lia_path_next(l->path, lia_link_path_count(l));
		schedule_redial_in(l, 0);
	}
}

int lia_link_send(struct lia_link *l, const struct lia_frame *f)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[LIA_ERR_LEN];

	if (l->bev == NULL)
		return -1;
	if (lia_wire_encode(f, &buf, &len, err) < 0) {
		lia_link_drop(l, err, 0);
		return -1;
	}
	if (bufferevent_write(l->bev, buf, len) != 0) {
		free(buf);
		lia_link_drop(l, "cannot queue a frame for writing", 0);
		return -1;
	}
	free(buf);
	l->frames_out++;
	return 0;
}

/* Moves an authenticated connection onto the link, replacing an older one. */
static void attach(struct lia_link *l, struct bufferevent *bev, EVP_PKEY *peer_key)
{
	if (l->bev != NULL && l->bev != bev) {
		lia_log_info("link %s: a new connection replaces the old one", l->peer->name);
		path_left(l);
		close_bev(l->bev);
	}
	EVP_PKEY_free(l->peer_key);
	l->bev = bev;
	l->peer_key = peer_key;
	l->last_rx_mono = lia_mono_ms();
	l->rtt_ms = -1;
	lia_record_connected(l->net->node, l->peer->name);
	set_state(l, LIA_LINK_HELLO);
	bufferevent_setcb(bev, read_cb, write_cb, event_cb, l);
	bufferevent_setwatermark(bev, EV_WRITE, OUTPUT_LOW_WATER, 0);
	bufferevent_setwatermark(bev, EV_READ, 0, INPUT_HIGH_WATER);
	bufferevent_set_timeouts(bev, NULL, NULL);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	lia_session_open(l);
}

/*
 * Checks the verified peer certificate against the charter and returns the
 * link it belongs to (or NULL with err). The peer's identity is this and only this.
 */
static struct lia_link *identify(struct lia_net *net, struct bufferevent *bev,
    EVP_PKEY **key, char *err)
{
	SSL *ssl = bufferevent_openssl_get_ssl(bev);
	X509 *cert = ssl ? SSL_get1_peer_certificate(ssl) : NULL;
	struct lia_identity id;
	struct lia_link *l = NULL;

	if (cert == NULL) {
		lia_err_set(err, "peer presented no certificate");
		return NULL;
	}
	if (SSL_get_verify_result(ssl) != X509_V_OK) {
		lia_err_set(err, "peer certificate does not verify: %s",
		    X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
	} else if (lia_cert_check(net->charter, cert, &id, err) == 0) {
		l = lia_net_link(net, id.node);
		if (l == NULL)
			lia_err_set(err, "peer certificate names %s, which is not a peer of %s",
			    id.node, net->self->name);
	}
	if (l != NULL) {
		unsigned char *der = NULL;
		size_t der_len = 0;
		if (lia_cert_to_der(cert, &der, &der_len, err) < 0 ||
		    lia_store_put_cert(net->store, id.node, der, der_len, err) < 0)
			l = NULL;
		free(der);
		*key = l ? X509_get_pubkey(cert) : NULL;
	}
	X509_free(cert);
	return l;
}

/* Which of our own addresses the peer dialled (-1 when not one of the charter's, as with a listen line). */
static int local_path(struct lia_net *net, struct bufferevent *bev)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(bufferevent_getfd(bev), (struct sockaddr *)&ss, &len) != 0)
		return -1;
	return lia_path_find(net->self->addrs, net->self->n_addrs, (struct sockaddr *)&ss);
}

/* Events on a connection that is not yet authenticated (accepted side). */
static void pending_event_cb(struct bufferevent *bev, short what, void *ctx)
{
	struct lia_net *net = ctx;
	char err[LIA_ERR_LEN] = "";
	EVP_PKEY *key = NULL;
	struct lia_link *l;

	lia_admission_remove(net->admission, bev); /* no longer pending: freed or attached below */
	if (!(what & BEV_EVENT_CONNECTED)) {
		unsigned long e = bufferevent_get_openssl_error(bev);
		lia_log_warn("refused an incoming connection: %s%s%s",
		    (what & BEV_EVENT_TIMEOUT) ? "TLS handshake timed out" : "TLS handshake failed",
		    e ? ": " : "", e ? ERR_reason_error_string(e) : "");
		close_bev(bev);
		return;
	}
	l = identify(net, bev, &key, err);
	if (l != NULL && l->dialer) {
		lia_err_set(err, "%s dialled us, but %s dials %s", l->peer->name, net->self->name,
		    l->peer->name);
		EVP_PKEY_free(key);
		l = NULL;
	}
	if (l == NULL) {
		lia_log_warn("refused an incoming connection: %s", err);
		close_bev(bev);
		return;
	}
	lia_log_info("link %s: authenticated (incoming)", l->peer->name);
	attach(l, bev, key);
	l->path = local_path(net, bev);
}

/* Small frames leave at once: under Nagle a receipt waited on the peer's delayed
 * ACK (idle-link send->receipt p90 42 ms). A failure costs latency only. */
static void set_nodelay(evutil_socket_t fd)
{
	int one = 1;

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void accept_cb(struct evconnlistener *listener, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *ctx)
{
	struct lia_net *net = ctx;
	struct timeval handshake = {HANDSHAKE_TIMEOUT_S, 0};
	SSL *ssl = SSL_new(net->tls);
	struct bufferevent *bev;

	if (ssl == NULL) {
		evutil_closesocket(fd);
		return;
	}
	set_nodelay(fd);
	bev = bufferevent_openssl_socket_new(net->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		evutil_closesocket(fd);
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	bufferevent_priority_set(bev, LINK_PRIORITY);
	bufferevent_setcb(bev, NULL, NULL, pending_event_cb, net);
	bufferevent_set_timeouts(bev, &handshake, &handshake);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	/* Caps and an absolute deadline until authenticated (admission.h); may close older ones. */
	lia_admission_add(net->admission, bev, sa);
}

int lia_link_listen(struct lia_net *n, const char *host, const char *port, char *err)
{
	struct evutil_addrinfo hints = {0}, *ai = NULL;
	int gai;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	gai = evutil_getaddrinfo(host, port, &hints, &ai);
	if (gai != 0) {
		lia_err_set(err, "cannot resolve listen address %s:%s: %s", host, port,
		    evutil_gai_strerror(gai));
		return -1;
	}
	if (n->n_listeners == LIA_ADDRS_MAX) {
		evutil_freeaddrinfo(ai);
		lia_err_set(err, "cannot listen on %s:%s: more than %d listening addresses", host, port,
		    LIA_ADDRS_MAX);
		return -1;
	}
	if (n->admission == NULL &&
	    lia_admission_create(n->base, &PENDING_LIMITS, close_bev, &n->admission, err) < 0) {
		evutil_freeaddrinfo(ai);
		return -1;
	}
	n->listeners[n->n_listeners] = evconnlistener_new_bind(n->base, accept_cb, n,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 64,
	    ai->ai_addr, (int)ai->ai_addrlen);
	evutil_freeaddrinfo(ai);
	if (n->listeners[n->n_listeners] == NULL) {
		lia_err_set(err, "cannot listen on %s:%s: %s", host, port,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return -1;
	}
	/* Pause instead of spinning when descriptors run out (admission.h). */
	if (lia_admission_guard_listener(n->admission, n->listeners[n->n_listeners], err) < 0) {
		evconnlistener_free(n->listeners[n->n_listeners]);
		return -1;
	}
	n->n_listeners++;
	return 0;
}

/* Handshake finished on a connection we dialled: the certificate must name the peer we meant. */
static void dialled_connected(struct lia_link *l)
{
	char err[LIA_ERR_LEN] = "";
	EVP_PKEY *key = NULL;
	struct lia_link *found = identify(l->net, l->bev, &key, err);

	if (found != l) {
		char reason[LIA_ERR_LEN];
		if (found != NULL)
			lia_err_set(err, "dialled %s but the certificate names %s", l->peer->name,
			    found->peer->name);
		lia_err_set(reason, "%s", err);
		EVP_PKEY_free(key);
		lia_link_drop(l, reason, 0);
		return;
	}
	lia_log_info("link %s: authenticated (outgoing)", l->peer->name);
	attach(l, l->bev, key);
}

static void event_cb(struct bufferevent *bev, short what, void *ctx)
{
	struct lia_link *l = ctx;
	char reason[LIA_ERR_LEN];
	unsigned long e;

	if (bev != l->bev)
		return;
	if (what & BEV_EVENT_CONNECTED) {
		if (l->state == LIA_LINK_CONNECTING)
			dialled_connected(l);
		return;
	}
	e = bufferevent_get_openssl_error(bev);
	if (what & BEV_EVENT_EOF)
		lia_err_set(reason, "connection closed by %s", l->peer->name);
	else if (e != 0)
		lia_err_set(reason, "TLS error with %s: %s", l->peer->name,
		    ERR_reason_error_string(e));
	else
		lia_err_set(reason, "connection to %s failed: %s", l->peer->name,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	lia_link_drop(l, reason, 0);
}

int lia_link_output_full(const struct lia_link *l)
{
	return lia_link_pending(l) >= OUTPUT_READ_STOP;
}

static void read_cb(struct bufferevent *bev, void *ctx)
{
	struct lia_link *l = ctx;

	if (bev != l->bev)
		return;
	lia_session_read(l);
	/* Back-pressure: the session stopped at a full output; read again from write_cb. */
	if (l->bev == bev && lia_link_output_full(l))
		bufferevent_disable(bev, EV_READ);
}

static void write_cb(struct bufferevent *bev, void *ctx)
{
	struct lia_link *l = ctx;

	if (bev != l->bev)
		return;
	if (!(bufferevent_get_enabled(bev) & EV_READ) && l->state >= LIA_LINK_HELLO &&
	    lia_link_pending(l) < OUTPUT_LOW_WATER) {
		bufferevent_enable(bev, EV_READ);
		lia_session_read(l); /* the frames left waiting in the input */
		if (l->bev != bev)
			return;
	}
	if (l->state == LIA_LINK_UP)
		lia_session_pump(l);
}

/*
 * Starts a TLS connection to the peer's address number path; NULL with
 * l->last_error set when it cannot even start. A failure to connect later is
 * reported through the callbacks set here.
 */
static struct bufferevent *connect_path(struct lia_link *l, int path,
    bufferevent_data_cb readcb, bufferevent_event_cb eventcb)
{
	const struct lia_addr *a = &l->peer->addrs[path];
	struct evutil_addrinfo hints = {0}, *ai = NULL;
	struct bufferevent *bev;
	SSL *ssl;
	int gai;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	gai = evutil_getaddrinfo(a->host, a->port, &hints, &ai);
	if (gai != 0) {
		lia_err_set(l->last_error, "cannot resolve %s:%s: %s", a->host, a->port,
		    evutil_gai_strerror(gai));
		return NULL;
	}
	ssl = SSL_new(l->net->tls);
	bev = ssl ? bufferevent_openssl_socket_new(l->net->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE) : NULL;
	if (bev == NULL) {
		SSL_free(ssl);
		evutil_freeaddrinfo(ai);
		lia_err_set(l->last_error, "cannot set up a TLS connection to %s:%s", a->host, a->port);
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	bufferevent_priority_set(bev, LINK_PRIORITY);
	bufferevent_setcb(bev, readcb, write_cb, eventcb, l);
	if (bufferevent_socket_connect(bev, ai->ai_addr, (int)ai->ai_addrlen) != 0) {
		/* The failure is reported through eventcb. */
	}
	set_nodelay(bufferevent_getfd(bev));
	evutil_freeaddrinfo(ai);
	return bev;
}

static void dial(struct lia_link *l)
{
	if (l->path < 0 || l->path >= l->peer->n_addrs)
		l->path = 0;
	l->bev = connect_path(l, l->path, read_cb, event_cb);
	if (l->bev == NULL) {
		if (l->path < LIA_ADDRS_MAX)
			l->paths[l->path].failures++;
		schedule_redial(l);
		return;
	}
	set_state(l, LIA_LINK_CONNECTING);
}

/* The probe of path 0 finished its handshake (move the link onto it) or failed (keep the current path). */
static void probe_event_cb(struct bufferevent *bev, short what, void *ctx)
{
	struct lia_link *l = ctx;
	char err[LIA_ERR_LEN] = "", here[LIA_HOST_MAX + 16], back[LIA_HOST_MAX + 16];
	EVP_PKEY *key = NULL;

	if (bev != l->probe)
		return;
	if (!(what & BEV_EVENT_CONNECTED) || identify(l->net, bev, &key, err) != l) {
		EVP_PKEY_free(key);
		l->paths[0].failures++;
		l->paths[0].down_ms = lia_now_ms();
		end_probe(l);
		return;
	}
	lia_link_path_address(l, l->path, here, sizeof(here));
	lia_link_path_address(l, 0, back, sizeof(back));
	lia_log_info("link %s: preferred path 1 (%s) answers again; moving there from path %d (%s)",
	    l->peer->name, back, l->path + 1, here);
	l->probe = NULL;
	path_left(l);
	if (l->bev != NULL)
		close_bev(l->bev);
	l->bev = NULL;
	l->path = 0;
	attach(l, bev, key);
}

/* On a fallback path, now and then try the preferred one (path 0) on the side. */
static void maybe_probe(struct lia_link *l)
{
	struct timeval handshake = {HANDSHAKE_TIMEOUT_S, 0};
	int64_t now = lia_mono_ms();

	if (!l->dialer || l->state != LIA_LINK_UP || l->probe != NULL ||
	    !lia_path_probe_due(l->path, now, l->probe_mono, PROBE_PERIOD_MS))
		return;
	l->probe_mono = now;
	l->probe = connect_path(l, 0, NULL, probe_event_cb);
	if (l->probe != NULL) {
		bufferevent_set_timeouts(l->probe, &handshake, &handshake);
		bufferevent_enable(l->probe, EV_READ | EV_WRITE);
	}
}

static void retry_cb(evutil_socket_t fd, short what, void *ctx)
{
	struct lia_link *l = ctx;

	if (l->bev == NULL)
		dial(l);
}

static void heartbeat_cb(evutil_socket_t fd, short what, void *ctx)
{
	struct lia_link *l = ctx;

	if (l->bev != NULL && l->state == LIA_LINK_CONNECTING &&
	    lia_now_ms() - l->since_ms > dial_timeout_ms(l)) {
		lia_link_drop(l, "TLS handshake timed out", 0);
		return;
	}
	if (l->state >= LIA_LINK_HELLO)
		lia_session_tick(l);
	maybe_probe(l);
}

int lia_link_init(struct lia_link *l, struct lia_net *n, const struct lia_node_def *peer,
    char *err)
{
	int period = n->cfg->heartbeat_ms > 0 ? n->cfg->heartbeat_ms : 1000;
	struct timeval tv = {period / 1000, (period % 1000) * 1000};
	int known = 0;

	memset(l, 0, sizeof(*l));
	l->net = n;
	l->peer = peer;
	l->dialer = strcmp(n->self->name, peer->name) < 0;
	l->backoff_ms = BACKOFF_MIN_MS;
	l->rtt_ms = -1;
	l->last_switch_ms = -1;
	l->path = l->dialer ? 0 : -1;
	for (int i = 0; i < LIA_ADDRS_MAX; i++)
		l->paths[i].rtt_ms = -1;
	l->since_ms = lia_now_ms();
	l->heartbeat = event_new(n->base, -1, EV_PERSIST, heartbeat_cb, l);
	l->retry = evtimer_new(n->base, retry_cb, l);
	if (l->heartbeat == NULL || l->retry == NULL || event_add(l->heartbeat, &tv) != 0) {
		lia_err_set(err, "cannot create timers for link %s", peer->name);
		return -1;
	}
	l->sent_known = -1; /* not read yet: lia_link_finish must not write it */
	if (lia_store_get_cursor(n->store, peer->name, &l->cursor, err) < 0 ||
	    lia_store_sent_open(n->store, peer->name, &l->sent_max, &known, err) < 0)
		return -1;
	l->sent_known = known;
	return 0;
}

void lia_link_start(struct lia_link *l)
{
	if (l->dialer)
		dial(l);
}

void lia_link_finish(struct lia_link *l)
{
	char err[LIA_ERR_LEN];

	/*
	 * A clean stop keeps what was sent, so the next run can bound the peer's
	 * hello (session.c). Not while the figure is unknown (after a crash, no
	 * hello since): the crash mark stays, or the next run would trust a
	 * figure that may be too low and refuse an honest hello.
	 */
	if (l->net != NULL && l->net->store != NULL && l->sent_known == 1 &&
	    lia_store_sent_close(l->net->store, l->peer->name, l->sent_max, err) < 0)
		lia_log_error("link %s: %s", l->peer->name, err);
	if (l->closing)
		close_bev(l->closing);
	end_probe(l);
	if (l->bev)
		close_bev(l->bev);
	l->bev = NULL;
	if (l->heartbeat)
		event_free(l->heartbeat);
	if (l->retry)
		event_free(l->retry);
	EVP_PKEY_free(l->peer_key);
	memset(l, 0, sizeof(*l));
}
