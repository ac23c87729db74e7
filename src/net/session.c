/*
 * session.c - the peer protocol on an authenticated link (see session.h and
 * docs/wire.md). One handler per frame kind. What is the session's to check
 * is checked here before anything touches the store: the entry must be
 * signed by the link's peer (its TLS certificate's key) and follow the last
 * committed entry. What the entry means is the engine's: lia_node_accept
 * (engine/accept.c) decides, and lia_node_commit closes the batch.
 */
#include "net_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "log.h"
#include "record.h"
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
	uint64_t cursor;
};

static int send_frame(void *ctx, const struct lia_frame *f)
{
	return lia_link_send(ctx, f);
}

/* The link as the record's frame handlers see it: its peer, its key, and a way to answer. */
static struct lia_record_io record_io(struct lia_link *l)
{
	struct lia_record_io io = {.peer = l->peer, .key = l->peer_key, .send = send_frame, .ctx = l};

	return io;
}

void lia_session_offer(struct lia_link *l)
{
	struct lia_record_io io = record_io(l);

	lia_record_offer(l->net->node, &io);
}

void lia_session_open(struct lia_link *l)
{
	struct lia_frame f = {.kind = LIA_FRAME_HELLO, .version = LIA_WIRE_VERSION};

	memcpy(f.charter_hash, l->net->charter->hash, 32);
	snprintf(f.node, sizeof(f.node), "%s", l->net->self->name);
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
	l->charter_mismatch = CRYPTO_memcmp(f->charter_hash, l->net->charter->hash, 32) != 0;
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
	if (lia_store_peer_seen(l->net->store, l->peer->name, f->seq, err) < 0)
		return DROP;
	l->sent_upto = f->seq;
	l->state = LIA_LINK_UP;
	l->since_ms = lia_now_ms();
	lia_link_path_up(l);
	lia_log_info("link %s: up (peer has our entries up to %" PRIu64 ", we have its up to %"
	    PRIu64 ")", l->peer->name, f->seq, l->cursor);
	lia_session_pump(l);
	lia_session_offer(l);
	return GO_ON;
}

static int handle_seen(struct lia_link *l, const struct lia_frame *f, char *err)
{
	if (f->seq > l->sent_upto) {
		lia_err_set(err, "%s confirms %s/%" PRIu64 " but only up to %" PRIu64 " was sent",
		    l->peer->name, l->net->self->name, f->seq, l->sent_upto);
		return DROP;
	}
	return lia_store_peer_seen(l->net->store, l->peer->name, f->seq, err) < 0 ? DROP : GO_ON;
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

/* Checks origin and signature: the entry must be made by this link's peer (lia_entry_open_from). */
static int verify_from_peer(struct lia_link *l, const struct lia_frame *f,
    struct lia_entry *e, char *err)
{
	return lia_entry_open_from(f->cose, f->cose_len, l->peer->name, l->peer_key, e, err) < 0 ?
	    DROP : GO_ON;
}

static int handle_entry(struct lia_link *l, const struct lia_frame *f, struct batch *b, char *err)
{
	struct lia_inbound in = {.peer = l->peer, .via = LIA_VIA_LINK};
	struct lia_accepted done = {0};
	struct lia_entry e;
	char why[LIA_ERR_LEN];
	int rc = DROP;

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
	if (!b->open && lia_node_begin(l->net->node, err) < 0) {
		rc = LOCAL_FAULT;
		goto out;
	}
	b->open = 1;
	switch (lia_node_accept(l->net->node, &in, &e, f->cose, f->cose_len, &done, why)) {
	case 0:
		break;
	case LIA_REFUSED:
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
	free(done.answer); /* a session's answers are queued in the outbox, never handed back */
	lia_entry_finish(&e);
	return rc;
}

static int finish_batch(struct lia_link *l, struct batch *b, char *err);

static int dispatch(struct lia_link *l, const struct lia_frame *f, struct batch *b, char *err)
{
	struct lia_record_io io = record_io(l);
	struct lia_node *n = l->net->node;

	if (l->state != LIA_LINK_UP && f->kind != LIA_FRAME_HELLO && f->kind != LIA_FRAME_ERROR) {
		lia_err_set(err, "%s sent a frame of kind %s before its hello", l->peer->name,
		    lia_frame_kind_name(f->kind));
		return DROP;
	}
	/*
	 * A record frame's answer (a cosignature, a proof) leaves at once, and what it vouches for
	 * is written by the handler: commit the entries read before it first, so that nothing
	 * leaves before its commit and a failed batch cannot take the witness's state with it.
	 */
	if (b->open && f->kind != LIA_FRAME_ENTRY && f->kind != LIA_FRAME_SEEN &&
	    f->kind != LIA_FRAME_PING && f->kind != LIA_FRAME_PONG) {
		int rc = finish_batch(l, b, err);

		if (rc != GO_ON || l->bev == NULL)
			return rc;
	}
	switch (f->kind) {
	case LIA_FRAME_HELLO: return handle_hello(l, f, err);
	case LIA_FRAME_ENTRY: return handle_entry(l, f, b, err);
	case LIA_FRAME_SEEN: return handle_seen(l, f, err);
	case LIA_FRAME_PING: return handle_ping(l, f, err);
	case LIA_FRAME_PONG: return handle_pong(l, f, err);
	case LIA_FRAME_ERROR: return handle_error(l, f, err);
	case LIA_FRAME_CHECKPOINT: return lia_record_handle_checkpoint(n, &io, f, err);
	case LIA_FRAME_COSIGNATURE: return lia_record_handle_cosignature(n, &io, f, err);
	case LIA_FRAME_CONFLICT: return lia_record_handle_conflict(n, &io, f, err);
	case LIA_FRAME_PROOF_REQUEST: return lia_record_handle_proof_request(n, &io, f, err);
	case LIA_FRAME_PROOF: return lia_record_handle_proof(n, &io, f, err);
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

/* Commits the batch (lia_node_commit runs the engine's hooks); only then do the cursor, "seen" and receipts move. */
static int finish_batch(struct lia_link *l, struct batch *b, char *err)
{
	struct lia_frame seen = {.kind = LIA_FRAME_SEEN};

	if (!b->open)
		return GO_ON;
	b->open = 0;
	if (lia_store_set_cursor(l->net->store, l->peer->name, b->cursor, err) < 0) {
		lia_node_rollback(l->net->node);
		return LOCAL_FAULT;
	}
	if (lia_node_commit(l->net->node, err) < 0)
		return LOCAL_FAULT;
	l->cursor = b->cursor;
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

	l->reading = 1;
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
	rc = finish_batch(l, &b, err);
	l->reading = 0;
	if (rc == GO_ON)
		return;
drop:
	l->reading = 0;
	if (b.open)
		lia_node_rollback(l->net->node);
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
		n = lia_store_scan_outbox(l->net->store, l->peer->name, l->sent_upto, PUMP_BATCH,
		    send_queued, l, err);
		if (n < 0)
			lia_log_error("link %s: cannot read the outbox: %s", l->peer->name, err);
		if (n < PUMP_BATCH)
			break;
	}
}

void lia_session_tick(struct lia_link *l)
{
	int period = l->net->cfg->heartbeat_ms > 0 ? l->net->cfg->heartbeat_ms : 1000;
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
