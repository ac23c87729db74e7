/*
 * radio_rx.c - what arrives on the unit link (radio.h). A datagram comes
 * from anyone who can reach the port: it is decoded within its size limit,
 * an entry is attributed to a configured peer by its signed origin and
 * verified with that unit's certificate as the charter allows it (its own
 * party's CA, subject that node, OU=unit), and only a signal or a receipt
 * that makes sense here is committed. Anything else is refused and logged;
 * the node goes on.
 */
#include "node_internal.h"
#include "radio_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "cert.h"
#include "clock.h"
#include "log.h"
#include "peertime.h"
#include "record.h"
#include "session.h"

/* Logs a refused datagram (rate-limited per site, log.h) and counts it against p (may be NULL) and by kind. */
__attribute__((format(printf, 5, 6)))
static void refuse(struct lia_radio *r, struct radio_peer *p, const char *from,
    enum lia_radio_refusal kind, const char *fmt, ...)
{
	char why[LIA_ERR_LEN];
	va_list ap;

	lia_radio_guard_count(&r->guard, kind);
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	lia_log_warn("radio: refused a datagram from %s: %s", from, why);
	if (p != NULL) {
		p->refused++;
		snprintf(p->last_error, sizeof(p->last_error), "%s", why);
	} else {
		r->refused++;
	}
}

/* A certificate offered: kept when it is a configured peer's, valid under the charter. */
static void handle_cert(struct lia_radio *r, const struct lia_dgram *d, const char *from)
{
	struct lia_node *n = r->node;
	struct lia_identity id;
	struct radio_peer *p;
	X509 *cert = NULL;
	uint8_t *old = NULL;
	size_t old_len = 0;
	char err[LIA_ERR_LEN];

	if (lia_cert_from_der(d->body, d->body_len, &cert, err) < 0 ||
	    lia_cert_check(n->charter, cert, &id, err) < 0) {
		refuse(r, NULL, from, LIA_RADIO_REFUSED_CERT, "certificate offered: %s", err);
		goto out;
	}
	if ((p = lia_radio_peer(r, id.node)) == NULL || id.role != LIA_ROLE_UNIT ||
	    strcmp(id.party, p->def->party) != 0) {
		refuse(r, NULL, from, LIA_RADIO_REFUSED_ORIGIN, "certificate offered for %s of %s, "
		    "which is not a radio peer "
		    "of %s", id.node, id.party, n->self->name);
		goto out;
	}
	if (lia_store_get_cert(n->store, id.node, &old, &old_len, err) == 0 &&
	    old_len == d->body_len && memcmp(old, d->body, old_len) == 0)
		goto out;
	if (lia_store_put_cert(n->store, id.node, d->body, d->body_len, err) < 0) {
		lia_log_error("radio %s: cannot keep its certificate: %s", id.node, err);
		goto out;
	}
	EVP_PKEY_free(p->pub); /* checked again from the new certificate when next needed */
	p->pub = NULL;
	lia_log_info("radio %s: certificate learned (party %s, checked against the charter)",
	    id.node, id.party);
out:
	free(old);
	X509_free(cert);
}

static void handle_cert_request(struct lia_radio *r, const struct lia_dgram *d, const char *from)
{
	struct radio_peer *p = lia_radio_peer(r, d->node);

	if (p == NULL) {
		refuse(r, NULL, from, LIA_RADIO_REFUSED_ORIGIN,
		    "certificate requested by %s, which is not a radio peer",
		    d->node);
		return;
	}
	lia_radio_offer_cert(r, p);
}

/* Sends the entry datagram of cose to p ahead of own entries. */
static void send_receipt(struct lia_radio *r, struct radio_peer *p, const uint8_t *cose,
    size_t len)
{
	struct lia_dgram d = {.kind = LIA_DGRAM_ENTRY, .body = cose, .body_len = len};

	lia_radio_urgent(r, p, &d);
}

struct find_receipt {
	struct lia_radio *r;
	struct radio_peer *p;
	int found;
};

