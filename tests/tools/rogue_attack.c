/*
 * rogue_attack.c - what the rogue does wrong, one function per attack. Each
 * attack is one fault on top of otherwise correct traffic: entries are
 * numbered after the peer's "seen" and carry the right prev, so the daemon's
 * reaction can only be to the fault. Hand-built payloads are first checked
 * locally against entry.c, so a test cannot pass because of an encoding
 * mistake of the rogue's own.
 */
#include "rogue.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include "clock.h"

#define OVERSIZE_ANNOUNCED (1u << 20)
#define OVERSIZE_SENT 4096
#define MALFORMED_LEN 64
#define SILENT_MS 4500

static int attack_valid(struct rogue *r)
{
	if (rogue_send_signed(r, r->self, r->key, "rogue valid 1 of 2") < 0)
		return -1;
	return rogue_send_signed(r, r->self, r->key, "rogue valid 2 of 2");
}

/* The same frame twice in a row, then once more after the peer confirmed it. */
static int attack_replay(struct rogue *r)
{
	char text[] = "rogue replay";
	uint64_t prev = r->prev;
	struct lia_entry e;
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc = -1;

	rogue_make_message(&e, r->self, prev + 1, rogue_recipient(r), text);
	if (rogue_sign(&e, r->key, &cose, &len) < 0)
		return -1;
	if (rogue_send_entry(r, prev, &e, cose, len) < 0 || rogue_send_entry(r, prev, &e, cose, len) < 0)
		goto out;
	rogue_await_seen(r, e.seq);
	rc = rogue_send_entry(r, prev, &e, cose, len);
	r->prev = e.seq;
out:
	free(cose);
	return rc;
}

/* A validly signed message, then one byte of its text flipped inside the COSE bytes. */
static int attack_altered(struct rogue *r)
{
	char text[] = "rogue altered";
	struct lia_entry e;
	uint8_t *cose = NULL, *at;
	size_t len = 0;
	int rc = -1;

	rogue_make_message(&e, r->self, r->prev + 1, rogue_recipient(r), text);
	if (rogue_sign(&e, r->key, &cose, &len) < 0)
		return -1;
	at = memmem(cose, len, text, strlen(text));
	if (at == NULL) {
		fprintf(stderr, "rogue: the text is not in the COSE bytes\n");
		goto out;
	}
	at[strlen(text) - 1] ^= 0x01; /* 'd' becomes 'e': still valid UTF-8 */
	printf("altered: text byte %zu of the COSE flipped\n", (size_t)(at - cose) + strlen(text) - 1);
	rc = rogue_send_next(r, &e, cose, len);
out:
	free(cose);
	return rc;
}

/* Our own origin, but the signature is another node's key. */
static int attack_forged(struct rogue *r)
{
	return rogue_send_signed(r, r->self, r->other_key, "rogue forged");
}

/* Another node's entry (its origin, its signature) on our link. */
static int attack_wrong_signer(struct rogue *r)
{
	return rogue_send_signed(r, r->other, r->other_key, "rogue wrong-signer");
}

/* Entries missing: prev names an entry that was never sent. */
static int attack_gap(struct rogue *r)
{
	r->prev++;
	return rogue_send_signed(r, r->self, r->key, "rogue gap");
}

static int attack_before_hello(struct rogue *r)
{
	return rogue_send_signed(r, r->self, r->key, "rogue before-hello");
}

static int attack_bad_hello(struct rogue *r)
{
	return rogue_send_hello(r, r->conn.peer) == -2 ? -1 : 0;
}

static int attack_second_hello(struct rogue *r)
{
	return rogue_send_hello(r, r->self) == -2 ? -1 : 0;
}

/* Confirms far more of the peer's entries than it ever sent. */
static int attack_bad_seen(struct rogue *r)
{
	struct lia_frame f = {.kind = LIA_FRAME_SEEN, .seq = UINT64_C(1) << 40};

	printf("tx seen %" PRIu64 "\n", f.seq);
	return rogue_send_frame(&r->conn, &f) == -2 ? -1 : 0;
}

static void put_length(uint8_t header[LIA_FRAME_HEADER], uint32_t len)
{
	header[0] = (uint8_t)(len >> 24);
	header[1] = (uint8_t)(len >> 16);
	header[2] = (uint8_t)(len >> 8);
	header[3] = (uint8_t)len;
}

