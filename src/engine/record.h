/*
 * record.h - the joint record on a running node: checkpoints of its own log
 * (C2SP tlog-checkpoint, signed as a C2SP signed note with the node key),
 * witnessing of its peers' logs (C2SP tlog-cosignature), and inclusion proofs
 * asked of a peer. The log itself is kept by store.c; proofs by merkle.c.
 * Files: record.c (checkpoints, witnessing), record_proof.c (inclusion
 * proofs), record_export.c (status and the bundle).
 *
 * Names: a log's origin and key name are "<mechanism>/<node>"; a witness
 * cosigns as "<mechanism>/<witness node>". Witnessing follows C2SP
 * tlog-witness's add-checkpoint: the log sends its checkpoint with a
 * consistency proof from the size the witness last cosigned; the witness
 * answers with a cosignature, or with "conflict" and the size it knows, or
 * refuses and keeps both checkpoints as evidence when history was rewritten.
 */
#ifndef LIA_RECORD_H
#define LIA_RECORD_H

#include <jansson.h>
#include <openssl/evp.h>

#include "charter.h"
#include "wire.h"

struct lia_node;

/*
 * The frames witnessing wants sent go back through the peer's transport:
 * record.c never reaches into a link. send queues one frame to the peer and
 * returns 0, or -1 when it could not (the link dropped itself).
 */
typedef int (*lia_record_send_fn)(void *ctx, const struct lia_frame *f);

/* One peer as its transport established it, for the record's frame handlers. */
struct lia_record_io {
	const struct lia_node_def *peer;    /* borrowed */
	EVP_PKEY *key;                      /* from the peer's verified certificate (borrowed) */
	lia_record_send_fn send;
	void *ctx;                          /* send's */
};

#define LIA_RECORD_PERIOD_MS 1000   /* at most this long between appends and a checkpoint */
#define LIA_PROOF_TIMEOUT_MS 5000   /* how long a proof asked of a peer may take */

/* Log origin (and key name) of node: "<mechanism>/<node>" into out (LIA_NOTE_NAME_MAX + 1). */
void lia_record_origin(const struct lia_node *n, const char *node, char *out);

/* Sets up the record's state (per peer: offered size, last conflict, last alarm). */
int lia_record_create(struct lia_node *n, char *err);

/* Frees its timers and state; NULL-safe. */
void lia_record_destroy(struct lia_node *n);

/* Arms the checkpoint timer; called once at start. */
int lia_record_start(struct lia_node *n, char *err);

/* The log grew: a checkpoint follows within LIA_RECORD_PERIOD_MS. */
void lia_record_appended(struct lia_node *n);

/* Signs a checkpoint of the whole log now if it grew since the last one; the transports offer it (transport.h). */
int lia_record_checkpoint(struct lia_node *n, char *err);

/* A new connection to peer: what was offered on the old one is forgotten. */
void lia_record_connected(struct lia_node *n, const char *peer);

/* Offers the latest checkpoint to a peer whose link is up (when it has not cosigned it yet). */
void lia_record_offer(struct lia_node *n, const struct lia_record_io *io);

/* Frame handlers (session.c dispatches to them); 0 go on, or -1 (drop the link) with err. */
int lia_record_handle_checkpoint(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err);
int lia_record_handle_cosignature(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err);
int lia_record_handle_conflict(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err);
int lia_record_handle_proof_request(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err);
int lia_record_handle_proof(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err);

/*
 * Asks peer for the inclusion proof of entry origin/seq in the peer's log and
 * calls done(ctx, result) once: result (caller's reference) says whether the
 * proof, the peer's checkpoint signature and its cosignatures check, or why
 * not (peer down, timeout, not yet under a checkpoint, bad proof).
 */
typedef void (*lia_record_proof_fn)(void *ctx, json_t *result);
void lia_record_ask_proof(struct lia_node *n, const char *peer, const char *origin,
    uint64_t seq, lia_record_proof_fn done, void *ctx);

/* Inclusion of own-log entry origin/seq under the latest checkpoint covering it, checked here; JSON (caller's). */
json_t *lia_record_own_proof(struct lia_node *n, const char *origin, uint64_t seq);

/* Status of the record: origin, size, latest checkpoint and who cosigned it, witnessed peers, evidence. */
json_t *lia_record_status_json(struct lia_node *n);

/* The whole record as a bundle (docs/record.md) for offline verification; NULL with err. */
json_t *lia_record_export(struct lia_node *n, char *err);

#endif