static int resend_cb(void *ctx, const char *origin, uint64_t seq, const uint8_t *cose,
    size_t cose_len)
{
	struct find_receipt *f = ctx;
	struct lia_entry e;
	char err[LIA_ERR_LEN];
	int mine = 0;

	if (strcmp(origin, f->r->node->self->name) == 0 && lia_entry_open(cose, cose_len, &e, err) == 0) {
		mine = e.type == LIA_ENTRY_RECEIPT;
		lia_entry_finish(&e);
	}
	if (mine) {
		send_receipt(f->r, f->p, cose, cose_len);
		f->found = 1;
	}
	return mine;
}

/* A signal we already hold: its receipt was lost, so send the one we made again. */
static void resend_receipt(struct lia_radio *r, struct radio_peer *p, const struct lia_entry *e)
{
	struct find_receipt f = {.r = r, .p = p};
	char err[LIA_ERR_LEN];

	p->duplicates++;
	if (lia_store_scan_refs(r->node->store, e->origin, e->seq, resend_cb, &f, err) < 0 ||
	    !f.found)
		lia_log_error("radio %s: no receipt of ours for %s/%" PRIu64 " to send again%s%s",
		    p->def->name, e->origin, e->seq, f.found ? ": " : "", f.found ? err : "");
}

/* 1 when this node is among e's recipients, or e is a broadcast (no `to`): we heard it on the air. */
static int addressed_here(struct lia_node *n, const struct lia_entry *e)
{
	const struct lia_node_def *to[LIA_MAX_NODES];
	char ignored[LIA_ERR_LEN];
	int count = 0;

	if (e->to[0] == '\0')
		return 1;
	if (lia_charter_recipients(n->charter, e->to, e->origin, to, LIA_MAX_NODES, &count,
	    ignored) < 0)
		return 0;
	for (int i = 0; i < count; i++)
		if (to[i] == n->self)
			return 1;
	return 0;
}

/* Inside the transaction: our receipt (COSE into *rcose) and a relay of the signal to our stations. */
static int make_receipt_and_relay(struct lia_radio *r, const struct lia_entry *e,
    const uint8_t *cose, size_t len, uint8_t **rcose, size_t *rlen, int *n_stations, char *err)
{
	struct lia_node *n = r->node;
	const char *stations[LIA_MAX_NODES];
	struct lia_entry rc_e, relay;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc = -1;

	memset(&rc_e, 0, sizeof(rc_e));
	rc_e.type = LIA_ENTRY_RECEIPT;
	snprintf(rc_e.ref_origin, sizeof(rc_e.ref_origin), "%s", e->origin);
	rc_e.ref_seq = e->seq;
	lia_entry_hash(cose, len, rc_e.ref_hash);
	if (lia_node_make_entry(n, &rc_e, NULL, 0, 0, rcose, rlen, err) < 0)
		goto out;
	*n_stations = lia_node_own_stations(n, stations, LIA_MAX_NODES);
	if (*n_stations == 0) {
		rc = 0;
		goto out;
	}
	if (lia_node_cert_der(n, e->origin, &der, &der_len, err) < 0)
		goto out;
	memset(&relay, 0, sizeof(relay));
	relay.type = LIA_ENTRY_RELAY;
	relay.inner = (uint8_t *)cose;  /* borrowed for signing only */
	relay.inner_len = len;
	relay.inner_cert = der;
	relay.inner_cert_len = der_len;
	rc = lia_node_make_entry(n, &relay, stations, *n_stations, 1, NULL, NULL, err);
out:
	free(der);
	return rc;
}

/* Pushes relays to our stations whose links are up. */
static void wake_stations(struct lia_node *n)
{
	const char *stations[LIA_MAX_NODES];
	int count = lia_node_own_stations(n, stations, LIA_MAX_NODES);

	for (int i = 0; i < count; i++) {
		struct lia_link *l = lia_node_link(n, stations[i]);
		if (l != NULL && l->state == LIA_LINK_UP)
			lia_session_pump(l);
	}
}