/* A header announcing 1 MiB, then a little of it. */
static int attack_oversize(struct rogue *r)
{
	static uint8_t frame[LIA_FRAME_HEADER + OVERSIZE_SENT];

	put_length(frame, OVERSIZE_ANNOUNCED);
	memset(frame + LIA_FRAME_HEADER, 0xa5, OVERSIZE_SENT);
	printf("tx frame header announcing %u bytes, then %d\n", OVERSIZE_ANNOUNCED, OVERSIZE_SENT);
	rogue_send_raw(&r->conn, frame, sizeof(frame));
	return 0;
}

/* A frame whose body is random bytes led by a reserved CBOR head (RFC 8949 section 3.3). */
static int attack_malformed(struct rogue *r)
{
	uint8_t frame[LIA_FRAME_HEADER + MALFORMED_LEN];

	put_length(frame, MALFORMED_LEN);
	if (RAND_bytes(frame + LIA_FRAME_HEADER, MALFORMED_LEN) != 1)
		return -1;
	frame[LIA_FRAME_HEADER] = 0xfc; /* major type 7, additional information 28 */
	printf("tx frame of %d random bytes\n", MALFORMED_LEN);
	rogue_send_raw(&r->conn, frame, sizeof(frame));
	return 0;
}

/* A well-formed entry frame cut in half, its length prefix saying so. */
static int attack_truncated(struct rogue *r)
{
	char text[] = "rogue truncated";
	struct lia_entry e;
	struct lia_frame f = {.kind = LIA_FRAME_ENTRY, .prev = r->prev};
	char err[LIA_ERR_LEN] = "";
	uint8_t *frame = NULL;
	size_t len = 0, cut;
	int rc = -1;

	rogue_make_message(&e, r->self, r->prev + 1, rogue_recipient(r), text);
	if (rogue_sign(&e, r->key, &f.cose, &f.cose_len) < 0)
		return -1;
	if (lia_wire_encode(&f, &frame, &len, err) < 0) {
		fprintf(stderr, "rogue: cannot encode the entry frame: %s\n", err);
		goto out;
	}
	cut = (len - LIA_FRAME_HEADER) / 2;
	put_length(frame, (uint32_t)cut);
	printf("tx entry frame cut to %zu of %zu bytes\n", cut, len - LIA_FRAME_HEADER);
	rogue_send_raw(&r->conn, frame, LIA_FRAME_HEADER + cut);
	rc = 0;
out:
	free(frame);
	free(f.cose);
	return rc;
}

/* A well-formed entry frame whose COSE bytes are CBOR, but not a COSE_Sign1. */
static int attack_bad_cose(struct rogue *r)
{
	static const uint8_t not_cose[] = {0x83, 0x01, 0x02, 0x03}; /* [1, 2, 3] */
	struct lia_frame f = {.kind = LIA_FRAME_ENTRY, .prev = r->prev, .cose = (uint8_t *)not_cose,
	    .cose_len = sizeof(not_cose)};

	printf("tx entry prev=%" PRIu64 " whose COSE is [1, 2, 3]\n", r->prev);
	return rogue_send_frame(&r->conn, &f) == -2 ? -1 : 0;
}

/* A signed message whose text is not UTF-8 (a bare continuation, a surrogate, 0xff). */
static int attack_bad_utf8(struct rogue *r)
{
	static const char good[] = "rogue bad-utf8 ....";
	static const char bad[] = "rogue bad-utf8 \xc3\x28\xed\xa0\x80\xff";
	struct lia_entry e;
	uint8_t *payload = NULL;
	size_t len = 0;
	int rc = -1;

	rogue_make_message(&e, r->self, r->prev + 1, rogue_recipient(r), NULL);
	if (rogue_payload_build(&e, good, strlen(good), &payload, &len) < 0 ||
	    !rogue_payload_accepted(payload, len, "bad-utf8 check")) {
		fprintf(stderr, "rogue: the hand-built payload is wrong even with valid text\n");
		goto out;
	}
	free(payload);
	if (rogue_payload_build(&e, bad, strlen(bad), &payload, &len) < 0 ||
	    rogue_payload_accepted(payload, len, "bad-utf8 (expected)")) {
		fprintf(stderr, "rogue: entry.c accepts text that is not UTF-8\n");
		goto out;
	}
	rc = rogue_send_payload(r, &e, payload, len);
out:
	free(payload);
	return rc;
}

