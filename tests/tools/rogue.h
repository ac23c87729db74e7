/*
 * rogue.h - internals of the hostile peer used by the integration tests
 * (tests/integ/1N-bad-*.sh). rogue.c holds main and the options,
 * rogue_conn.c the TLS 1.3 connection and frame I/O, rogue_attack.c the
 * attacks, rogue_entry.c the entries they send, rogue_payload.c hand-built
 * entry payloads, rogue_signal.c the signal attacks. It speaks the real wire protocol (src/wire.h) with a real
 * node certificate, then misbehaves in one chosen way.
 */
#ifndef ROGUE_H
#define ROGUE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "charter.h"
#include "entry.h"
#include "err.h"
#include "wire.h"

/* Exit codes (documented in the usage text). */
#define ROGUE_CLOSED 0     /* the peer closed the connection after the attack */
#define ROGUE_LOCAL 1      /* a local failure: options, files, encoding */
#define ROGUE_NOCONNECT 2  /* no TCP connection */
#define ROGUE_OPEN 3       /* the connection stayed open for the whole wait */
#define ROGUE_REFUSED 4    /* TLS handshake failed, or closed before the peer's hello */
#define ROGUE_BADPEER 5    /* the peer sent something undecodable */

#define ROGUE_WAIT_MS 3000 /* how long to watch the link after an attack, by default */
#define ROGUE_SEEN_WAIT_MS 10000 /* how long to wait for a seen frame (a commit) */

/* What one receive step produced. */
enum rx { RX_FRAME, RX_CLOSED, RX_TIMEOUT, RX_BAD };

struct rogue_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	uint8_t buf[LIA_FRAME_HEADER + LIA_FRAME_MAX];
	size_t len;                      /* bytes of buf holding received data */
	int closed;                      /* the peer closed, reset or refused */
	char peer[LIA_NAME_MAX + 1];     /* from its verified certificate */
	char why[LIA_ERR_LEN];           /* how it closed, or what failed */
};

struct rogue {
	struct lia_charter *charter;     /* owned */
	uint8_t hash[32];                /* charter hash our hellos carry */
	EVP_PKEY *key;                   /* own node key (owned) */
	char self[LIA_NAME_MAX + 1];     /* from own certificate */
	EVP_PKEY *other_key;             /* --sign-as node key, or NULL (owned) */
	char other[LIA_NAME_MAX + 1];
	char to[LIA_NAME_MAX + 1];       /* --to, "" when not given */
	char claim[LIA_NAME_MAX + 1];    /* --claim: the origin signal attacks claim, "" when not given */
	uint64_t prev;                   /* seq of the previous entry sent: the next frame's prev */
	int wait_ms;                     /* how long to watch the link after the attack */
	uint64_t seen_claim;             /* --seen: what hello-seen claims, 0 for 2^40 */
	struct rogue_conn conn;
};

/* Connects to host:port and completes a TLS 1.3 handshake with the cert and key of node_dir; 0, or the exit code that says what failed. */
int rogue_conn_open(struct rogue *r, const char *node_dir, const char *host, const char *port);

/* Closes and frees the connection; safe on a closed one. */
void rogue_conn_close(struct rogue_conn *c);

/* Writes raw bytes; on failure marks the connection closed and returns -1 (the peer went away). */
int rogue_send_raw(struct rogue_conn *c, const uint8_t *buf, size_t len);

/* Encodes and writes f: 0 sent, -1 the peer went away, -2 local encoding failure (printed). */
int rogue_send_frame(struct rogue_conn *c, const struct lia_frame *f);

/*
 * Waits until deadline (monotonic ms) for one frame and prints it; answers a
 * ping with a pong. On RX_FRAME, f holds it (lia_frame_finish after).
 */
enum rx rogue_receive(struct rogue_conn *c, int64_t deadline, struct lia_frame *f);

/* Sends a hello naming node, with our charter hash and seen 0: 0, -1 the peer went away, -2 local failure. */
int rogue_send_hello(struct rogue *r, const char *node);

/* Sends our hello (naming node, seen 0) and reads until the peer's; *peer_seen from it. 0, or the exit code that says what failed. */
int rogue_hello(struct rogue *r, const char *node, uint64_t *peer_seen);

/* Reads frames until the peer confirms (seen) our entries up to seq: 0, or -1 when it closed or did not within ROGUE_SEEN_WAIT_MS. */
int rogue_await_seen(struct rogue *r, uint64_t seq);