static void accept_signal(struct lia_radio *r, struct radio_peer *p, const struct lia_entry *e,
    const uint8_t *cose, size_t len, const char *from)
{
	struct lia_node *n = r->node;
	uint8_t *rcose = NULL;
	size_t rlen = 0;
	char err[LIA_ERR_LEN];
	int n_stations = 0, rc;

	if (!addressed_here(n, e)) {
		refuse(r, p, from, LIA_RADIO_REFUSED_CONTENT,
		    "signal %s/%" PRIu64 " is addressed to %s, not %s", e->origin,
		    e->seq, e->to, n->self->name);
		return;
	}
	if (lia_node_check_signals(n, e, err) < 0) {
		refuse(r, p, from, LIA_RADIO_REFUSED_CONTENT, "signal %s/%" PRIu64 " refused: %s",
		    e->origin, e->seq, err);
		return;
	}
	if (lia_store_begin(n->store, err) < 0)
		goto fail;
	rc = lia_store_add_entry(n->store, e, LIA_DIR_IN, cose, len, lia_now_ms(), err);
	if (rc == LIA_EDUP) {
		lia_store_rollback(n->store);
		resend_receipt(r, p, e);
		return;
	}
	if (rc < 0 || make_receipt_and_relay(r, e, cose, len, &rcose, &rlen, &n_stations, err) < 0 ||
	    lia_store_commit(n->store, err) < 0) {
		lia_store_rollback(n->store);
		goto fail;
	}
	p->received++;
	lia_record_appended(n);
	send_receipt(r, p, rcose, rlen);  /* only now: the signal is on disk */
	lia_log_info("radio %s: signal %s/%" PRIu64 " stored, receipt sent, relayed to %d "
	    "station%s", p->def->name, e->origin, e->seq, n_stations, n_stations == 1 ? "" : "s");
	wake_stations(n);
	free(rcose);
	return;
fail:
	free(rcose);
	lia_log_error("radio %s: cannot store signal %s/%" PRIu64 ": %s", p->def->name, e->origin,
	    e->seq, err);
}

/* The receipt refers to an own signal sent to p, by the hash we hold. */
static int check_receipt(struct lia_radio *r, struct radio_peer *p, const struct lia_entry *e,
    char *why)
{
	struct lia_node *n = r->node;
	uint8_t hash[32];
	int rc;

	if (strcmp(e->ref_origin, n->self->name) != 0) {
		lia_err_set(why, "receipt %s/%" PRIu64 " refers to %s/%" PRIu64 ", not an entry of "
		    "ours", e->origin, e->seq, e->ref_origin, e->ref_seq);
		return -1;
	}
	rc = lia_store_has_delivery(n->store, e->ref_seq, p->def->name, why);
	if (rc == 0)
		lia_err_set(why, "receipt %s/%" PRIu64 " refers to %s/%" PRIu64 ", which was not "
		    "sent to %s", e->origin, e->seq, e->ref_origin, e->ref_seq, p->def->name);
	if (rc <= 0 || lia_store_get_entry(n->store, e->ref_origin, e->ref_seq, NULL, NULL, NULL,
	    hash, why) < 0)
		return -1;
	if (CRYPTO_memcmp(hash, e->ref_hash, 32) != 0) {
		lia_err_set(why, "receipt %s/%" PRIu64 " names a hash of %s/%" PRIu64 " that does "
		    "not match ours", e->origin, e->seq, e->ref_origin, e->ref_seq);
		return -1;
	}
	return 0;
}

static void accept_receipt(struct lia_radio *r, struct radio_peer *p, const struct lia_entry *e,
    const uint8_t *cose, size_t len, const char *from)
{
	struct lia_store *s = r->node->store;
	char err[LIA_ERR_LEN];
	int marked, added;

	if (check_receipt(r, p, e, err) < 0) {
		refuse(r, p, from, LIA_RADIO_REFUSED_CONTENT, "%s", err);
		return;
	}
	if (lia_store_begin(s, err) < 0)
		goto fail;
	marked = lia_store_mark_delivered(s, e->ref_seq, p->def->name, e->seq, lia_now_ms(), err);
	added = marked < 0 && marked != LIA_EDUP ? marked :
	    lia_store_add_entry(s, e, LIA_DIR_IN, cose, len, lia_now_ms(), err);
	if ((added < 0 && added != LIA_EDUP) ||
	    lia_store_dequeue(s, p->def->name, e->ref_seq, err) < 0 || lia_store_commit(s, err) < 0) {
		lia_store_rollback(s);
		goto fail;
	}
	if (marked == 0) {
		p->receipts++;
		lia_record_appended(r->node);
	}
	lia_radio_confirmed(r, p, e->ref_seq);
	return;
fail:
	lia_log_error("radio %s: cannot record receipt %s/%" PRIu64 ": %s", p->def->name,
	    e->origin, e->seq, err);
}

