/*
 * session.c - the peer protocol on an authenticated link (see session.h and
 * docs/wire.md). One handler per frame kind. Everything a peer sends is
 * checked here before it touches the store: the entry must be signed by the
 * link's peer, follow the last committed entry, and make sense for this node.
 */
#include "node_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "incident.h"
#include "deadline_timer.h"
#include "log.h"
#include "peertime.h"
#include "record.h"
#include "relay.h"
#include "session.h"

#define OUTPUT_HIGH_WATER (256 * 1024)
#define PUMP_BATCH 128
#define ERROR_CODE_PROTOCOL 1
#define ERROR_CODE_REJECTED 2
#define HELLO_DEADLINE_MS 5000 /* from authenticated to the peer's hello, however it keeps talking */

/*
 * Outcome of one frame: go on, or drop the link (the reason is in err). A
 * local fault (our store failed) drops the link too, but its sentence names
 * our files: it is logged here and the peer is told only that we failed.
 */
enum verdict { GO_ON = 0, DROP = -1, LOCAL_FAULT = -2 };

#define LOCAL_FAULT_SENTENCE "the receiver could not store the entries (a local failure, " \
	"logged there); they will be asked for again"


/* Entries read in one go share a transaction; the cursor moves on commit. */
struct batch {
	int open;
	int entries;
	uint64_t cursor;
};

void lia_session_open(struct lia_link *l)
{
	struct lia_frame f = {.kind = LIA_FRAME_HELLO, .version = LIA_WIRE_VERSION};

	memcpy(f.charter_hash, l->node->charter->hash, 32);
	snprintf(f.node, sizeof(f.node), "%s", l->node->self->name);
	f.seq = l->cursor;
	lia_link_send(l, &f);
}

static int handle_hello(struct lia_link *l, const struct lia_frame *f, char *err)
{
	if (l->state != LIA_LINK_HELLO) {
		lia_err_set(err, "%s sent a second hello", l->peer->name);
		return DROP;
	}
	if (f->version != LIA_WIRE_VERSION) {
		lia_err_set(err, "%s speaks wire version %" PRIu64 ", we speak %d",
		    l->peer->name, f->version, LIA_WIRE_VERSION);
		return DROP;
	}
	if (strcmp(f->node, l->peer->name) != 0) {
		lia_err_set(err, "hello claims node %s but the certificate says %s", f->node,
		    l->peer->name);
		return DROP;
	}
	l->charter_mismatch = CRYPTO_memcmp(f->charter_hash, l->node->charter->hash, 32) != 0;
	if (l->charter_mismatch)
		lia_log_warn("link %s: the peer's charter differs from ours (hash mismatch); "
		    "check both charter files", l->peer->name);
	/* The peer cannot hold what we never sent it: a larger seen would erase our outbox (issue 10). */
	if (l->sent_known == 1 && f->seq > l->sent_max) {
		lia_err_set(err, "hello from %s claims our entries up to %" PRIu64 ", but no more than "
		    "%" PRIu64 " were ever sent to it; nothing dropped from the outbox", l->peer->name,
		    f->seq, l->sent_max);
		return DROP;
	}
	if (l->sent_known != 1)
		lia_log_warn("link %s: after an unclean stop, the hello's seen (%" PRIu64 ") cannot be "
		    "checked against what was sent; taken as is", l->peer->name, f->seq);
	l->sent_known = 1;
	l->sent_max = f->seq > l->sent_max ? f->seq : l->sent_max;
	if (lia_store_peer_seen(l->node->store, l->peer->name, f->seq, err) < 0)
		return DROP;
	l->sent_upto = f->seq;
	l->state = LIA_LINK_UP;
	l->since_ms = lia_now_ms();
	lia_link_path_up(l);
	lia_log_info("link %s: up (peer has our entries up to %" PRIu64 ", we have its up to %"
	    PRIu64 ")", l->peer->name, f->seq, l->cursor);
	lia_session_pump(l);
	lia_record_offer(l);
	return GO_ON;
}

