/*
 * accept.c - what an inbound entry means here: one table of rules by entry
 * type (transport.h, lia_node_accept), the same for the TLS session and the
 * radio. The transport has already checked its own facts: who the peer is
 * (its certificate), that the entry is signed by it, and on a session that
 * it follows the last one committed. A rule checks the entry makes sense
 * for this node, stores it with what it implies and queues the answer;
 * nothing leaves before the caller's lia_node_commit.
 */
#include "node_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "deadline_timer.h"
#include "err.h"
#include "incident.h"
#include "linktest.h"
#include "log.h"
#include "peertime.h"
#include "relay.h"

typedef int (*accept_fn)(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err);

/* The referenced own entry was sent to this peer and hashes to what the entry names. */
static int check_reference(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, char *err)
{
	uint8_t hash[32];
	int rc;

	if (strcmp(e->ref_origin, n->self->name) != 0) {
		lia_err_set(err, "%s %s/%" PRIu64 " refers to %s/%" PRIu64 ", not a message of ours",
		    lia_entry_type_name(e->type), e->origin, e->seq, e->ref_origin, e->ref_seq);
		return LIA_REFUSED;
	}
	rc = lia_store_has_delivery(n->store, e->ref_seq, in->peer->name, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		lia_err_set(err, "%s %s/%" PRIu64 " refers to %s/%" PRIu64 ", which was not sent to %s",
		    lia_entry_type_name(e->type), e->origin, e->seq, e->ref_origin, e->ref_seq,
		    in->peer->name);
		return LIA_REFUSED;
	}
	if (lia_store_get_entry(n->store, e->ref_origin, e->ref_seq, NULL, NULL, NULL, hash, err) < 0)
		return -1;
	if (CRYPTO_memcmp(hash, e->ref_hash, 32) != 0) {
		lia_err_set(err, "%s %s/%" PRIu64 " names a hash of %s/%" PRIu64 " that does not match ours",
		    lia_entry_type_name(e->type), e->origin, e->seq, e->ref_origin, e->ref_seq);
		return LIA_REFUSED;
	}
	return 0;
}

/* 1 when this node is among the entry's recipients. */
static int addressed_to_self(struct lia_node *n, const struct lia_entry *e)
{
	const struct lia_node_def *to[LIA_MAX_NODES];
	char ignored[LIA_ERR_LEN];
	int count = 0;

	if (lia_charter_recipients(n->charter, e->to, e->origin, to, LIA_MAX_NODES, &count,
	    ignored) < 0)
		return 0;
	for (int i = 0; i < count; i++)
		if (to[i] == n->self)
			return 1;
	return 0;
}

/* Stores e as received now: 0, or -1 (a duplicate too: the session's order rules it out). */
static int store_in(struct lia_node *n, const struct lia_entry *e, const uint8_t *cose,
    size_t cose_len, char *err)
{
	return lia_store_add_entry(n->store, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(), err) < 0 ?
	    -1 : 0;
}

static int accept_message(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err)
{
	uint8_t hash[32];

	if (!addressed_to_self(n, e)) {
		lia_err_set(err, "message %s/%" PRIu64 " is addressed to %s, which does not include %s",
		    e->origin, e->seq, e->to, n->self->name);
		return LIA_REFUSED;
	}
	if (store_in(n, e, cose, cose_len, err) < 0 || lia_deadline_received(n, e, err) < 0)
		return -1;
	lia_entry_hash(cose, cose_len, hash);
	return lia_node_receipt(n, in->peer->name, e, hash, err) < 0 ? -1 : 0;
}

/*
 * A receipt of an own entry sent to the peer. On a session each is taken
 * once; on the radio a receipt may come again (ours was lost and the entry
 * re-sent): that is fine, and the radio stops re-sending on either.
 */
