/*
 * rogue_avail.c - attacks on the node's availability and on the times and
 * counters it takes from a peer (issue 10): a flood of proof requests from a
 * peer that never reads, a hello claiming entries never sent, and entries
 * whose signed times are impossible (an ack dated before its message, a
 * message from the future) or merely skewed.
 */
#include "rogue.h"

#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#define PROOF_FLOOD_BYTES (14 * 1024 * 1024) /* the 14 MB of requests */
#define PROOF_FLOOD_MS 20000
#define HOUR_MS (60 * 60 * 1000LL)

/* Proof requests for beijing/1 as fast as the peer takes them, never reading a reply. */
int rogue_attack_proof_flood(struct rogue *r)
{
	struct lia_frame f = {.kind = LIA_FRAME_PROOF_REQUEST, .seq = 1};
	int64_t end = lia_mono_ms() + PROOF_FLOOD_MS;
	uint8_t *buf = NULL;
	size_t len = 0, sent = 0;
	uint64_t n = 0;
	char err[LIA_ERR_LEN] = "";

	snprintf(f.node, sizeof(f.node), "%s", r->to[0] ? r->to : "beijing");
	while (sent < PROOF_FLOOD_BYTES && lia_mono_ms() < end) {
		f.request = ++n;
		if (lia_wire_encode(&f, &buf, &len, err) < 0) {
			fprintf(stderr, "rogue: %s\n", err);
			return -1;
		}
		if (rogue_send_raw(&r->conn, buf, len) < 0) {
			free(buf);
			break;
		}
		free(buf);
		sent += len;
	}
	printf("tx %" PRIu64 " proof requests (%zu bytes) without reading: %s\n", n, sent,
	    r->conn.closed ? r->conn.why : sent >= PROOF_FLOOD_BYTES ? "all sent" :
	    "the peer stopped reading");
	r->wait_ms = 1; /* and leave without reading what came back */
	return 0;
}

/* Our hello claims the peer's entries up to --seen (default 2^40): entries it never sent us. */
int rogue_attack_hello_seen(struct rogue *r)
{
	struct lia_frame f = {.kind = LIA_FRAME_HELLO, .version = LIA_WIRE_VERSION};

	memcpy(f.charter_hash, r->hash, sizeof(f.charter_hash));
	snprintf(f.node, sizeof(f.node), "%s", r->self);
	f.seq = r->seen_claim ? r->seen_claim : UINT64_C(1) << 40;
	printf("tx hello node=%s seen=%" PRIu64 "\n", r->self, f.seq);
	return rogue_send_frame(&r->conn, &f) == -2 ? -1 : 0;
}

/* Waits for the peer's message, then acknowledges it with a time 2 hours before the message's. */
int rogue_attack_ack_before(struct rogue *r)
{
	struct lia_entry msg, e;
	uint8_t *cose = NULL, *ack = NULL;
	size_t len = 0, ack_len = 0;
	int rc = -1;

	if (rogue_await_message(r, &msg, &cose, &len) < 0)
		return 0;
	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_ACK;
	snprintf(e.origin, sizeof(e.origin), "%s", r->self);
	e.seq = r->prev + 1;
	e.time_ms = msg.time_ms - 2 * HOUR_MS;
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", msg.origin);
	e.ref_seq = msg.seq;
	lia_entry_hash(cose, len, e.ref_hash);
	snprintf(e.operator_name, sizeof(e.operator_name), "rogue operator");
	if (rogue_sign(&e, r->key, &ack, &ack_len) == 0 && rogue_send_next(r, &e, ack, ack_len) == 0)
		rc = 0;
	printf("tx ack %s/%" PRIu64 " of %s/%" PRIu64 " dated 2 h before it\n", e.origin, e.seq,
	    msg.origin, msg.seq);
	free(ack);
	free(cose);
	lia_entry_finish(&msg);
	return rc;
}

/* A message of ours dated ahead of now by ahead_ms. */
static int message_ahead(struct rogue *r, int64_t ahead_ms, const char *what)
{
	struct lia_entry e;
	uint8_t *cose = NULL;
	size_t len = 0;
	char text[64];
	int rc;

	snprintf(text, sizeof(text), "rogue %s", what);
	rogue_make_message(&e, r->self, r->prev + 1, rogue_recipient(r), text);
	e.time_ms = lia_now_ms() + ahead_ms;
	if (rogue_sign(&e, r->key, &cose, &len) < 0)
		return -1;
	printf("tx message %s/%" PRIu64 " dated %" PRId64 " s ahead\n", e.origin, e.seq,
	    ahead_ms / 1000);
	rc = rogue_send_next(r, &e, cose, len);
	free(cose);
	return rc;
}

int rogue_attack_future_message(struct rogue *r)
{
	return message_ahead(r, 2 * HOUR_MS, "future-message");
}

int rogue_attack_skewed_message(struct rogue *r)
{
	return message_ahead(r, 10 * 60 * 1000, "skewed-message");
}

/* After the handshake, no hello: an error frame every half second for 8 s (each used to count as a sign of life). */
int rogue_attack_hello_stall(struct rogue *r)
{
	struct lia_frame f = {.kind = LIA_FRAME_ERROR, .code = 1};
	int64_t start = lia_mono_ms();
	int n = 0;

	snprintf(f.text, sizeof(f.text), "still thinking about my hello");
	while (lia_mono_ms() - start < 8000 && !r->conn.closed) {
		if (rogue_send_frame(&r->conn, &f) < 0)
			break;
		n++;
		poll(NULL, 0, 500);
	}
	printf("tx %d error frames and no hello over %" PRId64 " ms%s\n", n,
	    lia_mono_ms() - start, r->conn.closed ? ": the peer closed" : "");
	return 0;
}