static int handle_seen(struct lia_link *l, const struct lia_frame *f, char *err)
{
	if (f->seq > l->sent_upto) {
		lia_err_set(err, "%s confirms %s/%" PRIu64 " but only up to %" PRIu64 " was sent",
		    l->peer->name, l->node->self->name, f->seq, l->sent_upto);
		return DROP;
	}
	return lia_store_peer_seen(l->node->store, l->peer->name, f->seq, err) < 0 ? DROP : GO_ON;
}

static int handle_ping(struct lia_link *l, const struct lia_frame *f, char *err)
{
	struct lia_frame pong = {.kind = LIA_FRAME_PONG, .nonce = f->nonce};

	return lia_link_send(l, &pong) < 0 ? DROP : GO_ON;
}

static int handle_pong(struct lia_link *l, const struct lia_frame *f, char *err)
{
	if (f->nonce == l->ping_nonce && l->ping_sent_mono > 0) {
		l->rtt_ms = (int)(lia_mono_ms() - l->ping_sent_mono);
		l->ping_sent_mono = 0;
	}
	return GO_ON;
}

static int handle_error(struct lia_link *l, const struct lia_frame *f, char *err)
{
	lia_log_warn("link %s: peer reports (code %" PRIu64 "): %s", l->peer->name, f->code, f->text);
	return GO_ON;
}

/* Tells the peer that a validly signed entry was refused; the link stays up. */
static void report_rejection(struct lia_link *l, const char *reason)
{
	struct lia_frame f = {.kind = LIA_FRAME_ERROR, .code = ERROR_CODE_REJECTED};

	lia_log_warn("link %s: rejected: %s", l->peer->name, reason);
	snprintf(f.text, sizeof(f.text), "%s", reason);
	l->rejected++;
	lia_link_send(l, &f);
}

/* The referenced own message was sent to this peer and hashes to what the entry names. */
static int check_reference(struct lia_link *l, const struct lia_entry *e, char *err)
{
	struct lia_node *n = l->node;
	uint8_t hash[32];
	int rc;

	if (strcmp(e->ref_origin, n->self->name) != 0) {
		lia_err_set(err, "%s %s/%" PRIu64 " refers to %s/%" PRIu64 ", not a message of ours",
		    lia_entry_type_name(e->type), e->origin, e->seq, e->ref_origin, e->ref_seq);
		return 1;
	}
	rc = lia_store_has_delivery(n->store, e->ref_seq, l->peer->name, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		lia_err_set(err, "%s %s/%" PRIu64 " refers to %s/%" PRIu64 ", which was not sent to %s",
		    lia_entry_type_name(e->type), e->origin, e->seq, e->ref_origin, e->ref_seq,
		    l->peer->name);
		return 1;
	}
	if (lia_store_get_entry(n->store, e->ref_origin, e->ref_seq, NULL, NULL, NULL, hash, err) < 0)
		return -1;
	if (CRYPTO_memcmp(hash, e->ref_hash, 32) != 0) {
		lia_err_set(err, "%s %s/%" PRIu64 " names a hash of %s/%" PRIu64 " that does not match ours",
		    lia_entry_type_name(e->type), e->origin, e->seq, e->ref_origin, e->ref_seq);
		return 1;
	}
	return 0;
}