static void handle_entry(struct lia_radio *r, const struct lia_dgram *d, const char *from)
{
	struct lia_node *n = r->node;
	struct lia_entry e;
	struct radio_peer *p;
	EVP_PKEY *pub = NULL;
	char err[LIA_ERR_LEN];
	int rc;

	if (lia_entry_open(d->body, d->body_len, &e, err) < 0) {
		refuse(r, NULL, from, LIA_RADIO_REFUSED_MALFORMED, "malformed entry: %s", err);
		return;
	}
	p = lia_radio_peer(r, e.origin);
	if (p == NULL) {
		refuse(r, NULL, from, LIA_RADIO_REFUSED_ORIGIN,
		    "entry %s/%" PRIu64 " claims origin %s, which is not a radio "
		    "peer of %s", e.origin, e.seq, e.origin, n->self->name);
		goto out;
	}
	lia_entry_finish(&e);
	/* The peer's key is checked against the charter once, not per datagram (issue 10). */
	rc = p->pub != NULL ? 0 : lia_node_public_key(n, p->def->name, &p->pub, err);
	if (rc == LIA_ENOTFOUND) {
		lia_radio_ask_cert(r, p);  /* the peer sends again; by then we can check it */
		return;
	}
	if (rc < 0) {
		refuse(r, p, from, LIA_RADIO_REFUSED_CERT, "no usable certificate of %s: %s",
		    p->def->name, err);
		return;
	}
	if (EVP_PKEY_up_ref(p->pub) == 1)
		pub = p->pub;
	if (pub == NULL || lia_entry_verify(d->body, d->body_len, pub, &e, err) < 0) {
		refuse(r, p, from, LIA_RADIO_REFUSED_SIGNATURE,
		    "entry claiming origin %s fails the signature check with %s's "
		    "certificate (party %s): forged or altered: %s", p->def->name, p->def->name,
		    p->def->party, err);
		goto out;
	}
	/* Peer-claimed times (peertime.h): an impossible one is refused before anything is stored. */
	if (lia_peertime_check(&e, lia_now_ms(), -1, NULL, err) == LIA_PEERTIME_IMPOSSIBLE)
		refuse(r, p, from, LIA_RADIO_REFUSED_CONTENT, "%s", err);
	else if (e.type == LIA_ENTRY_SIGNAL)
		accept_signal(r, p, &e, d->body, d->body_len, from);
	else if (e.type == LIA_ENTRY_RECEIPT)
		accept_receipt(r, p, &e, d->body, d->body_len, from);
	else
		refuse(r, p, from, LIA_RADIO_REFUSED_CONTENT,
		    "%s %s/%" PRIu64 ": only signals and receipts travel on the unit "
		    "link", lia_entry_type_name(e.type), e.origin, e.seq);
out:
	EVP_PKEY_free(pub);
	lia_entry_finish(&e);
}

void lia_radio_receive(struct lia_radio *r, const uint8_t *buf, size_t len, const char *from)
{
	struct lia_dgram d;
	char err[LIA_ERR_LEN];

	if (lia_dgram_decode(buf, len, &d, err) < 0) {
		refuse(r, NULL, from, LIA_RADIO_REFUSED_MALFORMED, "%s", err);
		return;
	}
	switch (d.kind) {
	case LIA_DGRAM_ENTRY: handle_entry(r, &d, from); break;
	case LIA_DGRAM_CERT: handle_cert(r, &d, from); break;
	case LIA_DGRAM_CERT_REQUEST: handle_cert_request(r, &d, from); break;
	}
}
