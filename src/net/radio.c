/*
 * radio.c - the unit link's socket, pacing and retransmission (radio.h).
 *
 * One UDP socket per unit. Each peer has a window of RADIO_WINDOW own
 * entries taken from the store's outbox in sequence order; each is re-sent
 * with exponential backoff and jitter until lia_radio_confirmed. Receipts
 * and certificates go first. Everything leaves through the peer's token
 * bucket, so a 2,400 bit/s channel is not flooded. Datagrams go only to the
 * configured addresses, never back to where one came from, so the link
 * cannot be used to reflect traffic.
 */
#include "radio_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "cert.h"
#include "clock.h"
#include "log.h"
#include "transport.h"

#define RADIO_TICK_MS 50
#define RADIO_RTO_MIN_MS 1500
#define RADIO_RTO_CAP_MS 60000     /* an entry that cannot be encoded waits this long */
#define RADIO_RTO_STEPS 4           /* backoff caps at 4 times the first timeout: see below */
#define RADIO_CERT_EVERY_MS 3000
#define RADIO_TYPICAL_DGRAM 300     /* bytes: a signal with its COSE envelope */

struct radio_peer *lia_radio_peer(struct lia_radio *r, const char *node)
{
	for (int i = 0; i < r->n_peers; i++)
		if (strcmp(r->peers[i].def->name, node) == 0)
			return &r->peers[i];
	return NULL;
}

/* xorshift64: jitter only, nothing secret. */
static double next_jitter(struct lia_radio *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return (double)(r->rng >> 11) / 9007199254740992.0;
}