/* Reads frames until the peer sends one of its messages: e (lia_entry_finish after) and its COSE bytes (*cose caller frees). -1 when none came within ROGUE_SEEN_WAIT_MS. */
int rogue_await_message(struct rogue *r, struct lia_entry *e, uint8_t **cose, size_t *len);

/* Watches the link for r->wait_ms: ROGUE_CLOSED, ROGUE_OPEN or ROGUE_BADPEER. */
int rogue_watch(struct rogue *r);

/* The recipient of our messages: --to, else the peer itself (borrowed). */
const char *rogue_recipient(const struct rogue *r);

/* A ROUTINE message in English; text is borrowed (never lia_entry_finish e). */
void rogue_make_message(struct lia_entry *e, const char *origin, uint64_t seq, const char *to,
    char *text);

/* Signs e with key into *cose (caller frees); -1 printed. */
int rogue_sign(const struct lia_entry *e, EVP_PKEY *key, uint8_t **cose, size_t *len);

/* Sends one entry frame with the given prev; -1 only on a local failure. */
int rogue_send_entry(struct rogue *r, uint64_t prev, const struct lia_entry *e,
    const uint8_t *cose, size_t len);

/* Sends an entry as the next one on this link (r->prev moves to its seq); -1 on a local failure. */
int rogue_send_next(struct rogue *r, const struct lia_entry *e, const uint8_t *cose, size_t len);

/* A message from origin to the recipient, signed with key, sent as the next entry. */
int rogue_send_signed(struct rogue *r, const char *origin, EVP_PKEY *key, const char *text);

/* Signs a hand-built payload as our own (kid = us) and sends it as the next entry. */
int rogue_send_payload(struct rogue *r, const struct lia_entry *e, const uint8_t *payload,
    size_t len);

/* Signs and sends our receipt of msg, naming hash as its hash, as the next entry. */
int rogue_send_receipt(struct rogue *r, const struct lia_entry *msg, const uint8_t hash[32]);

/* A message payload (the map of entry.h) built by hand, so the text may be any bytes; *out caller frees. 0 or -1. */
int rogue_payload_build(const struct lia_entry *e, const char *text, size_t text_len,
    uint8_t **out, size_t *len);

/* Whether entry.c decodes a payload: 1 yes, 0 no (its reason printed after label). */
int rogue_payload_accepted(const uint8_t *payload, size_t len, const char *label);

/* Signal attacks (rogue_signal.c): a valid signal of ours; one claiming --claim's origin signed with our key, a fresh key, or --sign-as's; one of ours signed with a fresh key. */
int rogue_attack_signal_valid(struct rogue *r);
int rogue_attack_signal_claim(struct rogue *r);
int rogue_attack_signal_claim_nokey(struct rogue *r);
int rogue_attack_signal_claim_theirs(struct rogue *r);
int rogue_attack_signal_nokey(struct rogue *r);
int rogue_attack_signal_broadcast(struct rogue *r);

/* One attack: 0 done (whatever the peer did), -1 local failure (printed). */
typedef int (*rogue_attack_fn)(struct rogue *r);

struct rogue_attack {
	const char *name;
	rogue_attack_fn fn;
	int hello;          /* 1: exchange hellos first */
	int needs_other;    /* 1: needs --sign-as */
	const char *help;
};

/* rogue_incident.c: open, propose, confirm its own proposal, attach an entry never sent. */
int rogue_attack_incident(struct rogue *r);
/* rogue_relay.c: a relay of ours around a signal forged as --sign-as's. */
int rogue_attack_forged_relay(struct rogue *r);

/* rogue_record.c: a valid checkpoint of ours carrying a bogus line under the peer's cosignature name and key ID. */
int rogue_attack_poison_checkpoint(struct rogue *r);

/* rogue_avail.c: availability, counters and times (issue 10). */
int rogue_attack_proof_flood(struct rogue *r);
int rogue_attack_hello_seen(struct rogue *r);
int rogue_attack_ack_before(struct rogue *r);
int rogue_attack_future_message(struct rogue *r);
int rogue_attack_skewed_message(struct rogue *r);
int rogue_attack_hello_stall(struct rogue *r);

/* The attack called name, or NULL. */
const struct rogue_attack *rogue_attack_find(const char *name);

/* Prints the attack names and their help to f. */
void rogue_attack_list(FILE *f);

#endif
