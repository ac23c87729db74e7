/*
 * node_internal.h - the engine's state. Included by the engine's own files only (and by
 * tests that build a node by hand): the transports, the API and main see
 * struct lia_node as opaque (node.h, transport.h). Each module's own state
 * sits behind its own pointer: the record's (record.c), the deadline timer's
 * (deadline_timer.c), the link tests' (linktest.c).
 */
#ifndef LIA_NODE_INTERNAL_H
#define LIA_NODE_INTERNAL_H

#include <event2/event.h>
#include <openssl/x509.h>

#include "config.h"
#include "err.h"
#include "node.h"
#include "signals.h"
#include "transport.h"

#define LIA_TRANSPORTS 4

struct lia_record;
struct lia_deadlines;
struct lia_linktests;
struct lia_signer;

struct lia_transport {
	const struct lia_transport_ops *ops;  /* borrowed; NULL when the slot is free */
	void *ctx;
};

/* What accept.c saw of one peer's clock in its entry times (peertime.h). */
struct lia_peer_clock {
	char peer[LIA_NAME_MAX + 1];
	int64_t skew_ms;                      /* last skew seen; 0 none */
	int flagged;                          /* the skew was logged (once per peer and run) */
};

struct lia_node {
	struct lia_config cfg;
	struct lia_charter *charter;          /* owned */
	const struct lia_node_def *self;      /* borrowed from charter */
	struct lia_signer *signer;            /* the node key (owned; signer.c only) */
	EVP_PKEY *pub;                        /* own public key (owned) */
	X509 *cert;                           /* own certificate (owned) */
	struct lia_store *store;              /* owned */
	struct event_base *base;              /* borrowed from main */
	struct lia_signal_catalogue *signals; /* owned; NULL when cfg.signals_path is absent */
	struct lia_transport transports[LIA_TRANSPORTS];
	/* the open transaction (commit.c): peers whose outbox grew in it, woken after commit */
	int in_tx;
	char wake[LIA_MAX_NODES][LIA_NAME_MAX + 1];
	int n_wake;
	struct lia_record *record;            /* owned (record.c) */
	struct lia_deadlines *deadlines;      /* owned (deadline_timer.c) */
	struct lia_linktests *linktests;      /* owned (linktest.c) */
	struct lia_peer_clock clocks[LIA_MAX_NODES]; /* accept.c: peers whose clock looked off */
	int n_clocks;
};

/* ---- compose.c: own entries made inside the caller's transaction ---- */

/*
 * Inside the caller's transaction: signs e as an own entry (origin, seq, time
 * filled here), stores it, queues it for each of dests (and awaits their
 * receipts when deliveries); its COSE bytes into *cose (caller frees) unless
 * cose is NULL. Exists only once the caller commits. Returns LIA_REFUSED
 * (err says why) when an incident entry is refused under the incident's rules.
 */
int lia_node_make_entry(struct lia_node *n, struct lia_entry *e, const char *const *dests,
    int n_dests, int deliveries, uint8_t **cose, size_t *cose_len, char *err);

/* Inside the caller's transaction: signs a receipt for msg (whose COSE hashes to msg_hash) and queues it for peer. */
int lia_node_receipt(struct lia_node *n, const char *peer, const struct lia_entry *msg,
    const uint8_t msg_hash[32], char *err);

/* Signs, commits and queues a link test (type 7) for peer with nonce; its seq and hash into *seq and hash. */
int lia_node_linktest(struct lia_node *n, const char *peer, uint64_t nonce, uint64_t *seq,
    uint8_t hash[32], char *err);

/* Inside the caller's transaction: signs an answer to peer's link test (whose COSE hashes to test_hash) and queues it for peer. */
int lia_node_linktest_answer(struct lia_node *n, const char *peer, const struct lia_entry *test,
    const uint8_t test_hash[32], char *err);

/*
 * Inside the caller's transaction: signs the overdue notice e (type, ref_*,
 * precedence and the notice fields filled by the caller; origin, seq and time
 * here) and queues it for dests.
 */
int lia_node_overdue_notice(struct lia_node *n, struct lia_entry *e,
    const char *const *dests, int n_dests, char *err);

/* A unit's own party's stations (borrowed names) into dests, at most max; 0 for a station. */
int lia_node_own_stations(struct lia_node *n, const char **dests, int max);

/* node_signals.c: puts checked signals in the narrow form (docs/wire.md): catalogue numbers, numeric values as uints. */
void lia_node_narrow_signals(struct lia_node *n, struct lia_entry *e);

/* ---- commit.c ---- */

/* Inside the open transaction: peer's outbox grew; it is woken once the transaction commits (commit.c). */
void lia_node_wake_later(struct lia_node *n, const char *peer);

/* Sends frame f to peer through the transport it is up on: 0, LIA_ENOTFOUND when up on none, -1 failed. */
int lia_node_send_frame(struct lia_node *n, const char *peer, const struct lia_frame *f);

/* The transports' checkpoint hook: a new own checkpoint is to be offered (commit.c). */
void lia_node_checkpoint_made(struct lia_node *n);

#endif