static int resolve(const char *host, const char *port, struct sockaddr_storage *ss,
    socklen_t *len, char *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);

	if (rc != 0 || res == NULL || res->ai_addrlen > sizeof(*ss)) {
		lia_err_set(err, "cannot resolve %s:%s: %s", host, port, gai_strerror(rc));
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* A configured peer must be a unit of another party in the charter. */
static int add_peer(struct lia_radio *r, const struct lia_radio_peer_cfg *pc, char *err)
{
	const struct lia_node_def *d = lia_charter_node(r->charter, pc->node);
	struct radio_peer *p = &r->peers[r->n_peers];

	if (d == NULL || d->role != LIA_ROLE_UNIT || strcmp(d->party, r->self->party) == 0) {
		lia_err_set(err, "%s/liaisond.conf: radio peer %s is not a unit of another party in "
		    "the charter", r->cfg->dir, pc->node);
		return -1;
	}
	if (resolve(pc->host, pc->port, &p->addr, &p->addr_len, err) < 0)
		return -1;
	p->def = d;
	p->cfg = pc;
	lia_bucket_init(&p->bucket, r->cfg->radio_rate,
	    (double)(LIA_DGRAM_MAX + LIA_DGRAM_OVERHEAD) * 8, lia_mono_ms());
	r->n_peers++;
	return 0;
}

static void radio_wake(void *ctx, const char *peer)
{
	lia_radio_wake(ctx, peer);
}

static json_t *radio_json(void *ctx)
{
	return lia_radio_json(ctx);
}

/* The radio carries entries and receipts only: no witnessing, no frames. */
static const struct lia_transport_ops radio_ops = {
	.name = "radio",
	.wake = radio_wake,
	.json = radio_json,
};

int lia_radio_create(struct lia_node *n, struct event_base *base, struct lia_radio **out,
    char *err)
{
	const struct lia_config *cfg = lia_node_config(n);
	const struct lia_node_def *self = lia_node_self(n);
	struct lia_radio *r;
	double airtime;

	*out = NULL;
	if (cfg->radio_host[0] == '\0')
		return 0;
	if (self->role != LIA_ROLE_UNIT) {
		lia_err_set(err, "%s/liaisond.conf: \"radio\" lines are for units; %s is a station",
		    cfg->dir, self->name);
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		lia_err_set(err, "out of memory");
		return -1;
	}
	r->node = n;
	r->base = base;
	r->cfg = cfg;
	r->charter = lia_node_charter(n);
	r->self = self;
	r->store = lia_node_store(n);
	r->fd = -1;
	r->rng = (uint64_t)lia_now_ms() * 2654435761u ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15u;
	/* Three times the air time of a typical datagram: its receipt needs the channel too. */
	airtime = (double)(RADIO_TYPICAL_DGRAM + LIA_DGRAM_OVERHEAD) * 8 * 1000 /
	    (double)cfg->radio_rate;
	r->rto_ms = (int64_t)(3 * airtime) > RADIO_RTO_MIN_MS ? (int64_t)(3 * airtime) :
	    RADIO_RTO_MIN_MS;
	for (int i = 0; i < cfg->n_radio_peers; i++) {
		if (add_peer(r, &cfg->radio_peers[i], err) < 0) {
			lia_radio_destroy(r);
			return -1;
		}
	}
	if (lia_node_add_transport(n, &radio_ops, r, err) < 0) {
		lia_radio_destroy(r);
		return -1;
	}
	*out = r;
	return 0;
}

static void send_dgram(struct lia_radio *r, struct radio_peer *p, const uint8_t *buf, size_t len)
{
	if (sendto(r->fd, buf, len, 0, (struct sockaddr *)&p->addr, p->addr_len) < 0 &&
	    errno != EAGAIN && errno != EWOULDBLOCK)
		snprintf(p->last_error, sizeof(p->last_error), "sendto: %s", strerror(errno));
}

void lia_radio_urgent(struct lia_radio *r, struct radio_peer *p, const struct lia_dgram *d)
{
	struct radio_msg *m;
	char err[LIA_ERR_LEN];

	if (p->n_urgent >= RADIO_URGENT) {
		lia_log_warn("radio %s: send queue full, %s datagram dropped (the peer will ask again)",
		    p->def->name, lia_dgram_kind_name(d->kind));
		return;
	}
	m = &p->urgent[p->n_urgent];
	if (lia_dgram_encode(d, m->buf, sizeof(m->buf), &m->len, err) < 0) {
		lia_log_error("radio %s: %s", p->def->name, err);
		return;
	}
	/* The same receipt asked for twice (duplicates in a row) goes once. */
	for (int i = 0; i < p->n_urgent; i++)
		if (p->urgent[i].len == m->len && memcmp(p->urgent[i].buf, m->buf, m->len) == 0)
			return;
	p->n_urgent++;
}

void lia_radio_ask_cert(struct lia_radio *r, struct radio_peer *p)
{
	struct lia_dgram d = {.kind = LIA_DGRAM_CERT_REQUEST};
	int64_t now = lia_mono_ms();

	if (p->cert_asked_ms != 0 && now - p->cert_asked_ms < RADIO_CERT_EVERY_MS)
		return;
	p->cert_asked_ms = now;
	snprintf(d.node, sizeof(d.node), "%s", r->self->name);
	lia_log_info("radio %s: no certificate of %s yet: asking for it", p->def->name,
	    p->def->name);
	lia_radio_urgent(r, p, &d);
}

void lia_radio_offer_cert(struct lia_radio *r, struct radio_peer *p)
{
	struct lia_dgram d = {.kind = LIA_DGRAM_CERT};
	int64_t now = lia_mono_ms();
	uint8_t *der = NULL;
	size_t len = 0;
	char err[LIA_ERR_LEN];

	if (p->cert_offered_ms != 0 && now - p->cert_offered_ms < RADIO_CERT_EVERY_MS)
		return;
	if (lia_node_cert_der(r->node, r->self->name, &der, &len, err) < 0) {
		lia_log_error("radio: %s", err);
		return;
	}
	p->cert_offered_ms = now;
	d.body = der;
	d.body_len = len;
	lia_radio_urgent(r, p, &d);
	free(der);
}

/* Outbox scan callback: takes one own entry into the window. */
static int take_entry(void *ctx, uint64_t seq, const uint8_t *cose, size_t cose_len)
{
	struct radio_peer *p = ctx;
	struct radio_out *o = &p->out[p->n_out];

	p->loaded_upto = seq;
	if ((o->cose = malloc(cose_len)) == NULL)
		return 1;
	memcpy(o->cose, cose, cose_len);
	o->len = cose_len;
	o->seq = seq;
	o->tries = 0;
	o->due_ms = lia_mono_ms();
	p->n_out++;
	return p->n_out >= RADIO_WINDOW;
}

/* Tops the window up from the outbox (which holds what is not yet receipted). */
static void fill_window(struct lia_radio *r, struct radio_peer *p)
{
	char err[LIA_ERR_LEN];

	if (p->n_out < RADIO_WINDOW &&
	    lia_store_scan_outbox(r->store, p->def->name, p->loaded_upto,
	    RADIO_WINDOW - p->n_out, take_entry, p, err) < 0)
		lia_log_error("radio %s: cannot read the outbox: %s", p->def->name, err);
}

void lia_radio_confirmed(struct lia_radio *r, struct radio_peer *p, uint64_t seq)
{
	for (int i = 0; i < p->n_out; i++) {
		if (p->out[i].seq != seq)
			continue;
		free(p->out[i].cose);
		memmove(&p->out[i], &p->out[i + 1], (size_t)(p->n_out - i - 1) * sizeof(p->out[0]));
		p->n_out--;
		break;
	}
	fill_window(r, p);
}

/* The window's entry due soonest (due by now), or NULL. */
static struct radio_out *next_due(struct radio_peer *p, int64_t now)
{
	struct radio_out *best = NULL;

	for (int i = 0; i < p->n_out; i++)
		if (p->out[i].due_ms <= now && (best == NULL || p->out[i].due_ms < best->due_ms))
			best = &p->out[i];
	return best;
}

/* Sends what the peer's bucket allows: urgent datagrams first, then due entries. */
static void service(struct lia_radio *r, struct radio_peer *p, int64_t now)
{
	struct radio_msg m;
	struct radio_out *o;
	char err[LIA_ERR_LEN];

	while (p->n_urgent > 0 && lia_bucket_take(&p->bucket, p->urgent[0].len, now)) {
		send_dgram(r, p, p->urgent[0].buf, p->urgent[0].len);
		p->n_urgent--;
		memmove(&p->urgent[0], &p->urgent[1], (size_t)p->n_urgent * sizeof(p->urgent[0]));
	}
	while (p->n_urgent == 0 && (o = next_due(p, now)) != NULL) {
		struct lia_dgram d = {.kind = LIA_DGRAM_ENTRY, .body = o->cose, .body_len = o->len};

		if (lia_dgram_encode(&d, m.buf, sizeof(m.buf), &m.len, err) < 0) {
			lia_log_error("radio %s: own entry %" PRIu64 " cannot go: %s", p->def->name,
			    o->seq, err);
			o->due_ms = now + RADIO_RTO_CAP_MS;
			continue;
		}
		if (!lia_bucket_take(&p->bucket, m.len, now))
			break;
		send_dgram(r, p, m.buf, m.len);
		o->tries++;
		if (o->tries == 1)
			p->sent++;
		else
			p->resent++;
		/*
		 * Loss on a radio is mostly random, not congestion (the bucket already
		 * keeps us under the rate): a long backoff would only stretch the tail.
		 */
		o->due_ms = now + lia_radio_backoff_ms(o->tries, r->rto_ms,
		    RADIO_RTO_STEPS * r->rto_ms, next_jitter(r));
	}
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct lia_radio *r = arg;
	int64_t now = lia_mono_ms();

	for (int i = 0; i < r->n_peers; i++)
		service(r, &r->peers[i], now);
	lia_radio_guard_summary(&r->guard, now); /* one line for what was refused, every 10 s */
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct lia_radio *r = arg;
	uint8_t buf[LIA_DGRAM_MAX + 1];
	struct sockaddr_storage from;
	char host[NI_MAXHOST] = "?", port[NI_MAXSERV] = "?", where[NI_MAXHOST + NI_MAXSERV + 2];

	for (int i = 0; i < 64; i++) {
		socklen_t from_len = sizeof(from);
		ssize_t got = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from,
		    &from_len);

		if (got < 0)
			break;
		/* Over its source's limit: dropped before anything is decoded or resolved (radio_guard.h). */
		if (!lia_radio_guard_admit(&r->guard, (struct sockaddr *)&from, lia_mono_ms()))
			continue;
		getnameinfo((struct sockaddr *)&from, from_len, host, sizeof(host), port,
		    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(where, sizeof(where), "%s:%s", host, port);
		if ((size_t)got > LIA_DGRAM_MAX) {
			r->refused++;
			lia_radio_guard_count(&r->guard, LIA_RADIO_REFUSED_SIZE);
			lia_log_warn("radio: refused a datagram from %s: %zd bytes, over the limit of "
			    "%d", where, got, LIA_DGRAM_MAX);
			continue;
		}
		lia_radio_receive(r, buf, (size_t)got, where);
	}
	on_tick(fd, what, arg); /* receipts made just now go out without waiting a tick */
}

static int open_socket(struct lia_radio *r, char *err)
{
	const struct lia_config *cfg = r->cfg;
	struct sockaddr_storage ss;
	socklen_t len = 0;

	if (resolve(cfg->radio_host, cfg->radio_port, &ss, &len, err) < 0)
		return -1;
	r->fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&ss, len) < 0 ||
	    evutil_make_socket_nonblocking(r->fd) < 0 || fcntl(r->fd, F_SETFD, FD_CLOEXEC) < 0) {
		lia_err_set(err, "radio listen %s:%s: %s", cfg->radio_host, cfg->radio_port,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int lia_radio_start(struct lia_radio *r, char *err)
{
	struct timeval tv = {0, RADIO_TICK_MS * 1000};

	if (r == NULL)
		return 0;
	if (open_socket(r, err) < 0)
		return -1;
	r->rx = event_new(r->base, r->fd, EV_READ | EV_PERSIST, on_read, r);
	r->tick = event_new(r->base, -1, EV_PERSIST, on_tick, r);
	if (r->rx == NULL || r->tick == NULL || event_add(r->rx, NULL) < 0 ||
	    event_add(r->tick, &tv) < 0) {
		lia_err_set(err, "radio: cannot add its events to the event loop");
		return -1;
	}
	for (int i = 0; i < r->n_peers; i++) {
		lia_radio_offer_cert(r, &r->peers[i]);
		fill_window(r, &r->peers[i]);
	}
	lia_log_info("radio: unit link on %s:%s (UDP) with %d peer%s at %" PRId64 " bit/s",
	    r->cfg->radio_host, r->cfg->radio_port, r->n_peers,
	    r->n_peers == 1 ? "" : "s", r->cfg->radio_rate);
	return 0;
}

void lia_radio_wake(struct lia_radio *r, const char *dest)
{
	struct radio_peer *p;

	if (r == NULL || (p = lia_radio_peer(r, dest)) == NULL)
		return;
	fill_window(r, p);
	service(r, p, lia_mono_ms());
}

json_t *lia_radio_json(struct lia_radio *r)
{
	json_t *peers, *out;
	char err[LIA_ERR_LEN];

	if (r == NULL)
		return json_null();
	peers = json_array();
	for (int i = 0; i < r->n_peers; i++) {
		struct radio_peer *p = &r->peers[i];
		int64_t queued = -1;

		lia_store_outbox_count(r->store, p->def->name, &queued, err);
		json_array_append_new(peers, json_pack("{s:s, s:s, s:s+++, s:I, s:i, s:I, s:I, s:I, "
		    "s:I, s:I, s:I, s:s?}",
		    "peer", p->def->name, "party", p->def->party,
		    "address", p->cfg->host, ":", p->cfg->port, "",
		    "outbox", (json_int_t)queued, "in_flight", p->n_out,
		    "sent", (json_int_t)p->sent, "retransmissions", (json_int_t)p->resent,
		    "received", (json_int_t)p->received, "duplicates", (json_int_t)p->duplicates,
		    "receipts", (json_int_t)p->receipts, "refused", (json_int_t)p->refused,
		    "last_error", p->last_error[0] ? p->last_error : NULL));
	}
	out = json_pack("{s:s+++, s:I, s:I, s:o, s:o}", "listen", r->cfg->radio_host, ":",
	    r->cfg->radio_port, "", "rate", (json_int_t)r->cfg->radio_rate,
	    "refused", (json_int_t)r->refused, "refusals", lia_radio_guard_json(&r->guard),
	    "peers", peers);
	return out;
}

void lia_radio_destroy(struct lia_radio *r)
{
	if (r == NULL)
		return;
	lia_node_remove_transport(r->node, r);
	if (r->rx)
		event_free(r->rx);
	if (r->tick)
		event_free(r->tick);
	if (r->fd >= 0)
		close(r->fd);
	for (int i = 0; i < r->n_peers; i++) {
		for (int j = 0; j < r->peers[i].n_out; j++)
			free(r->peers[i].out[j].cose);
		EVP_PKEY_free(r->peers[i].pub);
	}
	free(r);
}