/* 1 when this node is among the message's recipients. */
static int addressed_to_self(struct lia_link *l, const struct lia_entry *e)
{
	const struct lia_node_def *to[LIA_MAX_NODES];
	char ignored[LIA_ERR_LEN];
	int n = 0;

	if (lia_charter_recipients(l->node->charter, e->to, e->origin, to, LIA_MAX_NODES, &n,
	    ignored) < 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (to[i] == l->node->self)
			return 1;
	return 0;
}

static int accept_message(struct lia_link *l, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err)
{
	struct lia_node *n = l->node;
	uint8_t hash[32];

	if (!addressed_to_self(l, e)) {
		lia_err_set(err, "message %s/%" PRIu64 " is addressed to %s, which does not include %s",
		    e->origin, e->seq, e->to, n->self->name);
		return 1;
	}
	if (lia_store_add_entry(n->store, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(), err) < 0 ||
	    lia_deadline_received(n, e, err) < 0)
		return -1;
	lia_entry_hash(cose, cose_len, hash);
	return lia_node_receipt(n, l->peer->name, e, hash, err) < 0 ? -1 : 0;
}

static int accept_receipt(struct lia_link *l, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err)
{
	struct lia_store *s = l->node->store;
	int rc = check_reference(l, e, err);

	if (rc != 0)
		return rc;
	rc = lia_store_mark_delivered(s, e->ref_seq, l->peer->name, e->seq, lia_now_ms(), err);
	if (rc == LIA_EDUP) {
		/* The store's sentence names our database file: not for the peer. */
		lia_err_set(err, "receipt %s/%" PRIu64 ": %s/%" PRIu64 " is already receipted by %s",
		    e->origin, e->seq, e->ref_origin, e->ref_seq, l->peer->name);
		return 1;
	}
	if (rc < 0 || lia_deadline_answered(l->node, e->ref_seq, e->origin, LIA_DEADLINE_RECEIPT,
	    err) < 0)
		return -1;
	return lia_store_add_entry(s, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(), err) < 0 ? -1 : 0;
}

static int accept_ack(struct lia_link *l, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err)
{
	struct lia_store *s = l->node->store;
	int rc = check_reference(l, e, err);

	if (rc != 0)
		return rc;
	rc = lia_store_find_ack(s, e->ref_origin, e->ref_seq, e->origin, NULL, err);
	if (rc == 0) {
		lia_err_set(err, "ack %s/%" PRIu64 ": %s already acknowledged %s/%" PRIu64, e->origin,
		    e->seq, e->origin, e->ref_origin, e->ref_seq);
		return 1;
	}
	if (rc != LIA_ENOTFOUND)
		return -1;
	if (lia_store_add_entry(s, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(), err) < 0 ||
	    lia_deadline_answered(l->node, e->ref_seq, e->origin, LIA_DEADLINE_ACK, err) < 0)
		return -1;
	lia_log_info("%s/%" PRIu64 " acknowledged by %s (operator %s)", e->ref_origin, e->ref_seq,
	    e->origin, e->operator_name);
	return 0;
}

/* A signal: addressed to this node and every code and value good in our catalogue. */
static int accept_signal(struct lia_link *l, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err)
{
	struct lia_node *n = l->node;
	char why[LIA_ERR_LEN];
	uint8_t hash[32];

	/* A unit also sends its signals, broadcasts too, to its own stations (radio.h). */
	if (!addressed_to_self(l, e) && !lia_relay_own_unit_copy(l, e)) {
		if (e->to[0] == '\0')
			lia_err_set(err, "signal %s/%" PRIu64 " is a broadcast (no `to`): only the radio "
			    "carries those, and a station takes its own unit's", e->origin, e->seq);
		else
			lia_err_set(err, "signal %s/%" PRIu64 " is addressed to %s, which does not "
			    "include %s", e->origin, e->seq, e->to, n->self->name);
		return 1;
	}
	if (lia_node_check_signals(n, e, why) < 0) {
		lia_err_set(err, "signal %s/%" PRIu64 " refused: %s", e->origin, e->seq, why);
		return 1;
	}
	if (lia_store_add_entry(n->store, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(), err) < 0)
		return -1;
	lia_entry_hash(cose, cose_len, hash);
	return lia_node_receipt(n, l->peer->name, e, hash, err) < 0 ? -1 : 0;
}

/* An incident entry addressed to this node (or from a station of its party) and allowed by the incident's rules (incident.c). */
static int accept_incident(struct lia_link *l, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err)
{
	int own_side = strcmp(l->peer->party, l->node->self->party) == 0 &&
	    l->node->self->role == LIA_ROLE_STATION;

	if (!own_side && !addressed_to_self(l, e)) {
		lia_err_set(err, "incident entry %s/%" PRIu64 " is addressed to %s, which does not "
		    "include %s", e->origin, e->seq, e->to, l->node->self->name);
		return 1;
	}
	return lia_incident_accept(l->node->store, l->node->charter, l->node->self->party, e,
	    cose, cose_len, LIA_DIR_IN, err);
}

/* A link test from the peer to us: stored, and answered (signed) once the batch commits. */
static int accept_linktest(struct lia_link *l, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err)
{
	struct lia_node *n = l->node;
	uint8_t hash[32];

	if (strcmp(e->to, n->self->name) != 0) {
		lia_err_set(err, "link test %s/%" PRIu64 " is for %s, not %s", e->origin, e->seq,
		    e->to, n->self->name);
		return 1;
	}
	if (lia_store_add_entry(n->store, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(), err) < 0)
		return -1;
	lia_entry_hash(cose, cose_len, hash);
	return lia_node_linktest_answer(n, l->peer->name, e, hash, err) < 0 ? -1 : 0;
}

/* The peer's answer to one of our link tests: checked against what we sent, then stored. */
static int accept_linktest_answer(struct lia_link *l, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err)
{
	int rc = lia_linktest_check_answer(l, e, err);

	if (rc != 0)
		return rc;
	return lia_store_add_entry(l->node->store, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(),
	    err) < 0 ? -1 : 0;
}

/* Stores one verified entry: 0 stored, 1 refused (err says why), -1 store failure. */
static int accept_entry(struct lia_link *l, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err)
{
	switch (e->type) {
	case LIA_ENTRY_MESSAGE: return accept_message(l, e, cose, cose_len, err);
	case LIA_ENTRY_RECEIPT: return accept_receipt(l, e, cose, cose_len, err);
	case LIA_ENTRY_ACK: return accept_ack(l, e, cose, cose_len, err);
	case LIA_ENTRY_SIGNAL: return accept_signal(l, e, cose, cose_len, err);
	case LIA_ENTRY_INCIDENT: return accept_incident(l, e, cose, cose_len, err);
	case LIA_ENTRY_LINKTEST: return accept_linktest(l, e, cose, cose_len, err);
	case LIA_ENTRY_LINKTEST_ANSWER: return accept_linktest_answer(l, e, cose, cose_len, err);
	case LIA_ENTRY_OVERDUE: return lia_deadline_notice_in(l->node, e, cose, cose_len, err);
	case LIA_ENTRY_RELAY: return lia_relay_accept(l, e, cose, cose_len, err);
	}
	lia_err_set(err, "entry %s/%" PRIu64 " has an unknown type", e->origin, e->seq);
	return 1;
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

/*
 * Peer-claimed times (peertime.h): 1 when impossible (why says so; refused
 * like any entry that makes no sense here), else 0; a skew is flagged on the
 * link (status) and logged once per peer.
 */
static int check_peer_time(struct lia_link *l, const struct lia_entry *e, char *why)
{
	int64_t ref = -1, skew = 0;

	if (lia_peertime_is_answer(e) && strcmp(e->ref_origin, l->node->self->name) == 0)
		ref = own_entry_time(l->node, e->ref_seq);
	switch (lia_peertime_check(e, lia_now_ms(), ref, &skew, why)) {
	case LIA_PEERTIME_IMPOSSIBLE:
		return 1;
	case LIA_PEERTIME_SKEWED:
		l->clock_skew_ms = skew;
		if (!l->skew_flagged)
			lia_log_warn("link %s: the peer's clock looks off: %s (accepted; logged once)",
			    l->peer->name, why);
		l->skew_flagged = 1;
		break;
	case LIA_PEERTIME_OK:
		break;
	}
	return 0;
}

/* Checks origin and signature: the entry must be made by this link's peer (lia_entry_open_from). */
static int verify_from_peer(struct lia_link *l, const struct lia_frame *f,
    struct lia_entry *e, char *err)
{
	return lia_entry_open_from(f->cose, f->cose_len, l->peer->name, l->peer_key, e, err) < 0 ?
	    DROP : GO_ON;
}

static int handle_entry(struct lia_link *l, const struct lia_frame *f, struct batch *b, char *err)
{
	struct lia_entry e;
	char why[LIA_ERR_LEN];
	int rc = DROP, verdict;

	memset(&e, 0, sizeof(e));
	if (verify_from_peer(l, f, &e, err) != GO_ON)
		goto out;
	if (e.seq <= b->cursor) {
		lia_log_warn("link %s: replayed entry %s/%" PRIu64 " ignored (committed up to %" PRIu64 ")",
		    l->peer->name, e.origin, e.seq, b->cursor);
		l->rejected++;
		rc = GO_ON;
		goto out;
	}
	if (f->prev != b->cursor) {
		lia_err_set(err, "entries missing from %s: %" PRIu64 " follows %" PRIu64
		    " but the last committed is %" PRIu64, l->peer->name, e.seq, f->prev, b->cursor);
		goto out;
	}
	if (!b->open && lia_store_begin(l->node->store, err) < 0) {
		rc = LOCAL_FAULT;
		goto out;
	}
	b->open = 1;
	verdict = check_peer_time(l, &e, why); /* impossible times refused first (issue 10) */
	if (verdict == 0)
		verdict = accept_entry(l, &e, f->cose, f->cose_len, why);
	switch (verdict) {
	case 0:
		b->entries++;
		break;
	case 1:
		report_rejection(l, why); /* consumed: the sender must not send it again */
		break;
	default:
		snprintf(err, LIA_ERR_LEN, "%s", why);
		rc = LOCAL_FAULT;
		goto out;
	}
	b->cursor = e.seq;
	rc = GO_ON;
out:
	lia_entry_finish(&e);
	return rc;
}

static int dispatch(struct lia_link *l, const struct lia_frame *f, struct batch *b, char *err)
{
	if (l->state != LIA_LINK_UP && f->kind != LIA_FRAME_HELLO && f->kind != LIA_FRAME_ERROR) {
		lia_err_set(err, "%s sent a frame of kind %s before its hello", l->peer->name,
		    lia_frame_kind_name(f->kind));
		return DROP;
	}
	switch (f->kind) {
	case LIA_FRAME_HELLO: return handle_hello(l, f, err);
	case LIA_FRAME_ENTRY: return handle_entry(l, f, b, err);
	case LIA_FRAME_SEEN: return handle_seen(l, f, err);
	case LIA_FRAME_PING: return handle_ping(l, f, err);
	case LIA_FRAME_PONG: return handle_pong(l, f, err);
	case LIA_FRAME_ERROR: return handle_error(l, f, err);
	case LIA_FRAME_CHECKPOINT: return lia_record_handle_checkpoint(l, f, err);
	case LIA_FRAME_COSIGNATURE: return lia_record_handle_cosignature(l, f, err);
	case LIA_FRAME_CONFLICT: return lia_record_handle_conflict(l, f, err);
	case LIA_FRAME_PROOF_REQUEST: return lia_record_handle_proof_request(l, f, err);
	case LIA_FRAME_PROOF: return lia_record_handle_proof(l, f, err);
	}
	lia_err_set(err, "%s sent an unknown frame kind", l->peer->name);
	return DROP;
}

/* Takes the next whole frame off the input: 1 got one, 0 need more bytes, -1 bad length. */
static int next_frame(struct lia_link *l, struct lia_frame *f, char *err)
{
	struct evbuffer *in = bufferevent_get_input(l->bev);
	uint8_t header[LIA_FRAME_HEADER];
	uint32_t len = 0;
	char why[LIA_ERR_LEN];
	int rc;

	if (evbuffer_copyout(in, header, sizeof(header)) < (ev_ssize_t)sizeof(header))
		return 0;
	if (lia_wire_length(header, &len, why) < 0) {
		lia_err_set(err, "frame from %s refused: %s", l->peer->name, why);
		return -1;
	}
	if (evbuffer_get_length(in) < LIA_FRAME_HEADER + (size_t)len)
		return 0;
	rc = lia_wire_decode(evbuffer_pullup(in, LIA_FRAME_HEADER + len) + LIA_FRAME_HEADER,
	    len, f, why);
	evbuffer_drain(in, LIA_FRAME_HEADER + len);
	if (rc < 0) {
		lia_err_set(err, "malformed frame from %s: %s", l->peer->name, why);
		return -1;
	}
	l->frames_in++;
	l->last_rx_mono = lia_mono_ms();
	return 1;
}

/* Commits the batch; only then do the cursor, "seen" and receipts move. */
static int finish_batch(struct lia_link *l, struct batch *b, char *err)
{
	struct lia_frame seen = {.kind = LIA_FRAME_SEEN};
	struct lia_store *s = l->node->store;

	if (!b->open)
		return GO_ON;
	if (lia_store_set_cursor(s, l->peer->name, b->cursor, err) < 0 ||
	    lia_store_commit(s, err) < 0) {
		lia_store_rollback(s);
		return LOCAL_FAULT;
	}
	l->cursor = b->cursor;
	if (b->entries > 0) {
		lia_record_appended(l->node);
		lia_deadline_rearm(l->node);
	}
	seen.seq = l->cursor;
	if (lia_link_send(l, &seen) < 0)
		return GO_ON; /* the link dropped itself */
	lia_session_pump(l);
	return GO_ON;
}

void lia_session_read(struct lia_link *l)
{
	struct batch b = {.cursor = l->cursor};
	char err[LIA_ERR_LEN] = "";
	struct lia_frame f;
	int rc;

	for (;;) {
		/* A peer that does not read its replies gets no more of them (link.c resumes). */
		if (lia_link_output_full(l))
			break;
		memset(&f, 0, sizeof(f));
		rc = next_frame(l, &f, err);
		if (rc == 0)
			break;
		if (rc > 0)
			rc = dispatch(l, &f, &b, err);
		lia_frame_finish(&f);
		if (rc != GO_ON || l->bev == NULL)
			goto drop;
	}
	if ((rc = finish_batch(l, &b, err)) == GO_ON)
		return;
drop:
	if (b.open)
		lia_store_rollback(l->node->store);
	if (l->bev == NULL)
		return;
	if (rc == LOCAL_FAULT) {
		lia_log_error("link %s: %s", l->peer->name, err);
		lia_link_drop(l, LOCAL_FAULT_SENTENCE, 1);
		snprintf(l->last_error, sizeof(l->last_error), "%s", err);
	} else {
		lia_link_drop(l, err[0] ? err : "protocol error", 1);
	}
}

static int send_queued(void *ctx, uint64_t seq, const uint8_t *cose, size_t cose_len)
{
	struct lia_link *l = ctx;
	struct lia_frame f = {.kind = LIA_FRAME_ENTRY, .prev = l->sent_upto,
	    .cose = (uint8_t *)cose, .cose_len = cose_len};

	if (lia_link_send(l, &f) < 0)
		return 1;
	l->sent_upto = seq;
	l->sent_max = seq > l->sent_max ? seq : l->sent_max;
	return lia_link_pending(l) >= OUTPUT_HIGH_WATER;
}

void lia_session_pump(struct lia_link *l)
{
	char err[LIA_ERR_LEN];
	int n;

	while (l->state == LIA_LINK_UP && l->bev != NULL && lia_link_pending(l) < OUTPUT_HIGH_WATER) {
		n = lia_store_scan_outbox(l->node->store, l->peer->name, l->sent_upto, PUMP_BATCH,
		    send_queued, l, err);
		if (n < 0)
			lia_log_error("link %s: cannot read the outbox: %s", l->peer->name, err);
		if (n < PUMP_BATCH)
			break;
	}
}

void lia_session_tick(struct lia_link *l)
{
	int period = l->node->cfg.heartbeat_ms > 0 ? l->node->cfg.heartbeat_ms : 1000;
	int64_t silent = lia_mono_ms() - l->last_rx_mono;
	struct lia_frame ping = {.kind = LIA_FRAME_PING};
	char reason[LIA_ERR_LEN];

	/* Absolute: error frames (allowed before hello) must not keep a link without hello open. */
	if (l->state == LIA_LINK_HELLO && lia_now_ms() - l->since_ms > HELLO_DEADLINE_MS) {
		lia_link_drop(l, "no hello within 5 s of the handshake", 0);
		return;
	}
	if (silent > 3 * (int64_t)period) {
		lia_err_set(reason, "no frame from %s for %" PRId64 " ms", l->peer->name,
		    silent);
		lia_link_drop(l, reason, 0);
		return;
	}
	ping.nonce = ++l->ping_nonce;
	l->ping_sent_mono = lia_mono_ms();
	lia_link_send(l, &ping);
}