/* A well-formed, validly signed message to a name the charter does not know. */
static int attack_unknown_recipient(struct rogue *r)
{
	static const char text[] = "rogue unknown-recipient";
	struct lia_entry e;
	uint8_t *payload = NULL;
	size_t len = 0;
	int rc = -1;

	rogue_make_message(&e, r->self, r->prev + 1, r->to[0] ? r->to : "atlantis", NULL);
	if (lia_charter_node(r->charter, e.to) != NULL || lia_charter_party(r->charter, e.to) != NULL) {
		fprintf(stderr, "rogue: %s is in the charter\n", e.to);
		return -1;
	}
	if (rogue_payload_build(&e, text, strlen(text), &payload, &len) < 0 ||
	    !rogue_payload_accepted(payload, len, "unknown-recipient check")) {
		fprintf(stderr, "rogue: the hand-built payload is wrong\n");
		goto out;
	}
	rc = rogue_send_payload(r, &e, payload, len);
out:
	free(payload);
	return rc;
}

/* A validly signed receipt or ack of ours for the peer's message 1, which was never sent to us. */
static int send_reference(struct rogue *r, enum lia_entry_type type)
{
	struct lia_entry e;
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	e.type = type;
	snprintf(e.origin, sizeof(e.origin), "%s", r->self);
	e.seq = r->prev + 1;
	e.time_ms = lia_now_ms();
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", r->conn.peer);
	e.ref_seq = 1;
	if (type == LIA_ENTRY_ACK)
		snprintf(e.operator_name, sizeof(e.operator_name), "rogue operator");
	if (rogue_sign(&e, r->key, &cose, &len) < 0)
		return -1;
	rc = rogue_send_next(r, &e, cose, len);
	free(cose);
	return rc;
}

static int attack_bogus_receipt(struct rogue *r)
{
	return send_reference(r, LIA_ENTRY_RECEIPT);
}

static int attack_bogus_ack(struct rogue *r)
{
	return send_reference(r, LIA_ENTRY_ACK);
}

/* A validly signed overdue notice about our message 1 (never sent to the peer), blaming late. */
static int send_overdue(struct rogue *r, const char *late)
{
	struct lia_entry e;
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_OVERDUE;
	snprintf(e.origin, sizeof(e.origin), "%s", r->self);
	e.seq = r->prev + 1;
	e.time_ms = lia_now_ms();
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", r->self);
	e.ref_seq = 1;
	e.precedence = LIA_FLASH;
	snprintf(e.late_node, sizeof(e.late_node), "%s", late);
	e.deadline = LIA_DEADLINE_ACK;
	e.step = 1;
	e.late_s = 60;
	e.due_ms = e.time_ms - 60000;
	if (rogue_sign(&e, r->key, &cose, &len) < 0)
		return -1;
	rc = rogue_send_next(r, &e, cose, len);
	free(cose);
	return rc;
}

static int attack_overdue_never_sent(struct rogue *r)
{
	return send_overdue(r, r->conn.peer);
}

static int attack_overdue_elsewhere(struct rogue *r)
{
	return send_overdue(r, "beijing");
}

static int attack_overdue_unknown_node(struct rogue *r)
{
	return send_overdue(r, "atlantis");
}

/* Says nothing and reads nothing (so answers no ping) for longer than three heartbeats of 1 s. */
static int attack_silent(struct rogue *r)
{
	printf("silent for %d ms\n", SILENT_MS);
	poll(NULL, 0, SILENT_MS);
	return 0;
}

/*
 * Waits for a message from the peer, then receipts it: with a wrong hash
 * (bad_hash), or correctly twice under two receipt numbers.
 */
static int receipt_attack(struct rogue *r, int bad_hash)
{
	struct lia_entry msg;
	uint8_t *cose = NULL, hash[32];
	size_t len = 0;
	int rc = -1;

	if (rogue_await_message(r, &msg, &cose, &len) < 0)
		return 0; /* nothing to receipt: the test sees no receipt go out */
	lia_entry_hash(cose, len, hash);
	if (bad_hash)
		hash[0] ^= 0x01;
	if (rogue_send_receipt(r, &msg, hash) == 0 && (bad_hash || rogue_send_receipt(r, &msg, hash) == 0))
		rc = 0;
	lia_entry_finish(&msg);
	free(cose);
	return rc;
}

