/*
 * radio_rx.c - what arrives on the unit link (radio.h). A datagram comes
 * from anyone who can reach the port: it is decoded within its size limit,
 * an entry is attributed to a configured peer by its signed origin and
 * verified with that unit's certificate as the charter allows it (its own
 * party's CA, subject that node, OU=unit). Those are the radio's facts; what
 * the entry means is the engine's (lia_node_accept: only signals and receipts
 * are taken from the radio). Anything refused is logged; the node goes on.
 */
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
#include "transport.h"

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
	struct lia_identity id;
	struct radio_peer *p;
	X509 *cert = NULL;
	uint8_t *old = NULL;
	size_t old_len = 0;
	char err[LIA_ERR_LEN];

	if (lia_cert_from_der(d->body, d->body_len, &cert, err) < 0 ||
	    lia_cert_check(r->charter, cert, &id, err) < 0) {
		refuse(r, NULL, from, LIA_RADIO_REFUSED_CERT, "certificate offered: %s", err);
		goto out;
	}
	if ((p = lia_radio_peer(r, id.node)) == NULL || id.role != LIA_ROLE_UNIT ||
	    strcmp(id.party, p->def->party) != 0) {
		refuse(r, NULL, from, LIA_RADIO_REFUSED_ORIGIN, "certificate offered for %s of %s, "
		    "which is not a radio peer "
		    "of %s", id.node, id.party, r->self->name);
		goto out;
	}
	if (lia_store_get_cert(r->store, id.node, &old, &old_len, err) == 0 &&
	    old_len == d->body_len && memcmp(old, d->body, old_len) == 0)
		goto out;
	if (lia_store_put_cert(r->store, id.node, d->body, d->body_len, err) < 0) {
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

/* After the commit: the signal is on disk, so its receipt may go; counted and logged. */
static void signal_taken(struct lia_radio *r, struct radio_peer *p, const struct lia_entry *e,
    const struct lia_accepted *done)
{
	p->received++;
	if (done->answer != NULL)
		send_receipt(r, p, done->answer, done->answer_len);
	lia_log_info("radio %s: signal %s/%" PRIu64 " stored, receipt sent, relayed to %d "
	    "station%s", p->def->name, e->origin, e->seq, done->relayed,
	    done->relayed == 1 ? "" : "s");
}

/*
 * The engine decides (lia_node_accept, the same rules as a session's); the
 * radio's own part is its outbox: an own entry leaves it only on its receipt.
 */
static void accept_entry(struct lia_radio *r, struct radio_peer *p, const struct lia_entry *e,
    const uint8_t *cose, size_t len, const char *from)
{
	struct lia_inbound in = {.peer = p->def, .via = LIA_VIA_RADIO};
	struct lia_accepted done = {0};
	char err[LIA_ERR_LEN], why[LIA_ERR_LEN];
	int rc;

	if (lia_node_begin(r->node, err) < 0)
		goto fail;
	rc = lia_node_accept(r->node, &in, e, cose, len, &done, why);
	if (rc != 0) {
		lia_node_rollback(r->node);
		if (rc == LIA_REFUSED) {
			refuse(r, p, from, LIA_RADIO_REFUSED_CONTENT, "%s", why);
		} else if (rc == LIA_EDUP) {
			/* A signal we already hold: its receipt was lost, so the one we made goes again. */
			p->duplicates++;
			if (done.answer != NULL)
				send_receipt(r, p, done.answer, done.answer_len);
			else
				lia_log_error("radio %s: no receipt of ours for %s/%" PRIu64 " to send again",
				    p->def->name, e->origin, e->seq);
		} else {
			snprintf(err, sizeof(err), "%s", why);
			goto fail;
		}
		goto out;
	}
	if (done.receipted != 0 &&
	    lia_store_dequeue(r->store, p->def->name, done.receipted, err) < 0) {
		lia_node_rollback(r->node);
		goto fail;
	}
	if (lia_node_commit(r->node, err) < 0)
		goto fail;
	if (e->type == LIA_ENTRY_SIGNAL) {
		signal_taken(r, p, e, &done);
	} else if (done.receipted != 0) {
		if (done.first)
			p->receipts++;
		lia_radio_confirmed(r, p, done.receipted);
	}
	goto out;
fail:
	lia_log_error("radio %s: cannot store %s %s/%" PRIu64 ": %s", p->def->name,
	    lia_entry_type_name(e->type), e->origin, e->seq, err);
out:
	free(done.answer);
}

static void handle_entry(struct lia_radio *r, const struct lia_dgram *d, const char *from)
{
	struct lia_node *n = r->node;
	const struct lia_node_def *self = lia_node_self(n);
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
		    "peer of %s", e.origin, e.seq, e.origin, self->name);
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
	accept_entry(r, p, &e, d->body, d->body_len, from);
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
