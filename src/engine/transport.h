/*
 * transport.h - the seam between the engine and what moves its bytes (net/:
 * the TLS links and the radio). See docs/architecture.md.
 *
 * A transport registers a table of callbacks; the engine calls them after a
 * commit (wake: own entries were queued for a peer; checkpoint: a new own
 * checkpoint to offer), to send a frame it initiates (a proof request), and
 * for the status JSON. Inbound, a transport checks only its own facts (the
 * peer's certificate, hello, prev and cursor; the datagram and its
 * signature with the peer's key) and hands the verified entry to
 * lia_node_accept inside a transaction it opened with lia_node_begin;
 * lia_node_commit is the only place any transaction commits, and it runs the
 * post-commit hooks once: the log grew (checkpoint timer), the deadline
 * timer is re-armed, and the transports are woken for every peer whose
 * outbox grew. Nothing an accept rule made (a receipt, an answer) can leave
 * before that commit returns.
 */
#ifndef LIA_TRANSPORT_H
#define LIA_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "charter.h"
#include "entry.h"
#include "wire.h"

struct lia_node;

struct lia_transport_ops {
	const char *name;  /* "links" or "radio": its key in the node's status */
	/* Own entries were committed for peer: send them now if peer is this transport's. */
	void (*wake)(void *ctx, const char *peer);
	/* A new own checkpoint was signed: offer it to the peers that witness (NULL: none here). */
	void (*checkpoint)(void *ctx);
	/* Sends frame f to peer now: 0, LIA_ENOTFOUND when peer is not up here, -1 failed (NULL: never). */
	int (*send)(void *ctx, const char *peer, const struct lia_frame *f);
	/* The transport's state for /v1/status and /v1/links (new reference). */
	json_t *(*json)(void *ctx);
};

/* Registers a transport (ops borrowed, static); -1 with err when the table is full. */
int lia_node_add_transport(struct lia_node *n, const struct lia_transport_ops *ops, void *ctx,
    char *err);

/* Unregisters the transport of ctx (before it is freed); unknown ctx is fine. */
void lia_node_remove_transport(struct lia_node *n, void *ctx);

/* How an entry came: its rules differ only where the channel does (see lia_node_accept). */
enum lia_via {
	LIA_VIA_LINK = 1,   /* a TLS session: in sequence, exactly once (session.c checks prev) */
	LIA_VIA_RADIO = 2   /* a datagram heard on the unit link: lost, repeated, broadcast */
};

/* Who sent an entry, as its transport established it. */
struct lia_inbound {
	const struct lia_node_def *peer;      /* the entry is verified as signed by it (borrowed) */
	enum lia_via via;
};

/* What accept leaves for its transport to do once the transaction commits. */
struct lia_accepted {
	uint8_t *answer;        /* radio: our receipt to send after the commit (caller frees) */
	size_t answer_len;
	uint64_t receipted;     /* a receipt: the own seq it confirms (0 none) */
	int first;              /* a receipt: 1 the first one for that seq (not a repeat) */
	int relayed;            /* radio: stations the signal was relayed to */
};

/* Begins the transaction that accept rules (and compose functions) run inside. 0, or negative with err. */
int lia_node_begin(struct lia_node *n, char *err);

/*
 * Commits the open transaction, the only place anything commits, then runs
 * the post-commit hooks once (log growth, deadlines, waking the transports).
 * On failure rolls back and returns negative with err.
 */
int lia_node_commit(struct lia_node *n, char *err);

/* Rolls the open transaction back (nothing of it is woken); fine when none is open. */
void lia_node_rollback(struct lia_node *n);

/*
 * Inside the caller's transaction: decides by one table of rules by entry
 * type whether entry e (COSE bytes cose, already verified by the transport
 * as made by in->peer) is taken here, and stores it with what it implies
 * (deliveries, deadlines, incident tables) and the answer it calls for (a
 * receipt, a link test answer). Before any rule, the times the peer claims
 * (format/peertime.h): an impossible one is refused, a skew flagged for
 * the peer (logged once). 0 stored (*out says what the transport does
 * after committing; free out->answer); LIA_REFUSED refused (err says why:
 * tell the peer, keep the link); LIA_EDUP a signal heard again on the radio
 * (out->answer is our receipt of it once more, or NULL; roll back); other
 * negative: a store failure (roll back).
 */
int lia_node_accept(struct lia_node *n, const struct lia_inbound *in, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, struct lia_accepted *out, char *err);

/* The last skew lia_node_accept saw in peer's entry times (peertime.h), in ms; 0 when none. */
int64_t lia_node_peer_clock_skew(const struct lia_node *n, const char *peer);

#endif