static int attack_receipt_bad_hash(struct rogue *r)
{
	return receipt_attack(r, 1);
}

static int attack_receipt_twice(struct rogue *r)
{
	return receipt_attack(r, 0);
}

/*
 * An error frame whose sentence carries a newline, a forged log line, a
 * terminal escape, and the bidi override U+202E and isolate U+2066 that would
 * make a reader see the line's words in another order.
 */
static int attack_log_injection(struct rogue *r)
{
	struct lia_frame f = {.kind = LIA_FRAME_ERROR, .code = 1};

	snprintf(f.text, sizeof(f.text), "rogue \x1b[31mred\x1b[0m \xe2\x80\xae" "desrever"
	    " \xe2\x81\xa6isolated\n"
	    "2000-01-01T00:00:00.000Z info link beijing: up FORGED-BY-ROGUE");
	printf("tx error 1 with a newline, a forged log line, escapes and bidi overrides\n");
	return rogue_send_frame(&r->conn, &f) == -2 ? -1 : 0;
}

/* Our hello carries another charter hash; then one valid message. */
static int attack_other_charter(struct rogue *r)
{
	uint64_t seen = 0;

	r->hash[0] ^= 0x01;
	if (rogue_hello(r, r->self, &seen) != 0)
		return 0; /* refused: the watch reports it */
	r->prev = seen;
	return rogue_send_signed(r, r->self, r->key, "rogue other-charter");
}

/* A signed link test (type 7) to --to (default: the peer), then waits for what comes back. */
static int attack_linktest(struct rogue *r)
{
	struct lia_entry e;
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_LINKTEST;
	snprintf(e.origin, sizeof(e.origin), "%s", r->self);
	e.seq = r->prev + 1;
	e.time_ms = lia_now_ms();
	snprintf(e.to, sizeof(e.to), "%s", r->to[0] ? r->to : r->conn.peer);
	e.nonce = 42;
	if (rogue_sign(&e, r->key, &cose, &len) < 0)
		return -1;
	rc = rogue_send_next(r, &e, cose, len);
	free(cose);
	return rc;
}

/* A signed link test answer (type 8) naming the peer's entry 1 with a hash and nonce it never sent. */
static int attack_linktest_forged_answer(struct rogue *r)
{
	struct lia_entry e;
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_LINKTEST_ANSWER;
	snprintf(e.origin, sizeof(e.origin), "%s", r->self);
	e.seq = r->prev + 1;
	e.time_ms = lia_now_ms();
	e.heard_ms = e.time_ms;
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", r->conn.peer);
	e.ref_seq = 1;
	e.nonce = 42;
	if (rogue_sign(&e, r->key, &cose, &len) < 0)
		return -1;
	rc = rogue_send_next(r, &e, cose, len);
	free(cose);
	return rc;
}