static int accept_receipt(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err)
{
	int rc = check_reference(n, in, e, err), added;

	if (rc != 0)
		return rc;
	rc = lia_store_mark_delivered(n->store, e->ref_seq, in->peer->name, e->seq, lia_now_ms(),
	    err);
	if (rc == LIA_EDUP && in->via == LIA_VIA_LINK) {
		/* The store's sentence names our database file: not for the peer. */
		lia_err_set(err, "receipt %s/%" PRIu64 ": %s/%" PRIu64 " is already receipted by %s",
		    e->origin, e->seq, e->ref_origin, e->ref_seq, in->peer->name);
		return LIA_REFUSED;
	}
	if (rc < 0 && rc != LIA_EDUP)
		return -1;
	out->first = rc == 0;
	if (rc == 0 && lia_deadline_answered(n, e->ref_seq, e->origin, LIA_DEADLINE_RECEIPT,
	    err) < 0)
		return -1;
	added = lia_store_add_entry(n->store, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(), err);
	if (added < 0 && !(added == LIA_EDUP && in->via == LIA_VIA_RADIO))
		return -1;
	out->receipted = e->ref_seq;
	return 0;
}

static int accept_ack(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err)
{
	int rc = check_reference(n, in, e, err);

	if (rc != 0)
		return rc;
	rc = lia_store_find_ack(n->store, e->ref_origin, e->ref_seq, e->origin, NULL, err);
	if (rc == 0) {
		lia_err_set(err, "ack %s/%" PRIu64 ": %s already acknowledged %s/%" PRIu64, e->origin,
		    e->seq, e->origin, e->ref_origin, e->ref_seq);
		return LIA_REFUSED;
	}
	if (rc != LIA_ENOTFOUND)
		return -1;
	if (store_in(n, e, cose, cose_len, err) < 0 ||
	    lia_deadline_answered(n, e->ref_seq, e->origin, LIA_DEADLINE_ACK, err) < 0)
		return -1;
	lia_log_info("%s/%" PRIu64 " acknowledged by %s (operator %s)", e->ref_origin, e->ref_seq,
	    e->origin, e->operator_name);
	return 0;
}

static int resend_cb(void *ctx, const char *origin, uint64_t seq, const uint8_t *cose,
    size_t cose_len)
{
	struct { struct lia_node *n; struct lia_accepted *out; } *f = ctx;
	struct lia_entry e;
	char err[LIA_ERR_LEN];
	int mine = 0;

	if (strcmp(origin, f->n->self->name) == 0 && lia_entry_open(cose, cose_len, &e, err) == 0) {
		mine = e.type == LIA_ENTRY_RECEIPT;
		lia_entry_finish(&e);
	}
	if (mine && (f->out->answer = malloc(cose_len)) != NULL) {
		memcpy(f->out->answer, cose, cose_len);
		f->out->answer_len = cose_len;
	}
	return mine;
}

/* A signal heard again on the radio: its receipt was lost, so the one we made goes again. */
static int receipt_again(struct lia_node *n, const struct lia_entry *e, struct lia_accepted *out,
    char *err)
{
	struct { struct lia_node *n; struct lia_accepted *out; } f = {n, out};

	if (lia_store_scan_refs(n->store, e->origin, e->seq, resend_cb, &f, err) < 0)
		return -1;
	return LIA_EDUP;
}

/* On the radio: our receipt (COSE into out, not queued: the radio sends it) and a relay of the signal to our stations. */
static int receipt_and_relay(struct lia_node *n, const struct lia_entry *e, const uint8_t *cose,
    size_t len, struct lia_accepted *out, char *err)
{
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
	if (lia_node_make_entry(n, &rc_e, NULL, 0, 0, &out->answer, &out->answer_len, err) < 0)
		goto out;
	out->relayed = lia_node_own_stations(n, stations, LIA_MAX_NODES);
	if (out->relayed == 0) {
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
	rc = lia_node_make_entry(n, &relay, stations, out->relayed, 1, NULL, NULL, err);
out:
	free(der);
	return rc;
}

/*
 * A signal: addressed to this node (a broadcast only when heard on the air;
 * at a station also its own unit's copy) and every code and value good in
 * our catalogue. Over the radio it is also relayed to our own stations.
 */
static int accept_signal(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err)
{
	char why[LIA_ERR_LEN];
	uint8_t hash[32];
	int heard = in->via == LIA_VIA_RADIO && e->to[0] == '\0', rc;

	if (!heard && !addressed_to_self(n, e) && !lia_relay_own_unit_copy(n, in->peer, e)) {
		if (e->to[0] == '\0')
			lia_err_set(err, "signal %s/%" PRIu64 " is a broadcast (no `to`): only the radio "
			    "carries those, and a station takes its own unit's", e->origin, e->seq);
		else
			lia_err_set(err, "signal %s/%" PRIu64 " is addressed to %s, which does not "
			    "include %s", e->origin, e->seq, e->to, n->self->name);
		return LIA_REFUSED;
	}
	if (lia_node_check_signals(n, e, why) < 0) {
		lia_err_set(err, "signal %s/%" PRIu64 " refused: %s", e->origin, e->seq, why);
		return LIA_REFUSED;
	}
	rc = lia_store_add_entry(n->store, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(), err);
	if (rc == LIA_EDUP && in->via == LIA_VIA_RADIO)
		return receipt_again(n, e, out, err);
	if (rc < 0)
		return -1;
	if (in->via == LIA_VIA_RADIO)
		return receipt_and_relay(n, e, cose, cose_len, out, err) < 0 ? -1 : 0;
	lia_entry_hash(cose, cose_len, hash);
	return lia_node_receipt(n, in->peer->name, e, hash, err) < 0 ? -1 : 0;
}

/* An incident entry addressed to this node (or from a station of its party) and allowed by the incident's rules (incident.c). */
static int accept_incident(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err)
{
	int own_side = strcmp(in->peer->party, n->self->party) == 0 &&
	    n->self->role == LIA_ROLE_STATION;

	if (!own_side && !addressed_to_self(n, e)) {
		lia_err_set(err, "incident entry %s/%" PRIu64 " is addressed to %s, which does not "
		    "include %s", e->origin, e->seq, e->to, n->self->name);
		return LIA_REFUSED;
	}
	return lia_incident_accept(n->store, n->charter, n->self->party, e, cose, cose_len,
	    LIA_DIR_IN, err);
}

/* A link test from the peer to us: stored, and answered (signed) in the same transaction. */
static int accept_linktest(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err)
{
	uint8_t hash[32];

	if (strcmp(e->to, n->self->name) != 0) {
		lia_err_set(err, "link test %s/%" PRIu64 " is for %s, not %s", e->origin, e->seq,
		    e->to, n->self->name);
		return LIA_REFUSED;
	}
	if (store_in(n, e, cose, cose_len, err) < 0)
		return -1;
	lia_entry_hash(cose, cose_len, hash);
	return lia_node_linktest_answer(n, in->peer->name, e, hash, err) < 0 ? -1 : 0;
}

/* The peer's answer to one of our link tests: checked against what we sent (linktest.c), then stored. */
static int accept_linktest_answer(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err)
{
	int rc = lia_linktest_check_answer(n, in->peer->name, e, err);

	if (rc != 0)
		return rc;
	return store_in(n, e, cose, cose_len, err);
}

static int accept_overdue(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err)
{
	return lia_deadline_notice_in(n, e, cose, cose_len, err);
}

static int accept_relay(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, struct lia_accepted *out,
    char *err)
{
	return lia_relay_accept(n, in->peer, e, cose, cose_len, err);
}

/* The time of own entry seq, -1 when it cannot be read (the reference check refuses it then). */
static int64_t own_entry_time(struct lia_node *n, uint64_t seq)
{
	uint8_t *cose = NULL;
	size_t len = 0;
	struct lia_entry e;
	char err[LIA_ERR_LEN];
	int64_t t = -1;

	memset(&e, 0, sizeof(e));
	if (lia_store_get_entry(n->store, n->self->name, seq, &cose, &len, NULL, NULL, err) == 0 &&
	    lia_entry_open(cose, len, &e, err) == 0)
		t = e.time_ms;
	lia_entry_finish(&e);
	free(cose);
	return t;
}

/* The clock record of peer, made on first use; NULL when the table is full. */
static struct lia_peer_clock *peer_clock(struct lia_node *n, const char *peer)
{
	for (int i = 0; i < n->n_clocks; i++)
		if (strcmp(n->clocks[i].peer, peer) == 0)
			return &n->clocks[i];
	if (n->n_clocks == LIA_MAX_NODES)
		return NULL;
	snprintf(n->clocks[n->n_clocks].peer, sizeof(n->clocks[0].peer), "%s", peer);
	return &n->clocks[n->n_clocks++];
}

int64_t lia_node_peer_clock_skew(const struct lia_node *n, const char *peer)
{
	for (int i = 0; i < n->n_clocks; i++)
		if (strcmp(n->clocks[i].peer, peer) == 0)
			return n->clocks[i].skew_ms;
	return 0;
}

/*
 * Peer-claimed times (peertime.h), the same on every channel: LIA_REFUSED
 * when impossible (err says so), else 0; a skew is kept for the peer's
 * status and logged once per peer and run.
 */
static int check_peer_time(struct lia_node *n, const struct lia_inbound *in,
    const struct lia_entry *e, char *err)
{
	struct lia_peer_clock *c;
	int64_t ref = -1, skew = 0;

	if (lia_peertime_is_answer(e) && strcmp(e->ref_origin, n->self->name) == 0)
		ref = own_entry_time(n, e->ref_seq);
	switch (lia_peertime_check(e, lia_now_ms(), ref, &skew, err)) {
	case LIA_PEERTIME_IMPOSSIBLE:
		return LIA_REFUSED;
	case LIA_PEERTIME_SKEWED:
		if ((c = peer_clock(n, in->peer->name)) == NULL)
			break;
		c->skew_ms = skew;
		if (!c->flagged)
			lia_log_warn("%s %s: the peer's clock looks off: %s (accepted; logged once)",
			    in->via == LIA_VIA_RADIO ? "radio" : "link", in->peer->name, err);
		c->flagged = 1;
		break;
	case LIA_PEERTIME_OK:
		break;
	}
	return 0;
}

/* The rules: one per entry type, and the channels that may carry it. */
static const struct {
	enum lia_entry_type type;
	unsigned vias;
	accept_fn accept;
} rules[] = {
	{LIA_ENTRY_MESSAGE, LIA_VIA_LINK, accept_message},
	{LIA_ENTRY_RECEIPT, LIA_VIA_LINK | LIA_VIA_RADIO, accept_receipt},
	{LIA_ENTRY_ACK, LIA_VIA_LINK, accept_ack},
	{LIA_ENTRY_SIGNAL, LIA_VIA_LINK | LIA_VIA_RADIO, accept_signal},
	{LIA_ENTRY_INCIDENT, LIA_VIA_LINK, accept_incident},
	{LIA_ENTRY_OVERDUE, LIA_VIA_LINK, accept_overdue},
	{LIA_ENTRY_LINKTEST, LIA_VIA_LINK, accept_linktest},
	{LIA_ENTRY_LINKTEST_ANSWER, LIA_VIA_LINK, accept_linktest_answer},
	{LIA_ENTRY_RELAY, LIA_VIA_LINK, accept_relay},
};

int lia_node_accept(struct lia_node *n, const struct lia_inbound *in, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, struct lia_accepted *out, char *err)
{
	memset(out, 0, sizeof(*out));
	if (check_peer_time(n, in, e, err) != 0) /* impossible times refused first (issue 10) */
		return LIA_REFUSED;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].type != e->type)
			continue;
		if (rules[i].vias & (unsigned)in->via)
			return rules[i].accept(n, in, e, cose, cose_len, out, err);
		break;
	}
	if (in->via == LIA_VIA_RADIO)
		lia_err_set(err, "%s %s/%" PRIu64 ": only signals and receipts travel on the unit "
		    "link", lia_entry_type_name(e->type), e->origin, e->seq);
	else
		lia_err_set(err, "entry %s/%" PRIu64 " has an unknown type", e->origin, e->seq);
	return LIA_REFUSED;
}