static const struct rogue_attack attacks[] = {
	{"valid", attack_valid, 1, 0, "two well-formed signed messages to --to (default: the peer)"},
	{"linktest", attack_linktest, 1, 0, "a signed link test to --to (default: the peer)"},
	{"linktest-forged-answer", attack_linktest_forged_answer, 1, 0,
	    "a signed link test answer naming the peer's entry 1 with a made-up hash"},
	{"replay", attack_replay, 1, 0, "one message frame twice, then again after its seen"},
	{"altered", attack_altered, 1, 0, "a signed message with one byte of its text flipped"},
	{"forged", attack_forged, 1, 1, "a message of ours signed with --sign-as's key"},
	{"wrong-signer", attack_wrong_signer, 1, 1, "a message of --sign-as's node, signed by it"},
	{"gap", attack_gap, 1, 0, "a message whose prev names an entry never sent"},
	{"oversize", attack_oversize, 1, 0, "a frame header announcing 1 MiB, then 4 KiB"},
	{"malformed", attack_malformed, 1, 0, "a frame of random bytes that is not CBOR"},
	{"truncated", attack_truncated, 1, 0, "an entry frame whose CBOR stops halfway"},
	{"bad-cose", attack_bad_cose, 1, 0, "an entry frame whose COSE bytes are [1, 2, 3]"},
	{"bad-utf8", attack_bad_utf8, 1, 0, "a signed message whose text is not UTF-8"},
	{"unknown-recipient", attack_unknown_recipient, 1, 0,
	    "a signed message to a name not in the charter (or --to)"},
	{"before-hello", attack_before_hello, 0, 0, "a signed message before our hello"},
	{"bad-hello", attack_bad_hello, 0, 0, "a hello that names the peer instead of us"},
	{"second-hello", attack_second_hello, 1, 0, "a second hello once the link is up"},
	{"bad-seen", attack_bad_seen, 1, 0, "a seen frame for entries the peer never sent"},
	{"bogus-receipt", attack_bogus_receipt, 1, 0, "a signed receipt for a message never sent to us"},
	{"bogus-ack", attack_bogus_ack, 1, 0, "a signed ack for a message never sent to us"},
	{"overdue-never-sent", attack_overdue_never_sent, 1, 0,
	    "a signed overdue notice blaming the peer for a message never sent to it"},
	{"overdue-elsewhere", attack_overdue_elsewhere, 1, 0,
	    "a signed overdue notice about beijing, for which the peer is no escalation target"},
	{"overdue-unknown-node", attack_overdue_unknown_node, 1, 0,
	    "a signed overdue notice blaming a node not in the charter"},
	{"receipt-bad-hash", attack_receipt_bad_hash, 1, 0,
	    "waits for a message from the peer, receipts it with a wrong hash"},
	{"receipt-twice", attack_receipt_twice, 1, 0,
	    "waits for a message from the peer, receipts it twice"},
	{"silent", attack_silent, 1, 0, "after the hellos, silence (no pong) for 4.5 s"},
	{"log-injection", attack_log_injection, 1, 0,
	    "an error frame whose sentence holds a newline, a forged log line and escapes"},
	{"other-charter", attack_other_charter, 0, 0,
	    "a hello with another charter hash, then one valid message"},
	{"signal-valid", rogue_attack_signal_valid, 1, 0, "a valid signal of ours to --to"},
	{"signal-broadcast", rogue_attack_signal_broadcast, 1, 0,
	    "a valid signal of ours without `to` (a broadcast), over TLS"},
	{"signal-claim", rogue_attack_signal_claim, 1, 0,
	    "a signal claiming --claim's origin, signed with our own key"},
	{"signal-claim-nokey", rogue_attack_signal_claim_nokey, 1, 0,
	    "a signal claiming --claim's origin, signed with a key of no certificate"},
	{"signal-claim-theirs", rogue_attack_signal_claim_theirs, 1, 1,
	    "a signal claiming --claim's origin, signed with --sign-as's key"},
	{"signal-nokey", rogue_attack_signal_nokey, 1, 0,
	    "a signal of ours signed with a key of no certificate"},
	{"incident", rogue_attack_incident, 1, 0,
	    "incident open and propose, then a confirm of its own proposal, an attach of nothing"},
	{"poison-checkpoint", rogue_attack_poison_checkpoint, 1, 0,
	    "a valid checkpoint of ours with a bogus line under the peer's cosignature key first"},
	{"forged-relay", rogue_attack_forged_relay, 1, 1,
	    "a relay (type 9) around a signal claiming --sign-as's node, signed by us"},
	{"proof-flood", rogue_attack_proof_flood, 1, 0,
	    "14 MB of proof requests for --to/1 (default beijing/1), never reading a reply"},
	{"hello-seen", rogue_attack_hello_seen, 0, 0,
	    "a hello claiming the peer's entries up to --seen (default 2^40)"},
	{"ack-before", rogue_attack_ack_before, 1, 0,
	    "an ack of the peer's message dated 2 h before the message"},
	{"future-message", rogue_attack_future_message, 1, 0, "a message dated 2 h ahead"},
	{"skewed-message", rogue_attack_skewed_message, 1, 0, "a message dated 10 min ahead"},
	{"hello-stall", rogue_attack_hello_stall, 0, 0,
	    "no hello after the handshake, an error frame every 0.5 s for 8 s"},
};

const struct rogue_attack *rogue_attack_find(const char *name)
{
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		if (strcmp(attacks[i].name, name) == 0)
			return &attacks[i];
	return NULL;
}

void rogue_attack_list(FILE *f)
{
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		fprintf(f, "  %-18s %s\n", attacks[i].name, attacks[i].help);
}
